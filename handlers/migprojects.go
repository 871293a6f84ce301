package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/sms"
)

// listMigprojects serves GET /v3/migprojects (ListMigprojects).
func listMigprojects(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := dec.DecodeListMigprojectsQuery(c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		count, projects, err := store.ListMigprojects(c.Request().Context(), q)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, sms.ListMigprojectsResponse{Count: count, Migprojects: projects})
	}
}

// createMigproject serves POST /v3/migprojects (CreateMigproject).
func createMigproject(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req sms.CreateMigprojectRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		id, err := store.CreateMigproject(c.Request().Context(), &req)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, idResponse{ID: id})
	}
}

// showMigproject serves GET /v3/migprojects/{mig_project_id} (ShowMigproject).
func showMigproject(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "mig_project_id")
		if err != nil {
			return err
		}
		if err := noQuery(c); err != nil {
			return err
		}
		p, err := store.GetMigproject(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, p)
	}
}

// updateMigproject serves PUT /v3/migprojects/{mig_project_id} (UpdateMigproject).
func updateMigproject(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "mig_project_id")
		if err != nil {
			return err
		}
		var req sms.UpdateMigprojectRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if err := store.UpdateMigproject(c.Request().Context(), id, &req); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// deleteMigproject serves DELETE /v3/migprojects/{mig_project_id} (DeleteMigproject). A body is
// ignored: Huawei's Terraform provider sends the id again, as ["<id>"].
func deleteMigproject(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "mig_project_id")
		if err != nil {
			return err
		}
		if err := store.DeleteMigproject(c.Request().Context(), id); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// updateDefaultMigproject serves PUT /v3/migprojects/{mig_project_id}/default
// (UpdateDefaultMigproject). It takes no body; {} (Terraform's) or none are accepted.
func updateDefaultMigproject(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "mig_project_id")
		if err != nil {
			return err
		}
		if body := requestBody(c); len(body) > 0 {
			if err := dec.Decode(body, &sms.UpdateDefaultMigprojectRequest{}); err != nil {
				return err
			}
		}
		if err := store.SetDefaultMigproject(c.Request().Context(), id); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}
