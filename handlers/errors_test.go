package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestRequestsWithoutTokenAreRefused(t *testing.T) {
	app := newTestApp(t)
	for _, tt := range []struct{ method, target, body string }{
		{"GET", "/v3/tasks", ""},
		{"PUT", "/v3/tasks/" + dbOrdersTaskID, `{"name":"x"}`},
		{"PUT", "/v3/tasks/" + dbOrdersTaskID + "/progress", exampleReport},
	} {
		for _, token := range []string{"", "none"} {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if token != "none" {
				req.Header.Set("X-Auth-Token", token)
			}
			wantError(t, app.serve(req), http.StatusUnauthorized, "APIGW.0301", "x-auth-token not found")
		}
	}
	if *app.task(t, dbOrdersTaskID).Name == "x" {
		t.Error("an unauthenticated update landed")
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	app := newTestApp(t)
	for _, tt := range []struct{ method, target string }{
		{"GET", "/v3/task"},
		{"GET", "/v1/tasks"},
		{"PATCH", "/v3/tasks/" + dbOrdersTaskID},
		{"PUT", "/v3/tasks"},
		{"PUT", "/v3/tasks/" + dbOrdersTaskID + "/action"},
		{"GET", "/v3/tasks/" + dbOrdersTaskID + "/progress"},
		{"PUT", "/v3/tasks/" + dbOrdersTaskID + "/progress/more"},
		{"OPTIONS", "/v3/tasks"},
		{"OPTIONS", "/v3/tasks/" + dbOrdersTaskID},
		{"OPTIONS", "/v3/tasks/" + dbOrdersTaskID + "/progress"},
		{"OPTIONS", "/"},
		{"HEAD", "/v3/tasks/" + dbOrdersTaskID + "/action"},
	} {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			req.Header.Set("X-Auth-Token", "t")
			rec := app.serve(req)
			wantError(t, rec, http.StatusNotFound, "APIGW.0101", "The API does not exist")
			if allow := rec.Header().Get("Allow"); allow != "" {
				t.Errorf("Allow: %s on a 404", allow)
			}
		})
	}
}

func TestBodyLimitsAndContentType(t *testing.T) {
	app := newTestApp(t)
	before := app.storedTask(t, dbOrdersTaskID)
	huge := `{"name":"x","pad":"` + strings.Repeat("p", 12<<20) + `"}`
	wantError(t, app.put("/v3/tasks/"+dbOrdersTaskID, huge), http.StatusRequestEntityTooLarge, "APIGW.0201", "Request entity too large")

	// A body over the limit is refused even when Content-Length does not announce it.
	req := httptest.NewRequest(http.MethodPut, "/v3/tasks/"+dbOrdersTaskID, strings.NewReader(huge))
	req.ContentLength = -1
	req.Header.Set("X-Auth-Token", "t")
	req.Header.Set("Content-Type", "application/json")
	wantError(t, app.serve(req), http.StatusRequestEntityTooLarge, "APIGW.0201", "")

	// Bodies up to the API gateway's 12 MB are taken: 20,000 sub-tasks with 200-character traces
	// (about 5.6 MB) is a valid UpdateTask.
	var large strings.Builder
	large.WriteString(`{"sub_tasks":[`)
	for i := range 20000 {
		if i > 0 {
			large.WriteByte(',')
		}
		fmt.Fprintf(&large, `{"id":%d,"name":"MIGRATE_LINUX_FILE","progress":50,"process_trace":%q}`, i+1, strings.Repeat("t", 200))
	}
	large.WriteString(`]}`)
	if large.Len() <= 4<<20 {
		t.Fatalf("the large body is only %d bytes", large.Len())
	}
	if rec := app.put("/v3/tasks/"+progressTaskID, large.String()); rec.Code != http.StatusOK {
		t.Errorf("a %d-byte UpdateTask: status %d: %.300s", large.Len(), rec.Code, rec.Body)
	}

	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonp"} {
		req := httptest.NewRequest(http.MethodPut, "/v3/tasks/"+dbOrdersTaskID+"/progress", strings.NewReader(exampleReport))
		req.Header.Set("X-Auth-Token", "t")
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		wantError(t, app.serve(req), http.StatusUnsupportedMediaType, "SMS.2006", "The request type must be application/json")
	}
	for _, ct := range []string{"application/json", "application/json;charset=UTF-8", "Application/JSON; charset=utf-8", "application/json; charset=Utf-8"} {
		req := httptest.NewRequest(http.MethodPut, "/v3/tasks/"+dbOrdersTaskID, strings.NewReader(`{"priority":1}`))
		req.Header.Set("X-Auth-Token", "t")
		req.Header.Set("Content-Type", ct)
		if rec := app.serve(req); rec.Code != http.StatusOK {
			t.Errorf("Content-Type %q: status %d", ct, rec.Code)
		}
	}
	after := app.storedTask(t, dbOrdersTaskID)
	after.Priority, after.ListedStatic = before.Priority, before.ListedStatic // the accepted bodies set priority
	if !reflect.DeepEqual(after, before) {
		t.Error("a refused body changed the task")
	}

	req = httptest.NewRequest(http.MethodGet, "/v3/tasks", strings.NewReader(`{"limit":1}`))
	req.Header.Set("X-Auth-Token", "t")
	wantError(t, app.serve(req), http.StatusBadRequest, "SMS.9001", "a GET request takes no body")

	// The official SDK sends Content-Type: application/json on GET, with no body.
	req = httptest.NewRequest(http.MethodGet, "/v3/tasks?limit=1", nil)
	req.Header.Set("X-Auth-Token", "t")
	req.Header.Set("Content-Type", "application/json")
	if rec := app.serve(req); rec.Code != http.StatusOK {
		t.Errorf("GET with a Content-Type and no body: status %d", rec.Code)
	}

	// Whatever the method, a body must say it is JSON, and a request without one need not say
	// anything: an operation that needs a body is refused by its decoder, which says so.
	for _, tt := range []struct {
		method, target, body, contentType string
		wantStatus                        int
		wantCode, wantMsg                 string
	}{
		{"PUT", "/v3/tasks/" + dbOrdersTaskID + "/progress", "", "", 400, "SMS.9001", "request body is empty: it must be a JSON object"},
		{"POST", "/v3/sources/delete", "", "", 400, "SMS.9001", "request body is empty: it must be a JSON object"},
		{"POST", "/v3/sources/delete", `{"ids":["x"]}`, "text/plain", 415, "SMS.2006", "The request type must be application/json"},
		{"DELETE", "/v3/vm/templates/x", `{}`, "text/plain", 415, "SMS.2006", "The request type must be application/json"},
		{"DELETE", "/v3/migprojects/x", `["x"]`, "", 415, "SMS.2006", "The request type must be application/json"},
	} {
		req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
		req.Header.Set("X-Auth-Token", "t")
		if tt.contentType != "" {
			req.Header.Set("Content-Type", tt.contentType)
		}
		wantError(t, app.serve(req), tt.wantStatus, tt.wantCode, tt.wantMsg)
	}
}

