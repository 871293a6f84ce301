package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

// TestRawTransportRefusesMalformedAnswers checks that the lean client notices what Go's server
// never sends: a broken status line or chunk framing, an answer that never comes.
func TestRawTransportRefusesMalformedAnswers(t *testing.T) {
	for _, tt := range []struct {
		name, answer string
		want         error
	}{
		{"status glued to its reason", "HTTP/1.1 2001OK\r\nContent-Length: 0\r\n\r\n", errMalformed},
		{"no status code", "HTTP/1.1 OK\r\n\r\n", errMalformed},
		{"chunk without its CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n", errMalformed},
		{"no framing", "HTTP/1.1 200 OK\r\n\r\n{}", errMalformed},
		{"204 without a length", "HTTP/1.1 204 No Content\r\n\r\n", nil},
		{"204 said to be chunked", "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", nil},
		{"an interim answer", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", errMalformed},
		{"well formed", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", nil},
		{"no answer in time", "HTTP/1.1 200 OK\r\n", os.ErrDeadlineExceeded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := answerWith(t, tt.answer)
			if !errors.Is(err, tt.want) && (tt.want != nil || err != nil) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

// answerWith sends one request through the raw transport to a server that reads it and writes
// answer, and returns the transport's outcome.
func answerWith(t *testing.T, answer string) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		http.ReadRequest(bufio.NewReader(c))
		io.WriteString(c, answer)
		io.Copy(io.Discard, c) // keeps the connection open until the transport closes it
	}()
	tr := newRawTransport(ln.Addr().String()).(*rawTransport)
	tr.timeout = 200 * time.Millisecond
	defer tr.close()
	return tr.do(&request{method: http.MethodGet, target: "/", token: [2]string{"X-Auth-Token", "bench"}})
}
