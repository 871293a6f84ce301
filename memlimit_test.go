package main

import (
	"net/http"
	"runtime"
	"testing"
	"time"
)

// The heap limit follows the server's connections, a step of connStep at a time: thousands of
// agents' connections get room, 64 clients keep the small server's limit.
func TestHeapLimitFollowsConnections(t *testing.T) {
	var limits []int64
	b := newMemoryBudget(func(n int64) int64 { limits = append(limits, n); return 0 })
	step := func(steps int) int64 { return memoryLimit + int64(steps*connStep)*connMemory }
	if len(limits) != 1 || limits[0] != step(1) {
		t.Fatalf("at start: limits %v, want [%d]", limits, step(1))
	}
	open := func(n int) {
		for range n {
			b.ConnState(nil, http.StateNew)
			b.ConnState(nil, http.StateActive) // requests come and go: no change
			b.ConnState(nil, http.StateIdle)
		}
	}
	closeConns := func(n int, state http.ConnState) {
		for range n {
			b.ConnState(nil, state)
		}
	}
	open(connStep - 1)
	if len(limits) != 1 {
		t.Fatalf("%d connections moved the limit: %v", connStep-1, limits)
	}
	open(1)
	open(4000 - connStep)
	if got, want := limits[len(limits)-1], step(4000/connStep+1); got != want {
		t.Errorf("at 4,000 connections: limit %d, want %d", got, want)
	}
	if steps := len(limits) - 1; steps != 4000/connStep {
		t.Errorf("the limit was set %d times on the way to 4,000 connections, want once a step (%d)", steps, 4000/connStep)
	}
	closeConns(2000, http.StateClosed)
	closeConns(2000-10, http.StateHijacked)
	if got, want := limits[len(limits)-1], step(1); got != want {
		t.Errorf("back at 10 connections: limit %d, want %d", got, want)
	}
}

// The limit leaves the live heap half as much again: at the live heap it would keep the collector
// running without a pause. It comes back down when the heap does.
func TestHeapLimitLeavesTheLiveHeapRoom(t *testing.T) {
	var limits []int64
	b := newMemoryBudget(func(n int64) int64 { limits = append(limits, n); return 0 })
	base := memoryLimit + int64(connStep)*connMemory
	b.AfterGC(20 << 20)
	if len(limits) != 1 {
		t.Fatalf("a 20 MiB live heap moved the limit: %v", limits)
	}
	b.AfterGC(60 << 20)
	if got, want := limits[len(limits)-1], int64(90<<20); got != want {
		t.Errorf("60 MiB live: limit %d, want %d", got, want)
	}
	b.AfterGC(10 << 20)
	if got := limits[len(limits)-1]; got != base {
		t.Errorf("10 MiB live again: limit %d, want the connections' %d", got, base)
	}
}

// watchLiveHeap hears of every collection: runtime.GC() is one.
func TestHeapLimitWatchesCollections(t *testing.T) {
	b := newMemoryBudget(func(int64) int64 { return 0 })
	b.watchLiveHeap()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		runtime.GC() // cleanups run after it, on a goroutine of their own
		b.mu.Lock()
		live := b.live
		b.mu.Unlock()
		if live > 0 {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("no collection reached the budget in 10 s")
}
