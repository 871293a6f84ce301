package main

// The HTTP server around the app: its timeouts, its connections and how it stops.

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"smslab/conns"
)

// shutdownTimeout bounds how long requests in flight may take to finish once a stop is asked.
const shutdownTimeout = 10 * time.Second

// idleGrace is how long, once a stop is asked, an idle keep-alive connection stays open for a
// request its client may already have sent: closing it under that request would reset it.
const idleGrace = time.Second

// newHTTPServer wraps the app in a server whose timeouts keep slow or stalled clients from
// holding connections: a client has 5 s to send its headers and 30 s for the whole request. An
// idle connection is closed after 30 s, well above the few seconds between an agent's reports.
func newHTTPServer(app http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           app,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// maxConnections is how many connections the server keeps, from the process's descriptor limit.
func maxConnections() int {
	if nofile, ok := conns.DescriptorLimit(); ok {
		return conns.Max(nofile)
	}
	return conns.MaxConnections
}

// shutdown stops srv without resetting any request a client has sent: it stops accepting, has
// every answer from then on say Connection: close (and close its connection after it), gives
// idle connections idleGrace for a request on its way, then closes those left idle and waits for
// the requests in flight, all within ctx.
func shutdown(ctx context.Context, srv *http.Server, ln *conns.Listener, stopping *atomic.Bool) error {
	stopping.Store(true)
	ln.Close()
	grace, cancel := context.WithTimeout(ctx, idleGrace)
	ln.WaitEmpty(grace)
	cancel()
	return srv.Shutdown(ctx)
}

// closeWhenStopping has every answer written once stopping is set say Connection: close, which
// has the server close the connection after it rather than keep it for a next request.
func closeWhenStopping(app http.Handler, stopping *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.ServeHTTP(&closingWriter{ResponseWriter: w, stopping: stopping}, r)
	})
}

// closingWriter adds Connection: close to an answer when the server is stopping as the answer's
// header is written, so that a request that began before the stop is covered too.
type closingWriter struct {
	http.ResponseWriter
	stopping    *atomic.Bool
	wroteHeader bool
}

func (w *closingWriter) WriteHeader(status int) {
	if !w.wroteHeader && w.stopping.Load() {
		w.Header().Set("Connection", "close")
	}
	w.wroteHeader = w.wroteHeader || status >= http.StatusOK // 1xx answers come before the answer
	w.ResponseWriter.WriteHeader(status)
}

func (w *closingWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer (to flush, for one).
func (w *closingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
