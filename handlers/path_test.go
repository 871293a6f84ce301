package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"smslab/auth/signer"
	"smslab/db"
	"smslab/sms"
)

// A signature covers the decoded path (SDK-HMAC-SHA256 signs each segment decoded and
// re-encoded), so PUT /v3/tasks/slash-id%2Fprogress and PUT /v3/tasks/slash-id/progress carry
// the same signature. Routing on the raw path made the one request UpdateTask on task
// slash-id/progress and the other a progress report on task slash-id: a request signed for either
// was accepted as the other. The tasks are stored as an older smslab could store them, before ids
// lost the '/'.
func TestSignatureIsNotReplayedOnAnotherRoute(t *testing.T) {
	e, store, _ := newAuthTestApp(t, strictConfig())
	ctx := context.Background()
	for _, id := range []string{"slash-id", "slash-id/progress"} {
		if err := store.Import(ctx, []sms.Task{{ID: &id, Name: ptr("replay " + id), State: ptr("RUNNING")}}); err != nil {
			t.Fatal(err)
		}
	}
	// A body both operations took before members were checked: a full progress report, and a name
	// for UpdateTask.
	body := `{"subtask_name":"SSL_CONFIG","progress":40,"replicatesize":1,"totalsize":2,"process_trace":"replayed","name":"replayed"}`
	progressRoute := "/v3/tasks/slash-id/progress"
	updateRoute := "/v3/tasks/slash-id%2Fprogress"

	// signedFor signs a PUT of body to target with the lab key, as an official SDK client would.
	signedFor := func(target string) *http.Request {
		return signed(request{method: http.MethodPut, target: target, body: body}, signer.Signer{})
	}
	// sentTo sends the signed request r unchanged but for its path.
	sentTo := func(r *http.Request, target string) *http.Request {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatal(err)
		}
		r.URL.Path, r.URL.RawPath, r.RequestURI = u.Path, u.RawPath, target
		return r
	}
	before := map[string]db.Task{}
	for _, id := range []string{"slash-id", "slash-id/progress"} {
		before[id] = storedRow(t, store, id)
	}

	// The %2F form reaches no route, and the plain form reaches only the progress report, which
	// refuses UpdateTask's members: whichever way a signature is made, it is taken on one route
	// at most.
	tests := []struct {
		name, signedFor, sentTo, wantMsg string
	}{
		{"UpdateTask on slash-id/progress replayed as a report on slash-id", updateRoute, progressRoute,
			"Invalid parameter: name is not a field of the UpdateTaskSpeed request body"},
		{"a report on slash-id replayed as UpdateTask on slash-id/progress", progressRoute, updateRoute,
			"Invalid parameter: the path must not hold an encoded '/' (%2F): no id holds '/'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, env := serve(e, sentTo(signedFor(tt.signedFor), tt.sentTo))
			if rec.Code != http.StatusBadRequest || env.Code != "SMS.9001" || env.Msg != tt.wantMsg {
				t.Errorf("replayed: %d %s %q, want 400 SMS.9001 %q", rec.Code, env.Code, env.Msg, tt.wantMsg)
			}
		})
	}
	for id, row := range before {
		if after := storedRow(t, store, id); !reflect.DeepEqual(after, row) {
			t.Errorf("task %s changed", id)
		}
	}

}

// storedRow returns the task's row as stored.
func storedRow(t *testing.T, store *db.Store, id string) db.Task {
	t.Helper()
	row, err := store.GetTask(context.Background(), id)
	if err != nil {
		t.Fatalf("GetTask(%s): %v", id, err)
	}
	return row
}

// A path is read one way by routing and by signatures: what they could read as different
// segments, or a proxy or client would rewrite, is refused before routing and before
// credentials, in the SMS envelope; escapes of anything else route as their decoded form, which
// is what a signature covers.
func TestPathRules(t *testing.T) {
	const (
		slash = "the path must not hold an encoded '/' (%2F): no id holds '/'"
		dot   = "the path must not hold a '.' or '..' segment, encoded or not"
		empty = "the path must not end with '/' or hold '//'"
	)
	tests := []struct {
		method, target string
		wantStatus     int
		wantCode       string
		wantMsg        string
	}{
		{"PUT", "/v3/tasks/a%2Fb", 400, "SMS.9001", slash},
		{"PUT", "/v3/tasks/a%2fb/progress", 400, "SMS.9001", slash},
		{"GET", "/v3%2Ftasks", 400, "SMS.9001", slash},
		{"PUT", "/v3/tasks/./progress", 400, "SMS.9001", dot},
		{"PUT", "/v3/tasks/../progress", 400, "SMS.9001", dot},
		{"PUT", "/v3/tasks/%2E/progress", 400, "SMS.9001", dot},
		{"PUT", "/v3/tasks/%2e%2E", 400, "SMS.9001", dot},
		{"GET", "/v3/tasks/../tasks", 400, "SMS.9001", dot},
		{"GET", "/v3//tasks", 400, "SMS.9001", empty},
		{"GET", "/v3/tasks/", 400, "SMS.9001", empty},
		{"PUT", "/v3/tasks/" + dbOrdersTaskID + "/", 400, "SMS.9001", empty},
		{"PUT", "/v3/tasks//progress", 400, "SMS.9001", empty},
		{"GET", "/healthz/", 400, "SMS.9001", empty},
		{"GET", "//healthz", 400, "SMS.9001", empty},

		{"GET", "/v3/%74asks?limit=1", 200, "", ""},
		{"PUT", "/v3/tasks/%33" + dbOrdersTaskID[1:], 200, "", ""},
		{"PUT", "/v3/tasks/a%3Fb", 404, "SMS.9002", "The task does not exist: a?b"},
		{"PUT", "/v3/tasks/...", 404, "SMS.9002", "The task does not exist: ..."},
		{"GET", "/", 200, "", ""},
	}
	app := newTestApp(t)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			before := app.storedTask(t, dbOrdersTaskID)
			body := `{"priority":1}`
			if tt.method == "GET" {
				body = ""
			}
			req := httptest.NewRequest(tt.method, "/", strings.NewReader(body))
			u, err := url.ParseRequestURI(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			req.URL, req.RequestURI = u, tt.target // as sent (curl --path-as-is)
			req.Header.Set("Content-Type", "application/json")
			if tt.wantStatus != 400 {
				req.Header.Set("X-Auth-Token", "t") // refusals come before credentials are asked for
			}
			rec := app.serve(req)
			if tt.wantCode == "" {
				if rec.Code != tt.wantStatus {
					t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
				}
				return
			}
			msg := wantError(t, rec, tt.wantStatus, tt.wantCode, tt.wantMsg)
			if tt.wantStatus == 400 && msg != "Invalid parameter: "+tt.wantMsg {
				t.Errorf("error_msg %q", msg)
			}
			if after := app.storedTask(t, dbOrdersTaskID); tt.wantStatus != 200 && !reflect.DeepEqual(after, before) {
				t.Error("a refused request changed the task")
			}
		})
	}
}
