package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/lifecycle"
	"smslab/sms"
)

// The task's life over the API and the agent's command channel (docs/api.md#create-a-task and
// #the-agents-command-channel); the store applies lifecycle's state table.

// createTask serves POST /v3/tasks (CreateTask).
func createTask(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req sms.CreateTaskRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if req.VMTemplateID != nil {
			if err := sms.CheckTaskID("vm_template_id", *req.VMTemplateID); err != nil {
				return err
			}
		}
		id, err := store.CreateTask(c.Request().Context(), &req)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, idResponse{ID: id})
	}
}

// showTask serves GET /v3/tasks/{task_id} (ShowTask).
func showTask(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		task, err := store.ShowTask(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, task)
	}
}

// deleteTask serves DELETE /v3/tasks/{task_id} (DeleteTask).
func deleteTask(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		if err := store.DeleteTasks(c.Request().Context(), []string{id}); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// deleteTasks serves POST /v3/tasks/delete (DeleteTasks): all the tasks named, or none.
func deleteTasks(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req sms.DeleteTasksRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if err := store.DeleteTasks(c.Request().Context(), distinct(req.IDs)); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// updateTaskStatus serves POST /v3/tasks/{task_id}/action (UpdateTaskStatus).
func updateTaskStatus(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		var req sms.UpdateTaskStatusRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if why, ok := lifecycle.NotEmulated[*req.Operation]; ok {
			return invalid("operation", "is "+*req.Operation+": "+why)
		}
		if err := store.TaskAction(c.Request().Context(), id, &req); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// collectLog serves POST /v3/tasks/{task_id}/log (CollectLog).
func collectLog(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		var req sms.CollectLogRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if err := store.CollectLog(c.Request().Context(), id, *req.LogBucket); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// showCommand serves GET /v3/sources/{server_id}/command (ShowCommand): the agent's poll.
func showCommand(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		cmd, err := store.NextCommand(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, cmd)
	}
}

// updateCommandResult serves POST /v3/sources/{server_id}/command_result (UpdateCommandResult).
func updateCommandResult(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		var req sms.CommandResultRequest
		if err := dec.Decode(requestBody(c), &req); err != nil {
			return err
		}
		if len(req.ResultDetail) > sms.MaxResultDetail {
			return invalid("result_detail", "must be at most 65535 bytes of JSON")
		}
		if err := store.CommandResult(c.Request().Context(), id, &req); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}
