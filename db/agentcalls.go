package db

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// ConnectedTimeout is how long after its agent's last call a source server counts as connected:
// the agent polls SMS every few seconds while it runs.
const ConnectedTimeout = 60 * time.Second

// lastSeenEvery is how often, at most, the agents' last calls are stored: once a minute, since
// only a restart reads them (connected and last_visit_time come from memory until then), and each
// stored call rewrites its source's 3 KB row: every second cost a tenth of the server's CPU in a
// lab of 10,000 agents, every 10 s 3-5% (BENCHMARKS.md, the lab).
const lastSeenEvery = time.Minute

// agentCalls keeps, in memory, when each source's agent last called (registration, progress
// reports on the source's task, and the command channel), so that a poll is not a database
// write. What changed is stored (sources.last_seen) every lastSeenEvery at most, in writes of
// lastSeenBatch sources, and only once something changed: no timer runs while the agents are quiet. After a restart every
// source counts as disconnected until its agent calls again.
type agentCalls struct {
	mu     sync.Mutex
	last   map[string]int64 // source id -> its agent's last call since start, epoch ms
	dirty  map[string]int64 // the calls not stored yet
	timer  *time.Timer      // the next store; nil while nothing waits to be stored
	closed bool
	store  func(ctx context.Context, calls map[string]int64) error
	// stored, if set, is told of each store and its outcome (tests).
	stored func(calls map[string]int64, err error)
}

func newAgentCalls(store func(context.Context, map[string]int64) error) *agentCalls {
	return &agentCalls{last: map[string]int64{}, dirty: map[string]int64{}, store: store}
}

// record notes a call of the source's agent at time at (epoch ms). saved says it is stored
// already (a registration stores its time in its own write).
func (a *agentCalls) record(id string, at int64, saved bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if at <= a.last[id] {
		return // nothing new to show or store
	}
	a.last[id] = at
	if saved {
		delete(a.dirty, id)
		return
	}
	a.dirty[id] = at
	if a.timer == nil && !a.closed {
		a.timer = time.AfterFunc(lastSeenEvery, a.flush)
	}
}

// flush stores the calls noted since the last store. A store that fails keeps them for the next.
func (a *agentCalls) flush() {
	a.mu.Lock()
	calls := a.dirty
	a.dirty = map[string]int64{}
	a.timer = nil
	a.mu.Unlock()
	if len(calls) == 0 {
		return
	}
	err := a.store(context.Background(), calls)
	if err != nil {
		a.mu.Lock()
		for id, at := range calls {
			if at > a.dirty[id] {
				a.dirty[id] = at
			}
		}
		if a.timer == nil && !a.closed {
			a.timer = time.AfterFunc(lastSeenEvery, a.flush)
		}
		a.mu.Unlock()
	}
	if a.stored != nil {
		a.stored(calls, err)
	}
}

// close stops the timer and stores what is left, before the store closes.
func (a *agentCalls) close() {
	a.mu.Lock()
	a.closed = true
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	a.mu.Unlock()
	a.flush()
}

// lastCall returns when the source's agent last called since start.
func (a *agentCalls) lastCall(id string) (int64, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.last[id]
	return at, ok
}

// lastCalls returns when the agent of each source with the given id last called since start,
// or noCall, under one lock.
func (a *agentCalls) lastCalls(ids [][]byte) []int64 {
	calls := make([]int64, len(ids))
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, id := range ids {
		at, ok := a.last[string(id)]
		if !ok {
			at = noCall
		}
		calls[i] = at
	}
	return calls
}

// connectedIDs returns the sources whose agents called within ConnectedTimeout of now, sorted.
func (a *agentCalls) connectedIDs(now int64) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ids []string
	for id, at := range a.last {
		if isConnected(at, now) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// forget drops what is known of a deleted source.
func (a *agentCalls) forget(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.last, id)
	delete(a.dirty, id)
}

// pending returns the calls not stored yet, and whether a store is scheduled (tests).
func (a *agentCalls) pending() (map[string]int64, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.dirty), a.timer != nil
}

// isConnected reports whether an agent that last called at counts as connected at now.
func isConnected(at, now int64) bool { return now-at < ConnectedTimeout.Milliseconds() }
