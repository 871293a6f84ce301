package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"smslab/sms"
)

// pathID returns the path parameter name, decoded and checked against the id rule of sources
// and projects (sms.CheckID).
func pathID(c echo.Context, name string) (string, error) {
	id := c.Param(name)
	if c.Request().URL.RawPath != "" { // see pathTaskID
		var err error
		if id, err = url.PathUnescape(id); err != nil {
			return "", invalid(name, "is not a valid percent-encoded path segment")
		}
	}
	return id, sms.CheckID(name, id)
}

// emptyObject answers a success whose SDK response is the raw body: {} as the newest pages show.
func emptyObject(c echo.Context) error {
	return c.Blob(200, echo.MIMEApplicationJSON, []byte("{}"))
}

// idResponse is the answer of an operation that creates a resource.
type idResponse struct {
	ID string `json:"id"`
}
