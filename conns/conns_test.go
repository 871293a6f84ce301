package conns

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"testing"
	"testing/synctest"
	"time"
)

// pipeListener hands out the server ends of net.Pipe connections the test dials.
type pipeListener struct {
	accepts chan net.Conn
	closed  chan struct{}
}

func newPipeListener() *pipeListener {
	return &pipeListener{accepts: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.accepts:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error   { close(l.closed); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{} }

// dial makes a connection and has l accept it, returning both ends.
func dial(t *testing.T, pl *pipeListener, l *Listener) (server, client net.Conn) {
	t.Helper()
	server, client = net.Pipe()
	accepted := make(chan net.Conn)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	pl.accepts <- server
	if c := <-accepted; c != server {
		t.Fatalf("accepted %v, want %v", c, server)
	}
	return server, client
}

// isClosed reports whether the server end of a pipe was closed, seen from its client end.
func isClosed(client net.Conn) bool {
	client.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := client.Read(make([]byte, 1))
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe)
}

var discard = slog.New(slog.DiscardHandler)

// At its maximum, a new connection takes the place of the one quiet longest, idle or never used,
// never of one serving a request.
func TestListenerClosesTheQuietestAtItsMaximum(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pl := newPipeListener()
		l := NewListener(pl, 3, discard)
		busy, busyClient := dial(t, pl, l)
		l.ConnState(busy, http.StateActive)
		passFakeTime(time.Second) // the fake clock: busy is now the oldest
		idle, idleClient := dial(t, pl, l)
		l.ConnState(idle, http.StateIdle)
		passFakeTime(time.Second)
		_, freshClient := dial(t, pl, l)
		passFakeTime(time.Second)
		l.ConnState(idle, http.StateActive) // a request on it...
		l.ConnState(idle, http.StateIdle)   // ...answered: idle again, since now
		passFakeTime(time.Second)
		_, newClient := dial(t, pl, l)
		if !isClosed(freshClient) {
			t.Error("the connection that never sent a request, quiet longest, is still open")
		}
		for name, c := range map[string]net.Conn{"busy": busyClient, "idle": idleClient, "new": newClient} {
			if isClosed(c) {
				t.Errorf("the %s connection was closed", name)
			}
		}
		if n := l.Len(); n != 3 {
			t.Errorf("%d connections kept, want 3", n)
		}

		// Now idle is the quietest.
		dial(t, pl, l)
		if !isClosed(idleClient) {
			t.Error("the idle connection is still open after another new one")
		}
	})
}

// When every connection serves a request, a new one waits until one ends; Close ends the wait.
func TestListenerWaitsWhenAllAreBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pl := newPipeListener()
		l := NewListener(pl, 2, discard)
		a, _ := dial(t, pl, l)
		b, _ := dial(t, pl, l)
		l.ConnState(a, http.StateActive)
		l.ConnState(b, http.StateActive)

		server, _ := net.Pipe()
		accepted := make(chan error)
		go func() {
			_, err := l.Accept()
			accepted <- err
		}()
		pl.accepts <- server
		synctest.Wait()
		select {
		case <-accepted:
			t.Fatal("accepted a third connection while two serve requests")
		default:
		}
		l.ConnState(a, http.StateClosed)
		if err := <-accepted; err != nil {
			t.Fatalf("once a connection ended: %v", err)
		}
		l.ConnState(server, http.StateActive)

		go func() {
			_, err := l.Accept()
			accepted <- err
		}()
		pl.accepts <- func() net.Conn { c, _ := net.Pipe(); return c }()
		synctest.Wait()
		l.Close()
		if err := <-accepted; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept waiting when the listener closed: %v, want net.ErrClosed", err)
		}
		if err := l.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

// WaitEmpty returns once every connection has ended, or when its context is done.
func TestListenerWaitEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pl := newPipeListener()
		l := NewListener(pl, 2, discard)
		a, _ := dial(t, pl, l)
		b, _ := dial(t, pl, l)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if l.WaitEmpty(ctx) {
			t.Fatal("empty with two connections open")
		}
		done := make(chan bool)
		go func() { done <- l.WaitEmpty(context.Background()) }()
		l.ConnState(a, http.StateClosed)
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("empty with one connection open")
		default:
		}
		l.ConnState(b, http.StateHijacked)
		if !<-done {
			t.Fatal("WaitEmpty gave up")
		}
	})
}

func TestMax(t *testing.T) {
	reserve := uint64(64 + 4*runtime.NumCPU())
	if got := Max(1 << 20); got != MaxConnections {
		t.Errorf("Max(1<<20) = %d, want %d", got, MaxConnections)
	}
	if got := Max(8); got != 16 {
		t.Errorf("Max(8) = %d, want 16", got)
	}
	for _, nofile := range []uint64{256, 512, 1024, 4096, 20000} {
		got := uint64(Max(nofile))
		if got+reserve > nofile || got > nofile*3/4 || got > MaxConnections || got < 16 {
			t.Errorf("Max(%d) = %d: leaves too little room for the database and logs", nofile, got)
		}
	}
	if got := Max(20000); got != MaxConnections {
		t.Errorf("Max(20000) = %d, want %d", got, MaxConnections)
	}
}

// passFakeTime lets d pass on a synctest bubble's fake clock: the clock jumps once every
// goroutine in the bubble waits, so no real time passes.
func passFakeTime(d time.Duration) { <-time.After(d) }
