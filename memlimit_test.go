package main

import (
	"net/http"
	"testing"
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
