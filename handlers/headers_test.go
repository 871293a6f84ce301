package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smslab/handlers"
)

// Every answer tells browsers not to guess its type, errors and unknown routes included.
func TestEveryAnswerSaysNoSniff(t *testing.T) {
	app := newTestAppWith(t, handlers.Config{Hosts: []string{"localhost"}})
	progress := "/v3/tasks/" + dbOrdersTaskID + "/progress"
	tests := []struct {
		method, target, token, body string
		wantStatus                  int
	}{
		{"GET", "/v3/tasks?limit=1", "t", "", 200},
		{"PUT", progress, "t", exampleReport, 200},
		{"PUT", progress, "t", `{"progress":1}`, 400},
		{"PUT", progress, "", exampleReport, 401},
		{"PUT", "/v3/tasks/nope", "t", `{}`, 404},
		{"GET", "/v3/servers", "", "", 404},
		{"OPTIONS", "/v3/tasks", "", "", 404},
		{"DELETE", "/v3/tasks", "t", "", 404},
		{"PUT", progress, "t", strings.Repeat(" ", 12<<20+1), 413},
		{"PUT", "/v3/tasks/a%2Fb", "t", `{}`, 400},
		{"GET", "/healthz", "", "", 200},
		{"GET", "/readyz", "", "", 200},
		{"GET", "/", "", "", 200},
		{"GET", "/assets/nope.js", "", "", 404},
		{"GET", "/status/summary", "", "", 200},
		{"GET", "/status/tasks?limit=0", "", "", 400},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.method, " ", tt.target, " ", tt.wantStatus), func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			req.Host = "localhost:8080"
			if tt.token != "" {
				req.Header.Set("X-Auth-Token", tt.token)
			}
			req.Header.Set("Content-Type", "application/json")
			rec := app.serve(req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d: %.200s", rec.Code, tt.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
		})
	}
	// And a request refused for its Host.
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Host = "rebind.example"
	if rec := app.serve(req); rec.Code != 400 || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("foreign Host: %d, X-Content-Type-Options %q", rec.Code, rec.Header().Get("X-Content-Type-Options"))
	}
}

// With Hosts set (open mode on loopback), only a loopback address or one of Hosts may be named,
// with or without a port, on every route: a web page on another name reaching it by DNS
// rebinding is refused.
func TestOnlyLoopbackHostsAreAnswered(t *testing.T) {
	app := newTestAppWith(t, handlers.Config{Hosts: []string{"localhost", "lab.internal"}})
	for _, tt := range []struct {
		host string
		ok   bool
	}{
		{"localhost", true},
		{"localhost:8080", true},
		{"LocalHost:1", true},
		{"127.0.0.1", true},
		{"127.0.0.1:8080", true},
		{"127.1.2.3:8080", true},
		{"[::1]", true},
		{"[::1]:8080", true},
		{"lab.internal:8080", true},
		{"rebind.example", false},
		{"rebind.example:8080", false},
		{"localhost.rebind.example", false},
		{"localhost.", false},
		{"10.0.0.5:8080", false},
		{"[::2]:8080", false},
		{"", false},
	} {
		for _, target := range []string{"/v3/tasks?limit=1", "/status/summary", "/healthz", "/"} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Host = tt.host
			req.Header.Set("X-Auth-Token", "t")
			rec := app.serve(req)
			if tt.ok {
				if rec.Code != http.StatusOK {
					t.Errorf("Host %q, %s: %d %.200s", tt.host, target, rec.Code, rec.Body)
				}
				continue
			}
			msg := wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: Host ")
			if !strings.Contains(msg, "answers only localhost, lab.internal or a loopback address (DNS rebinding)") {
				t.Errorf("Host %q, %s: %q", tt.host, target, msg)
			}
		}
	}

	// Without Hosts (strict mode, or listening beyond loopback) any name is answered.
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Host = "rebind.example"
	if rec := newTestApp(t).serve(req); rec.Code != http.StatusOK {
		t.Errorf("no Hosts, Host rebind.example: %d", rec.Code)
	}
}
