package handlers_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// Every route has an operation name of its own, not the handler function's name Echo gives by
// default: the metrics count requests by it. Every GET route answers HEAD under the same name.
func TestEveryRouteHasAnOperation(t *testing.T) {
	app := newTestApp(t)
	name := regexp.MustCompile(`^[A-Z][A-Za-z0-9]+$`)
	heads := map[string]string{}
	for _, r := range app.e.Routes() {
		if r.Method == http.MethodHead {
			heads[r.Path] = r.Name
		}
	}
	for _, r := range app.e.Routes() {
		if !name.MatchString(r.Name) {
			t.Errorf("%s %s: operation %q, want a name such as ListTasks (register routes through router)", r.Method, r.Path, r.Name)
		}
		if r.Method == http.MethodGet && heads[r.Path] != r.Name {
			t.Errorf("GET %s (%s): HEAD is %q", r.Path, r.Name, heads[r.Path])
		}
	}
}

// HEAD answers as GET does, headers and status, and sends no body: read off the wire, since Go's
// client drops a HEAD answer's body itself.
func TestHEADWhereGETIsServed(t *testing.T) {
	app := newTestApp(t)
	srv := httptest.NewServer(app.e)
	defer srv.Close()
	for _, tt := range []struct {
		path, token string
		status      int
	}{
		{"/", "", http.StatusOK},
		{"/healthz", "", http.StatusOK},
		{"/readyz", "", http.StatusOK},
		{"/assets/app.js", "", http.StatusOK},
		{"/status/summary", "", http.StatusOK},
		{"/status/tasks?limit=2", "", http.StatusOK},
		{"/status/task?id=" + dbOrdersTaskID, "", http.StatusOK},
		{"/metrics", "", http.StatusOK},
		{"/v3/tasks?limit=3", "t", http.StatusOK},
		{"/v3/tasks", "", http.StatusUnauthorized},
		{"/v3/nothing", "t", http.StatusNotFound},
	} {
		t.Run(tt.path, func(t *testing.T) {
			get := rawRequest(t, srv.URL, "GET", tt.path, tt.token)
			head := rawRequest(t, srv.URL, "HEAD", tt.path, tt.token)
			if head.status != tt.status || get.status != tt.status {
				t.Fatalf("HEAD %d, GET %d, want %d", head.status, get.status, tt.status)
			}
			if head.body != "" {
				t.Errorf("HEAD sent a body: %.100q", head.body)
			}
			if get.body == "" {
				t.Errorf("GET sent no body")
			}
			if head.header.Get("Content-Type") != get.header.Get("Content-Type") {
				t.Errorf("Content-Type: HEAD %q, GET %q", head.header.Get("Content-Type"), get.header.Get("Content-Type"))
			}
			// A body of known length is announced by both; /metrics varies from one scrape to
			// the next.
			if cl := get.header.Get("Content-Length"); cl != "" && tt.path != "/metrics" && head.header.Get("Content-Length") != cl {
				t.Errorf("Content-Length: HEAD %q, GET %q", head.header.Get("Content-Length"), cl)
			}
		})
	}
}

type rawAnswer struct {
	status int
	header http.Header
	body   string
}

// rawRequest sends one request on a connection of its own and reads everything the server sends
// until it closes it.
func rawRequest(t *testing.T, serverURL, method, path, token string) rawAnswer {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(serverURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := method + " " + path + " HTTP/1.1\r\nHost: smslab\r\nConnection: close\r\n"
	if token != "" {
		req += "X-Auth-Token: " + token + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, &http.Request{Method: "GET"}) // GET: read a body if one is sent
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r) // everything after the headers, chunked or not
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}