func TestEveryAnswerCarriesARequestID(t *testing.T) {
	app := newTestApp(t)
	seen := map[string]bool{}
	for _, rec := range []*httptest.ResponseRecorder{
		app.get("/v3/tasks"),
		app.put("/v3/tasks/"+dbOrdersTaskID, `{}`),
		app.put("/v3/tasks/"+dbOrdersTaskID+"/progress", exampleReport),
		app.get("/nowhere"),
		app.put("/v3/tasks/"+dbOrdersTaskID, `{`),
	} {
		id := rec.Header().Get("X-Request-Id")
		if len(id) != 32 || seen[id] {
			t.Errorf("X-Request-Id %q (status %d): want 32 hex characters, fresh each time", id, rec.Code)
		}
		seen[id] = true
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("status %d: Content-Type %q", rec.Code, ct)
		}
	}
}

// Once the store is closed (the server shutting down), every request that needs the database is
// refused with 503 SMS.9003 in the SMS envelope, reads as well as writes, and not a 500.
func TestClosedStoreAnswers503(t *testing.T) {
	app := newTestApp(t)
	app.store.Close()
	for _, tt := range []struct{ method, target, body string }{
		{"GET", "/v3/tasks", ""},
		{"GET", "/v3/tasks?state=READY", ""},
		{"GET", "/v3/tasks?name=x", ""},
		{"PUT", "/v3/tasks/" + dbOrdersTaskID, `{"name":"x"}`},
		{"PUT", "/v3/tasks/" + dbOrdersTaskID + "/progress", exampleReport},
		{"GET", "/status/tasks", ""},
		{"GET", "/status/tasks?name=db", ""},
		{"GET", "/status/tasks/" + dbOrdersTaskID, ""},
		{"GET", "/status/task?id=" + dbOrdersTaskID, ""},
		{"GET", "/v3/vm/templates", ""},
		{"GET", "/v3/vm/templates/tpl-1", ""},
		{"POST", "/v3/vm/templates", `{"template":{"name":"x"}}`},
		{"PUT", "/v3/vm/templates/tpl-1", `{"template":{"name":"x"}}`},
		{"DELETE", "/v3/vm/templates/tpl-1", ""},
		{"POST", "/v3/vm/templates/delete", `{"ids":["tpl-1"]}`},
	} {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Auth-Token", "token")
			wantError(t, app.serve(req), http.StatusServiceUnavailable, "SMS.9003", "the task database is unavailable: the store is closed")
		})
	}
}
