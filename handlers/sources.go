package handlers

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/lifecycle"
	"smslab/sms"
)

// sourceID returns the source_id path parameter checked against the source id rule: overview
// and delete name other routes and are no source's id.
func sourceID(c echo.Context) (string, error) {
	id := c.Param("source_id")
	return id, sms.CheckSourceID("source_id", id)
}

// registerServer serves POST /v3/sources (RegisterServer): the agent reports its server.
func registerServer(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req sms.RegisterServerRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if len(req.Networks) > 0 && (req.Networks[0].MAC == nil || *req.Networks[0].MAC == "") {
			return invalid("networks[0].mac", "is required: the first NIC must have a MAC address")
		}
		id, err := store.RegisterServer(c.Request().Context(), &req)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, idResponse{ID: id})
	}
}

// listServers serves GET /v3/sources (ListServers).
func listServers(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := dec.DecodeListServersQuery(c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		page, err := store.ListServers(c.Request().Context(), q)
		if err != nil {
			return err
		}
		defer page.Release()
		// The sources come rendered, as ListTasks' tasks do: the page around them is written here.
		head := strconv.AppendInt([]byte(`{"count":`), page.Count, 10)
		head = append(head, `,"source_servers":[`...)
		tail := []byte("]}")
		res := c.Response()
		res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		res.Header().Set(echo.HeaderContentLength, strconv.Itoa(len(head)+len(page.Sources)+len(tail)))
		res.WriteHeader(http.StatusOK)
		for _, part := range [][]byte{head, page.Sources, tail} {
			if _, err := res.Write(part); err != nil {
				return err
			}
		}
		return nil
	}
}

// showServer serves GET /v3/sources/{source_id} (ShowServer).
func showServer(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		if err := noQuery(c); err != nil {
			return err
		}
		src, err := store.GetSource(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, src)
	}
}

// updateServerName serves PUT /v3/sources/{source_id} (UpdateServerName): a new name, project,
// or target disk adjustments.
func updateServerName(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		var req sms.UpdateServerNameRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if err := store.UpdateSource(c.Request().Context(), id, &req); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// deleteServer serves DELETE /v3/sources/{source_id} (DeleteServer): the source and its task,
// unless the task is in progress.
func deleteServer(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		if err := store.DeleteSources(c.Request().Context(), []string{id}); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// deleteServers serves POST /v3/sources/delete (DeleteServers): all the sources named, or none.
func deleteServers(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req sms.DeleteServersRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if err := store.DeleteSources(c.Request().Context(), distinct(req.IDs)); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// distinct returns ids without repeats, in their first order: a batch that names an id twice
// deletes it once.
func distinct(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// updateCopyState serves PUT /v3/sources/{source_id}/changestate (UpdateCopyState).
func updateCopyState(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		req, err := dec.DecodeUpdateCopyState(requestBody(c))
		if err != nil {
			return err
		}
		state, err := lifecycle.CheckCopyState(*req.Copystate, *req.Migrationcycle)
		if err != nil {
			return invalid("copystate", *req.Copystate+" "+err.Error())
		}
		if err := store.SetCopyState(c.Request().Context(), id, state, *req.Migrationcycle); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// updateDiskInfo serves PUT /v3/sources/{source_id}/diskinfo (UpdateDiskInfo).
func updateDiskInfo(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		var req sms.UpdateDiskInfoRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if err := store.SetDiskInfo(c.Request().Context(), id, &req); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// showOverview serves GET /v3/sources/overview (ShowOverview).
func showOverview(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := noQuery(c); err != nil {
			return err
		}
		o, err := store.Overview(c.Request().Context())
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, o)
	}
}

// listErrorServers serves GET /v3/errors (ListErrorServers).
func listErrorServers(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := dec.DecodeListErrorServersQuery(c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		count, errs, err := store.ListErrorServers(c.Request().Context(), q)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, sms.ListErrorServersResponse{Count: count, MigrationErrors: errs})
	}
}
