package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRawTransport checks the lean client against Go's server: bodies sent whole, answers read
// whole in both framings, the connection reused, and a non-2xx reported with its body.
func TestRawTransport(t *testing.T) {
	big := strings.Repeat("x", 100_000) // larger than the server's buffer: sent chunked
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/echo":
			if r.Header.Get("X-Auth-Token") != "bench" || r.Header.Get("Content-Type") != "application/json" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Write(body)
		case "/big":
			w.Write([]byte(big))
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("{}"))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error_code":"APIGW.0101"}`))
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	tr := newRawTransport(addr)
	defer tr.close()
	token := [2]string{"X-Auth-Token", "bench"}
	steps := []struct {
		req        request
		wantStatus int // 0: success
	}{
		{request{method: http.MethodPut, target: "/echo", body: []byte(`{"a":1}`), token: token}, 0},
		{request{method: http.MethodGet, target: "/big?x=1", token: token}, 0},
		{request{method: http.MethodGet, target: "/missing", token: token}, http.StatusNotFound},
		{request{method: http.MethodPut, target: "/echo", body: []byte(`{}`), token: [2]string{"X-Other", "x"}}, http.StatusUnauthorized},
		{request{method: http.MethodGet, target: "/big", token: token}, 0},
		{request{method: http.MethodGet, target: "/close", token: token}, 0},
		{request{method: http.MethodGet, target: "/big", token: token}, 0},
	}
	for i, s := range steps {
		err := tr.do(&s.req)
		var status *statusError
		switch {
		case s.wantStatus == 0 && err != nil:
			t.Fatalf("step %d: %v", i, err)
		case s.wantStatus != 0 && (!errors.As(err, &status) || status.code != s.wantStatus):
			t.Fatalf("step %d: got %v, want status %d", i, err, s.wantStatus)
		case s.wantStatus == http.StatusNotFound && !bytes.Contains(status.body, []byte("APIGW.0101")):
			t.Fatalf("step %d: error body %q", i, status.body)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (one until the server closed it, then one more)", n)
	}
}
