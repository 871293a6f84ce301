package main

import (
	"net"
	"net/http"
	"runtime"
	"runtime/metrics"
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
	// The limit never falls below half as much again as the heap that was live after the last
	// collection: a limit at the live heap keeps the collector running without a pause (at
	// 100,000 tasks reported on, the live heap passed 48 MiB and a report cost 3.3 times its
	// CPU).
	liveHeadroom = 3 // in halves: the limit is at least 3/2 of the live heap
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
	steps int   // the steps of connStep the limit was last set for
	live  int64 // the heap live after the last collection, as AfterGC was told
	last  int64 // the limit last set
}

func newMemoryBudget(set func(int64) int64) *memoryBudget {
	b := &memoryBudget{set: set}
	b.last = b.limit()
	b.set(b.last)
	return b
}

// limit is the heap limit for the connections counted, rounded up to the next step, or half as
// much again as the live heap if that is more.
func (b *memoryBudget) limit() int64 {
	return max(memoryLimit+int64((b.steps+1)*connStep)*connMemory, b.live*liveHeadroom/2)
}

// AfterGC takes the heap live after a collection and moves the limit if it no longer leaves
// that heap its headroom, or leaves it more than it needs.
func (b *memoryBudget) AfterGC(live int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.live = live
	b.update()
}

// update sets the limit if it moved; b.mu is held.
func (b *memoryBudget) update() {
	if l := b.limit(); l != b.last {
		b.last = l
		b.set(l)
	}
}

// watchLiveHeap calls b.AfterGC after every collection of the process, with the heap it left
// live: a cleanup on an object nobody holds runs after the collection that frees it, and
// arms the next one. (Not a tiny object: those share a slot, whose cleanups may never run.)
func (b *memoryBudget) watchLiveHeap() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		runtime.AddCleanup(new([32]byte), func(struct{}) {
			metrics.Read(sample)
			b.AfterGC(int64(sample[0].Value.Uint64()))
			arm()
		}, struct{}{})
	}
	arm()
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
		b.update()
	}
}
