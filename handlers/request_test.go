package handlers_test

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
)

// An answer's X-Request-Id is 32 hex digits made for it, or the caller's own id when the request
// carries one, errors included.
func TestRequestIDIsFreshOrTheCallers(t *testing.T) {
	app := newTestApp(t)
	for _, target := range []string{"/v3/tasks", "/nowhere"} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("X-Auth-Token", "t")
		id := app.serve(req).Header().Get("X-Request-Id")
		if b, err := hex.DecodeString(id); err != nil || len(b) != 16 {
			t.Errorf("GET %s: X-Request-Id %q, want 32 hex digits", target, id)
		}
		req = httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("X-Auth-Token", "t")
		req.Header.Set("X-Request-Id", "lab-trace-42")
		if got := app.serve(req).Header().Get("X-Request-Id"); got != "lab-trace-42" {
			t.Errorf("GET %s with X-Request-Id lab-trace-42: answered %q", target, got)
		}
	}
}
