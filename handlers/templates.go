package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/sms"
)

// listTemplates serves GET /v3/vm/templates (ListTemplates).
func listTemplates(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	type response struct {
		Count     int64          `json:"count"`
		Templates []sms.Template `json:"templates"`
	}
	return func(c echo.Context) error {
		q, err := dec.DecodeListTemplatesQuery(c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		page, err := store.ListTemplates(c.Request().Context(), q)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, response{Count: page.Count, Templates: page.Templates})
	}
}

// createTemplate serves POST /v3/vm/templates (CreateTemplate).
func createTemplate(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		req, err := dec.DecodeCreateTemplate(requestBody(c))
		if err != nil {
			return err
		}
		id, err := store.CreateTemplate(c.Request().Context(), req)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, idResponse{ID: id})
	}
}

// showTemplate serves GET /v3/vm/templates/{id} (ShowTemplate).
func showTemplate(store *db.Store) echo.HandlerFunc {
	type response struct {
		Template sms.Template `json:"template"`
	}
	return func(c echo.Context) error {
		id, err := templateID(c)
		if err != nil {
			return err
		}
		t, err := store.GetTemplate(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, response{Template: t})
	}
}

// updateTemplate serves PUT /v3/vm/templates/{id} (UpdateTemplate).
func updateTemplate(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := templateID(c)
		if err != nil {
			return err
		}
		req, err := dec.DecodeUpdateTemplate(requestBody(c))
		if err != nil {
			return err
		}
		if err := store.UpdateTemplate(c.Request().Context(), id, req); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// deleteTemplate serves DELETE /v3/vm/templates/{id} (DeleteTemplate).
func deleteTemplate(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := templateID(c)
		if err != nil {
			return err
		}
		if err := store.DeleteTemplate(c.Request().Context(), id); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// deleteTemplates serves POST /v3/vm/templates/delete (DeleteTemplates).
func deleteTemplates(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		ids, err := dec.DecodeDeleteTemplates(requestBody(c))
		if err != nil {
			return err
		}
		if err := store.DeleteTemplates(c.Request().Context(), ids); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// templateID returns the id path parameter, checked against the id rule (samePath has decoded it).
func templateID(c echo.Context) (string, error) { return pathID(c, "id") }

func templateNotFound(id string) *Error {
	return &Error{http.StatusNotFound, "SMS.9007", "The template does not exist: " + id}
}
