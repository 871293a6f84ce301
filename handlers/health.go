package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/db"
)

// healthz serves GET /healthz: the process is up and serving HTTP.
func healthz(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte(`{"status":"ok"}`))
}

// readyz serves GET /readyz: the database is open, migrated and answers a read.
func readyz(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := store.Ready(c.Request().Context()); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte(`{"status":"ready"}`))
	}
}
