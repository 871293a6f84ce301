package db

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"smslab/sms"
)

// Agents' calls are kept in memory and stored every lastSeenEvery at most, only when one came in: a
// quiet lab has no timer running. The test runs in a synctest bubble, whose clock moves only when
// every goroutine in it waits: passFakeTime advances that clock, it does not wait.
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
	passFakeTime(lastSeenEvery + gatherWait) // the store's batch may wait that long for others
	synctest.Wait()
	want := registered + 300
	if len(stores) != 1 || stores[0]["a"] != want || stores[0]["b"] != want {
		t.Fatalf("stores %v, want one of a and b at %d", stores, want)
	}
	if got := lastSeen("a"); got == nil || *got != want {
		t.Errorf("a's last_seen %v, want %d", got, want)
	}

	// Quiet: no timer, no store, however long.
	passFakeTime(time.Minute)
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

// Many agents' calls are stored in writes of lastSeenBatch sources, one transaction each, so that
// no store takes the WAL far past walBound; every call is stored. In a synctest bubble, so that
// the store a second after the calls does not run beside the flush.
func TestManyAgentCallsAreStoredInBatches(t *testing.T) {
	synctest.Test(t, testManyAgentCallsAreStoredInBatches)
}

func testManyAgentCallsAreStoredInBatches(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	const n = 2*lastSeenBatch + 10
	sources := make([]sms.Source, n)
	for i := range sources {
		sources[i] = sms.Source{ID: ptr(fmt.Sprintf("s%04d", i)), Name: ptr(fmt.Sprint("s", i)), IP: ptr("10.0.0.1"),
			OsType: ptr("LINUX")}
	}
	if err := store.ImportSeed(ctx, &sms.SeedFile{Sources: sources}); err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1795428000000)
	store.Now = func() time.Time { return at }
	for _, src := range sources {
		store.AgentCalled(*src.ID)
	}
	before := store.committer.commits.Load()
	store.FlushAgentCalls()
	if got, want := store.committer.commits.Load()-before, int64(3); got != want {
		t.Errorf("%d calls stored in %d transactions, want %d", n, got, want)
	}
	for _, src := range sources {
		row, err := store.readQueries.GetSource(ctx, *src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if row.LastSeen == nil || *row.LastSeen != at.UnixMilli() {
			t.Fatalf("source %s: last_seen %v, want %d", row.ID, row.LastSeen, at.UnixMilli())
		}
	}
}
