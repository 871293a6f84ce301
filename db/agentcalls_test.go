package db

import (
	"context"
	"maps"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"smslab/sms"
)

// Agents' calls are kept in memory and stored at most once a second, only when one came in: a
// quiet lab has no timer running. The test runs in a synctest bubble, whose clock moves only when
// every goroutine in it waits: time.Sleep there advances that clock, it does not wait.
func TestAgentCallsAreStoredOnceASecondAtMost(t *testing.T) {
	synctest.Test(t, testAgentCallsAreStoredOnceASecondAtMost)
}

func testAgentCallsAreStoredOnceASecondAtMost(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	var mu sync.Mutex
	clock := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	store.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	var stores []map[string]int64
	store.calls.stored = func(calls map[string]int64, err error) {
		if err != nil {
			t.Errorf("store: %v", err)
		}
		stores = append(stores, maps.Clone(calls))
	}
	lastSeen := func(id string) *int64 {
		t.Helper()
		row, err := store.readQueries.GetSource(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return row.LastSeen
	}
	registered := clock.UnixMilli()
	for _, id := range []string{"a", "b"} {
		if _, err := store.RegisterServer(ctx, &sms.RegisterServerRequest{ID: ptr(id), Name: ptr(id), IP: ptr("10.0.0.1"),
			OsType: ptr("LINUX"), OsVersion: ptr("x")}); err != nil {
			t.Fatal(err)
		}
	}
	// A registration stores its time itself: nothing waits.
	if pending, timer := store.calls.pending(); len(pending) != 0 || timer {
		t.Fatalf("after registering: pending %v, timer %v", pending, timer)
	}

	// Three calls in the next second: one store, of the last call of each source.
	advance(100 * time.Millisecond)
	store.AgentCalled("a")
	advance(200 * time.Millisecond)
	store.AgentCalled("a")
	store.AgentCalled("b")
	if _, timer := store.calls.pending(); !timer {
		t.Fatal("no store scheduled after calls")
	}
	time.Sleep(lastSeenEvery)
	synctest.Wait()
	want := registered + 300
	if len(stores) != 1 || stores[0]["a"] != want || stores[0]["b"] != want {
		t.Fatalf("stores %v, want one of a and b at %d", stores, want)
	}
	if got := lastSeen("a"); got == nil || *got != want {
		t.Errorf("a's last_seen %v, want %d", got, want)
	}

	// Quiet: no timer, no store, however long.
	time.Sleep(time.Minute)
	synctest.Wait()
	if _, timer := store.calls.pending(); timer || len(stores) != 1 {
		t.Errorf("while quiet: timer %v, %d stores", timer, len(stores))
	}
	// A call that brings nothing new (the same instant) is not stored either.
	store.AgentCalled("a")
	if _, timer := store.calls.pending(); timer {
		t.Error("a call at the last call's time scheduled a store")
	}

	// Closing stores what is left.
	advance(time.Second)
	store.AgentCalled("b")
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if len(stores) != 2 || stores[1]["b"] != want+1000 {
		t.Errorf("stores %v: close did not store b's last call", stores)
	}
}
