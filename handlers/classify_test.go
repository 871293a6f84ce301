package handlers

import (
	"fmt"
	"net/http"
	"testing"

	"smslab/db"
)

// Every error of the store is answered with the status, code and message the API has always
// given it, also when wrapped; the store's own words never reach a client unless it is
// unavailable, whose reason is the answer.
func TestStoreErrorsAnswerAsBefore(t *testing.T) {
	for _, tt := range []struct {
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{&db.NotFoundError{ID: "t-1"}, http.StatusNotFound, "SMS.9002", "The task does not exist: t-1"},
		{&db.StateError{State: "ABORT", Reason: "The task is ABORT and takes no progress report on SSL_CONFIG: it was stopped."},
			http.StatusBadRequest, "SMS.2009", "The task is ABORT and takes no progress report on SSL_CONFIG: it was stopped."},
		{&db.TemplateNotFoundError{ID: "tpl-1"}, http.StatusNotFound, "SMS.9007", "The template does not exist: tpl-1"},
		{&db.ConflictError{Reason: "The template tpl-1 is used by task t-1 (RUNNING): a template a task uses cannot be deleted."},
			http.StatusBadRequest, "SMS.9008", "The template tpl-1 is used by task t-1 (RUNNING): a template a task uses cannot be deleted."},
		{db.ErrNoSubTaskID, http.StatusBadRequest, "SMS.9001",
			"Invalid parameter: subtask_name names a new sub-task, but sub-task ids are used up to 9223372036854775807, the largest"},
		{db.ErrTooManySubTasks, http.StatusBadRequest, "SMS.9001",
			"Invalid parameter: subtask_name names a new sub-task, but the task has 65535 sub-tasks, the most it may have"},
		{db.ErrTooLarge, http.StatusBadRequest, "SMS.9001",
			"Invalid parameter: limit asks for more than one answer can hold: these tasks come to over 1 GB together; ask for fewer at once"},
		{db.ErrClosed, http.StatusServiceUnavailable, "SMS.9003", "the task database is unavailable: the store is closed"},
		{fmt.Errorf("%w: disk I/O error", db.ErrUnavailable), http.StatusServiceUnavailable, "SMS.9003",
			"the task database is unavailable: disk I/O error"},
	} {
		for _, err := range []error{tt.err, fmt.Errorf("task t-1: %w", tt.err)} {
			got := classify(err)
			msg := tt.wantMsg
			if tt.wantCode == "SMS.9003" && err != tt.err {
				msg = err.Error() // the reason is the message, wrapping included
			}
			if got.Status != tt.wantStatus || got.Code != tt.wantCode || got.Msg != msg {
				t.Errorf("%v: %d %s %q, want %d %s %q", err, got.Status, got.Code, got.Msg, tt.wantStatus, tt.wantCode, msg)
			}
		}
	}
}
