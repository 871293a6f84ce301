package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"smslab/auth"
	"smslab/db"
	"smslab/sms"
)

// Error is an error the API answers in the SMS envelope.
type Error struct {
	Status int    `json:"-"`
	Code   string `json:"error_code"`
	Msg    string `json:"error_msg"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

// The errors the API answers, with the codes the error table of docs/api.md lists.
var (
	errNoRoute   = &Error{http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment."}
	errTooLarge  = &Error{http.StatusRequestEntityTooLarge, "APIGW.0201", "Request entity too large"}
	errMediaType = &Error{http.StatusUnsupportedMediaType, "SMS.2006", "The request type must be application/json"}
	errInternal  = &Error{http.StatusInternalServerError, "SMS.2007", "Background exception"}
	errBusy      = &Error{http.StatusServiceUnavailable, "SMS.9003",
		"The server is busy: the request bodies it is reading and handling hold all the memory set aside for them; retry later"}
	// errClientGone answers a client that closed its connection before its answer: no one
	// reads it, but the log shows 499, as web servers do, rather than a fault of smslab.
	errClientGone = &Error{499, "SMS.2007", "The client closed the request"}
)

func invalid(field, rule string) *Error {
	return invalidError(&sms.InvalidError{Field: field, Rule: rule})
}

func invalidError(e *sms.InvalidError) *Error {
	return &Error{http.StatusBadRequest, "SMS.9001", truncate("Invalid parameter: "+e.Error(), maxErrorMsg)}
}

// maxErrorMsg is the longest error_msg the API documents, in characters.
const maxErrorMsg = 255

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// wrongState answers a request the task's state does not allow. The code is a historical SMS
// one: "the command the client reports differs from the server's" (see docs/api.md).
func wrongState(reason string) *Error {
	return &Error{http.StatusBadRequest, "SMS.2009", truncate(reason, maxErrorMsg)}
}

func taskNotFound(id string) *Error {
	return &Error{http.StatusNotFound, "SMS.9002", "The task does not exist: " + id}
}

// The store's limits, answered as the request field that ran into them.
var (
	errNoSubTaskID = invalid("subtask_name",
		"names a new sub-task, but sub-task ids are used up to 9223372036854775807, the largest")
	errTooManySubTasks = invalid("subtask_name",
		fmt.Sprintf("names a new sub-task, but the task has %d sub-tasks, the most it may have", db.MaxSubTasks))
	errAnswerTooLarge = invalid("limit",
		"asks for more than one answer can hold: these tasks come to over 1 GB together; ask for fewer at once")
)

// errorHandler answers every error in the SMS envelope. Errors it does not know are logged and
// answered 500 with a generic message; client input never gets there.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		apiErr := classify(err)
		if apiErr == errNoRoute {
			// Echo lists a known path's methods for its 405; the gateway's 404 lists none.
			c.Response().Header().Del(echo.HeaderAllow)
		}
		if apiErr.Status >= http.StatusInternalServerError {
			logger.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
		}
		if err := writeJSON(c, apiErr.Status, apiErr); err != nil {
			logger.Warn("write error response", "err", err)
		}
	}
}

// classify turns an error into the answer the API gives for it: the one place where the store's
// errors, the decoder's and Echo's meet the SMS envelope.
func classify(err error) *Error {
	var apiErr *Error
	var invalidErr *sms.InvalidError
	var httpErr *echo.HTTPError
	var authErr *auth.Error
	var stateErr *db.StateError
	var notFound *db.NotFoundError
	var templateMissing *db.TemplateNotFoundError
	var conflict *db.ConflictError
	var sourceNotFound *db.SourceNotFoundError
	var projectNotFound *db.MigprojectNotFoundError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &authErr):
		return &Error{http.StatusUnauthorized, "APIGW.0301", authErr.Msg}
	case errors.As(err, &invalidErr):
		return invalidError(invalidErr)
	case errors.As(err, &notFound):
		return taskNotFound(notFound.ID)
	case errors.As(err, &stateErr):
		return wrongState(stateErr.Reason)
	case errors.As(err, &templateMissing):
		return templateNotFound(templateMissing.ID)
	case errors.As(err, &conflict):
		return &Error{http.StatusBadRequest, "SMS.9008", truncate(conflict.Reason, maxErrorMsg)}
	// Source servers and migration projects.
	case errors.As(err, &sourceNotFound):
		return &Error{http.StatusNotFound, "SMS.9005", truncate("The source server does not exist: "+sourceNotFound.ID, maxErrorMsg)}
	case errors.As(err, &projectNotFound):
		return &Error{http.StatusNotFound, "SMS.9006", truncate("The migration project does not exist: "+projectNotFound.ID, maxErrorMsg)}
	case errors.Is(err, db.ErrNoSubTaskID):
		return errNoSubTaskID
	case errors.Is(err, db.ErrTooManySubTasks):
		return errTooManySubTasks
	case errors.Is(err, db.ErrTooLarge):
		return errAnswerTooLarge
	case errors.Is(err, db.ErrUnavailable):
		return &Error{http.StatusServiceUnavailable, "SMS.9003", truncate(err.Error(), maxErrorMsg)}
	case errors.Is(err, context.Canceled):
		return errClientGone
	case errors.As(err, &httpErr):
		switch httpErr.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return errNoRoute
		case http.StatusRequestEntityTooLarge:
			return errTooLarge
		case http.StatusUnsupportedMediaType:
			return errMediaType
		}
	}
	return errInternal
}

// writeJSON answers v as JSON. Text that came from a client may hold invalid UTF-8 (a query
// parameter's name, say); it is written with U+FFFD in its place rather than failing the answer.
func writeJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v, jsontext.AllowInvalidUTF8(true))
	if err != nil {
		return err
	}
	return c.Blob(status, echo.MIMEApplicationJSON, body)
}
