// Package conns keeps the HTTP server's connections within what the process's descriptors
// allow, so that a flood of idle connections cannot lock new clients out.
//
// A Listener counts the connections it has accepted until the server reports them closed (its
// ConnState method is the server's hook). At its maximum, a new connection takes the place of
// the one that has been quiet longest, idle between requests or never having sent one; when
// every connection is busy with a request, the new one waits in Accept for one to end.
package conns

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// MaxConnections is the most connections a Listener keeps, whatever the descriptors allow:
// 4,000 idle connections cost the server 60-76 MB.
const MaxConnections = 4096

// Max is how many connections to keep with nofile descriptors: room is left for the database's
// files, the logs and the runtime's own (a quarter of them, and at least 64 and four a core), and
// the result is at most MaxConnections and at least 16.
func Max(nofile uint64) int {
	reserve := max(nofile/4, uint64(64+4*runtime.NumCPU()))
	if nofile < reserve+16 {
		return 16
	}
	return int(min(nofile-reserve, MaxConnections))
}

// Listener is a net.Listener that keeps at most a given number of connections open.
type Listener struct {
	net.Listener
	max    int
	logger *slog.Logger

	mu      sync.Mutex
	conns   map[net.Conn]*connState
	changed chan struct{} // closed, and replaced, when a connection ends
	evicted int           // connections closed to make room since the last log line
	logged  time.Time

	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error
}

// connState is what the server last reported of a connection, and since when.
type connState struct {
	state http.ConnState
	since time.Time
}

// NewListener wraps ln to keep at most max connections; logger hears when connections are closed
// to make room, at most once a minute.
func NewListener(ln net.Listener, max int, logger *slog.Logger) *Listener {
	return &Listener{Listener: ln, max: max, logger: logger, conns: map[net.Conn]*connState{},
		changed: make(chan struct{}), closed: make(chan struct{})}
}

// Max is how many connections l keeps.
func (l *Listener) Max() int { return l.max }

// Accept waits for a connection and makes room for it: at the maximum it closes the quietest
// connection, or, if all are busy, waits for one to end.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		if len(l.conns) < l.max {
			l.conns[c] = &connState{http.StateNew, time.Now()}
			l.mu.Unlock()
			return c, nil
		}
		quiet := l.quietest()
		if quiet != nil {
			delete(l.conns, quiet)
			l.noteEviction()
		}
		changed := l.changed
		l.mu.Unlock()
		if quiet != nil {
			quiet.Close()
			continue
		}
		select {
		case <-changed:
		case <-l.closed:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

// quietest returns the connection that has been idle, or new without a request, longest; nil if
// every connection is serving a request. l.mu is held.
func (l *Listener) quietest() net.Conn {
	var quiet net.Conn
	var since time.Time
	for c, s := range l.conns {
		if (s.state == http.StateIdle || s.state == http.StateNew) && (quiet == nil || s.since.Before(since)) {
			quiet, since = c, s.since
		}
	}
	return quiet
}

// noteEviction counts a connection closed to make room, and logs the count at most once a minute.
// l.mu is held.
func (l *Listener) noteEviction() {
	l.evicted++
	if now := time.Now(); now.Sub(l.logged) >= time.Minute {
		l.logger.Warn("connections at their maximum: the quietest are closed to admit new ones",
			"max", l.max, "closed", l.evicted)
		l.evicted, l.logged = 0, now
	}
}

// ConnState is the http.Server's ConnState hook: it follows the state of each connection.
func (l *Listener) ConnState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.conns[c]
	if !ok { // closed to make room, or not accepted by l
		return
	}
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
		close(l.changed)
		l.changed = make(chan struct{})
	default:
		s.state, s.since = state, time.Now()
	}
}

// Len is the number of connections open.
func (l *Listener) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// WaitEmpty waits until no connection is left open, or ctx is done, and reports which.
func (l *Listener) WaitEmpty(ctx context.Context) bool {
	for {
		l.mu.Lock()
		n, changed := len(l.conns), l.changed
		l.mu.Unlock()
		if n == 0 {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// Close stops accepting connections; those open stay. It may be called more than once (the
// server closes its listeners when it shuts down).
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.closed)
		l.closeErr = l.Listener.Close()
	})
	return l.closeErr
}
