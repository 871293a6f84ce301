package main

import (
	"net"
	"net/http"
	"sync"
)

// The Go heap's soft limit. A lab server should stay small beside everything else on a laptop,
// so the garbage collector works harder before the heap passes memoryLimit (100k tasks need about
// 25 MiB of it). Every open connection adds connMemory to the limit: a connection's buffers and
// goroutine take about 30 KB, and 4,000 agents' connections under a fixed 48 MiB kept the
// collector running without a pause, which cost a report three times its CPU and lost half the
// reports (BENCHMARKS.md, the lab).
const (
	memoryLimit = 48 << 20
	connMemory  = 64 << 10
	// connStep is how many connections open or close before the limit is set again.
	connStep = 64
)

// heapLimit, when main sets it (GOMEMLIMIT not given), is the process's heap limit, which serve
// raises and lowers with its connections. Tests leave it nil: run touches no process-wide state.
var heapLimit *memoryBudget

// memoryBudget sets the heap's soft limit to memoryLimit plus connMemory a connection, in steps of
// connStep connections.
type memoryBudget struct {
	set   func(int64) int64 // debug.SetMemoryLimit
	mu    sync.Mutex
	conns int
	steps int // the steps of connStep the limit was last set for
}

func newMemoryBudget(set func(int64) int64) *memoryBudget {
	b := &memoryBudget{set: set}
	b.set(b.limit())
	return b
}

// limit is the heap limit for the connections counted, rounded up to the next step.
func (b *memoryBudget) limit() int64 {
	return memoryLimit + int64((b.steps+1)*connStep)*connMemory
}

// ConnState counts the server's connections (it is chained to http.Server.ConnState) and moves
// the limit when their number crosses a step.
func (b *memoryBudget) ConnState(_ net.Conn, state http.ConnState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch state {
	case http.StateNew:
		b.conns++
	case http.StateClosed, http.StateHijacked:
		b.conns--
	default:
		return
	}
	if steps := b.conns / connStep; steps != b.steps {
		b.steps = steps
		b.set(b.limit())
	}
}
