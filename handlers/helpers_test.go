package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

// testNow is the pinned clock of test stores: 2026-11-23T10:00:00Z.
var testNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// testApp is the Echo app over a real SQLite file holding the demo tasks.
type testApp struct {
	e     *echo.Echo
	store *db.Store
}

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	return newTestAppWith(t, handlers.Config{})
}

// newTestAppWith is newTestApp with cfg's settings; its store and logger are the test's.
func newTestAppWith(t testing.TB, cfg handlers.Config) *testApp {
	t.Helper()
	store := mustOpenStore(t)
	demo, err := seed.DemoAt(sms.NewDecoder(), demoSeededAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ImportSeed(context.Background(), &demo.SeedFile); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Store, cfg.Logger = store, logger
	e := handlers.New(cfg)
	return &testApp{e: e, store: store}
}

func mustOpenStore(t testing.TB) *db.Store {
	t.Helper()
	store, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "smslab.db"))
	if err != nil {
		t.Fatal(err)
	}
	store.Now = func() time.Time { return testNow }
	t.Cleanup(func() { store.Close() })
	return store
}

// serve sends req through the whole app, error handler included.
func (a *testApp) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

// get sends an authenticated GET.
func (a *testApp) get(target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("X-Auth-Token", "test-token")
	return a.serve(req)
}

// put sends an authenticated PUT with a JSON body.
func (a *testApp) put(target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPut, target, strings.NewReader(body))
	req.Header.Set("X-Auth-Token", "test-token")
	req.Header.Set("Content-Type", "application/json")
	return a.serve(req)
}

// list sends GET /v3/tasks?query and decodes the answer, failing unless it is 200.
func (a *testApp) list(t *testing.T, query string) sms.ListTasksResponse {
	t.Helper()
	rec := a.get("/v3/tasks?" + query)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v3/tasks?%s: status %d, body %s", query, rec.Code, rec.Body)
	}
	var resp sms.ListTasksResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("decode ListTasks: %v\n%s", err, rec.Body)
	}
	return resp
}

// task returns the task with the given id as ListTasks shows it.
func (a *testApp) task(t *testing.T, id string) sms.Task {
	t.Helper()
	resp := a.list(t, "id="+id)
	if len(resp.Tasks) != 1 {
		t.Fatalf("task %s: listed %d tasks", id, len(resp.Tasks))
	}
	return resp.Tasks[0]
}

// storedTask returns the task's row as stored.
func (a *testApp) storedTask(t *testing.T, id string) db.Task {
	t.Helper()
	row, err := a.store.GetTask(context.Background(), id)
	if err != nil {
		t.Fatalf("GetTask(%s): %v", id, err)
	}
	return row
}

// envelope is the SMS error body.
type envelope struct {
	Code string `json:"error_code"`
	Msg  string `json:"error_msg"`
}

// wantError checks that rec is the SMS error envelope with the status and code, that the
// message holds wantMsg, and that it carries a request id; it returns the message.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code, wantMsg string) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if rec.Header().Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id header")
	}
	var env envelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env, json.RejectUnknownMembers(true)); err != nil {
		t.Fatalf("body is not the SMS envelope: %v: %s", err, rec.Body)
	}
	if env.Code != code {
		t.Errorf("error_code %q, want %q (msg %q)", env.Code, code, env.Msg)
	}
	if !strings.Contains(env.Msg, wantMsg) {
		t.Errorf("error_msg %q, want it to contain %q", env.Msg, wantMsg)
	}
	return env.Msg
}

func ptr[T any](v T) *T { return &v }

// wantLimit sends a PUT with body to target and checks the answer: 200 when wantMsg is empty,
// else a 400 SMS.9001 saying wantMsg that left the task as it was.
func wantLimit(t *testing.T, app *testApp, target, id, body, wantMsg string) {
	t.Helper()
	before := app.storedTask(t, id)
	rec := app.put(target, body)
	if wantMsg == "" {
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return
	}
	wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+wantMsg)
	if after := app.storedTask(t, id); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused request changed the task")
	}
}

// demoSeededAt is the moment the tests of this package seed the demo as of: their stores'
// pinned clock, so that the demo's dates agree with it and read the same in a test's
// expectations as in its store.
var demoSeededAt = testNow
