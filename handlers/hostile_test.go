package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Hostile or odd input gets a 4xx in the SMS envelope and changes nothing.
func TestHostileRequestsGet4xxAndChangeNothing(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	progress := "/v3/tasks/" + dbOrdersTaskID + "/progress"
	tests := []struct {
		name, method, target, body string
		wantStatus                 int
		wantCode                   string
	}{
		{"NaN as a number", "PUT", progress, report("migrate_speed", "NaN"), 400, "SMS.9001"},
		{"Infinity as a number", "PUT", progress, report("migrate_speed", "Infinity"), 400, "SMS.9001"},
		{"NaN as a string", "PUT", progress, report("migrate_speed", `"NaN"`), 400, "SMS.9001"},
		{"huge exponent", "PUT", progress, report("migrate_speed", "1e999"), 400, "SMS.9001"},
		{"huge integer", "PUT", progress, report("progress", strings.Repeat("9", 400)), 400, "SMS.9001"},
		{"negative size", "PUT", progress, report("totalsize", "-9223372036854775808"), 400, "SMS.9001"},
		{"deeply nested value", "PUT", progress, report("extra", deep(20000)), 400, "SMS.9001"},
		{"nested where an object belongs", "PUT", "/v3/tasks/" + dbOrdersTaskID, `{"source_server":` + deep(50) + `}`, 400, "SMS.9001"},
		{"truncated body", "PUT", progress, report("progress", "5")[:30], 400, "SMS.9001"},
		{"a bare string body", "PUT", progress, `"hello"`, 400, "SMS.9001"},
		{"NUL in a string", "PUT", progress, report("process_trace", `"a\u0000b"`), 400, "SMS.9001"},
		{"raw control byte in a string", "PUT", progress, report("process_trace", "\"a\x01b\""), 400, "SMS.9001"},
		{"invalid UTF-8 in a string", "PUT", progress, report("process_trace", "\"a\xc3\x28b\""), 400, "SMS.9001"},
		{"lone surrogate escape", "PUT", progress, report("process_trace", `"\ud800"`), 400, "SMS.9001"},
		{"duplicate key differing in case", "PUT", progress, `{"progress":1,"Progress":2}`, 400, "SMS.9001"},
		{"13 MiB body", "PUT", progress, `{"process_trace":"` + strings.Repeat("a", 13<<20) + `"}`, 413, "APIGW.0201"},
		{"percent-encoded overlong id", "PUT", "/v3/tasks/" + strings.Repeat("%41", 37) + "/progress", exampleReport, 400, "SMS.9001"},
		{"NUL in the id", "PUT", "/v3/tasks/abc%00def/progress", exampleReport, 400, "SMS.9001"},
		{"newline in the id", "PUT", "/v3/tasks/abc%0Adef", `{}`, 400, "SMS.9001"},
		{"invalid UTF-8 in the id", "PUT", "/v3/tasks/abc%FFdef/progress", exampleReport, 400, "SMS.9001"},
		{"traversal in the id", "PUT", "/v3/tasks/..%2F..%2Fetc%2Fpasswd/progress", exampleReport, 400, "SMS.9001"},
		{"dot-dot id", "PUT", "/v3/tasks/../progress", exampleReport, 400, "SMS.9001"},
		{"encoded dot-dot id", "PUT", "/v3/tasks/%2E%2E/progress", exampleReport, 400, "SMS.9001"},
		{"traversal around the route", "PUT", "/v3/tasks/x/../../tasks/y/progress", exampleReport, 400, "SMS.9001"},
		{"id with an encoded slash", "PUT", "/v3/tasks/a%2Fb", `{}`, 400, "SMS.9001"},
		{"body on GET", "GET", "/v3/tasks", `{"limit":5}`, 400, "SMS.9001"},
		{"query with a NUL", "GET", "/v3/tasks?name=%00", "", 400, "SMS.9001"},
		{"query with a bare percent", "GET", "/v3/tasks?name=100%", "", 400, "SMS.9001"},
		{"query with a semicolon", "GET", "/v3/tasks?limit=1;offset=2", "", 400, "SMS.9001"},
		{"query with an overlong offset", "GET", "/v3/tasks?offset=" + strings.Repeat("1", 100), "", 400, "SMS.9001"},
	}
	app := newTestApp(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := app.storedTask(t, dbOrdersTaskID)
			req := httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body))
			// Set the target as sent, dot segments and escapes included (curl --path-as-is).
			u, err := url.ParseRequestURI(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			req.URL, req.RequestURI = u, tt.target
			req.Header.Set("X-Auth-Token", "t")
			req.Header.Set("Content-Type", "application/json")
			wantError(t, app.serve(req), tt.wantStatus, tt.wantCode, "")
			if after := app.storedTask(t, dbOrdersTaskID); !reflect.DeepEqual(after, before) {
				t.Error("the request changed the task")
			}
		})
	}
}

// A percent-encoded task id names the same task as the plain one.
func TestPercentEncodedTaskID(t *testing.T) {
	app := newTestApp(t)
	encoded := "%33" + dbOrdersTaskID[1:] // %33 is "3"
	if rec := app.put("/v3/tasks/"+encoded, `{"priority":0}`); rec.Code != http.StatusOK || rec.Body.String() != `{"id":"`+dbOrdersTaskID+`"}` {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if p := app.task(t, dbOrdersTaskID).Priority; p == nil || *p != 0 {
		t.Errorf("priority %v, want 0", show(p))
	}
}

func TestHealthEndpointsNeedNoCredentials(t *testing.T) {
	app := newTestApp(t)
	for path, want := range map[string]string{"/healthz": `{"status":"ok"}`, "/readyz": `{"status":"ready"}`} {
		rec := app.serve(httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || rec.Body.String() != want {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	app.store.Close()
	wantError(t, app.serve(httptest.NewRequest(http.MethodGet, "/readyz", nil)), http.StatusServiceUnavailable, "SMS.9003", "")
	if rec := app.serve(httptest.NewRequest(http.MethodGet, "/healthz", nil)); rec.Code != http.StatusOK {
		t.Errorf("/healthz with the database closed: %d", rec.Code)
	}
}
