package main

// The HTTP server around the app: its timeouts, its connections and how it stops.

import (
	"log/slog"
	"net/http"
	"time"

	"smslab/conns"
)

// shutdownTimeout bounds how long requests in flight may take to finish once a stop is asked.
const shutdownTimeout = 10 * time.Second

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
