package db

import (
	"context"
	"slices"

	"smslab/lifecycle"
)

// movingStates are the states in which a task copies, reports, and may stall or lose its agent.
var movingStates = []string{lifecycle.Running, lifecycle.Syncing}

// failedStates lead the wall's order.
var failedStates = []string{lifecycle.MigrateFail, lifecycle.SyncFail}

// TaskHealth returns how the task with the given id, in state, fares at now (epoch ms): fine
// unless it is running or syncing and silent or stalled (see Health).
func (s *Store) TaskHealth(id, state string, now int64) Health {
	if !slices.Contains(movingStates, state) {
		return Health{}
	}
	return s.paces.health(id, now, s.calls)
}

// Wave is the whole wave as the status page's wall shows it at a moment.
type Wave struct {
	// Sized is how many tasks reported a size; Replicated and Total are their bytes copied and
	// to copy.
	Sized, Replicated, Total int64
	// Throughput is the sum of the copy rates, in Mbit/s, last reported by the running or
	// syncing tasks that copy data and are neither stalled nor disconnected; Copying counts them.
	Throughput float64
	Copying    int64
	// Stalled and Disconnected are the ids of the moving tasks so flagged, in ListTasks order.
	Stalled, Disconnected []string
}

// WaveTotals returns the wave at now (epoch ms). The sizes and the running tasks' health are in
// memory; once a minute it reads every task's sizes again (a scan of the table, a few hundred ms
// at 100,000 tasks), to take in what imports and deletions changed, and forgets deleted tasks'
// paces.
func (s *Store) WaveTotals(ctx context.Context, now int64) (Wave, error) {
	if err := s.awaitIndex(ctx); err != nil {
		return Wave{}, err
	}
	if s.paces.sizesDue() {
		rows, err := s.readQueries.ListTaskSizes(ctx)
		if err != nil {
			return Wave{}, s.readError(err)
		}
		sizes := make(map[string][2]int64, len(rows))
		for _, r := range rows {
			sizes[r.ID] = [2]int64{valueOf(r.Replicatesize), valueOf(r.Totalsize)}
		}
		s.paces.setSizes(sizes)
		s.index.mu.RLock()
		s.paces.forgetUnless(func(id string) bool { _, ok := s.index.seqOf(id); return ok })
		s.index.mu.RUnlock()
	}
	var w Wave
	w.Sized, w.Replicated, w.Total = s.paces.sumSizes()
	for _, id := range s.movingIDs() {
		h := s.paces.health(id, now, s.calls)
		switch h.State {
		case HealthStalled:
			w.Stalled = append(w.Stalled, id)
		case HealthDisconnected:
			w.Disconnected = append(w.Disconnected, id)
		default:
			if h.Copying {
				w.Copying++
				w.Throughput += h.Speed
			}
		}
	}
	return w, nil
}

// movingIDs returns the ids of the running and syncing tasks, in ListTasks order.
func (s *Store) movingIDs() []string {
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	x := s.index
	sets, size := x.setsOf(movingStates)
	ids := make([]string, 0, size)
	for _, slot := range x.pageOfUnion(sets, 0, size) {
		ids = append(ids, string(x.ids.id(slot)))
	}
	return ids
}

// ListWallTasks returns a page of the wall's order, problems first: the failed tasks, then the
// moving tasks among problems (the ids of Wave's Stalled, then Disconnected, as the caller
// has them), then the other running and syncing tasks, then the rest in the status page's
// order (statusRank). Count is every task.
func (s *Store) ListWallTasks(ctx context.Context, problems []string, offset, limit int64) (StatusPage, error) {
	if err := s.awaitIndex(ctx); err != nil {
		return StatusPage{}, s.readError(err)
	}
	count, rows, err := s.readWallRows(ctx, problems, int(offset), int(limit))
	if err != nil {
		return StatusPage{}, s.readError(err)
	}
	return statusPageOf(count, rows)
}

func (s *Store) readWallRows(ctx context.Context, problems []string, offset, limit int) (int, []ListTasksBySeqRow, error) {
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	seqs, count := s.index.wallPage(problems, offset, limit)
	if len(seqs) == 0 {
		return count, nil, nil
	}
	rows, err := s.readQueries.ListTasksBySeq(ctx, seqsJSON(seqs))
	return count, rows, err
}

// setsOf returns the lists of the given states that hold tasks, and how many they hold. The
// caller holds mu.
func (x *listIndex) setsOf(states []string) ([]*rankedSet, int) {
	var sets []*rankedSet
	size := 0
	for _, state := range states {
		if set := x.byState[x.number(state, false)]; set != nil && set.size > 0 && x.numberOf[state] != 0 {
			sets = append(sets, set)
			size += set.size
		}
	}
	return sets, size
}

// wallPage returns the seqs at positions offset to offset+limit-1 of the wall's order (see
// ListWallTasks), and how many tasks there are. The caller holds mu.
func (x *listIndex) wallPage(problems []string, offset, limit int) ([]int64, int) {
	moving, movingSize := x.setsOf(movingStates)
	flagged := map[int32]bool{}
	var flaggedSlots []int32
	for _, id := range problems {
		slot, ok := x.ids.find(id)
		if !ok || x.seqs[slot] == removedSeq || flagged[slot] ||
			!slices.Contains(movingStates, x.nameOf[x.keys[slot].state]) {
			continue // gone, or no longer moving since the wave was taken
		}
		flagged[slot] = true
		flaggedSlots = append(flaggedSlots, slot)
	}
	// The segments in order: each a number of tasks and a way to page through them.
	type segment struct {
		size int
		page func(offset, limit int) []int32
	}
	ofSets := func(states []string) segment {
		sets, size := x.setsOf(states)
		return segment{size, func(o, l int) []int32 { return x.pageOfUnion(sets, o, l) }}
	}
	segments := []segment{
		ofSets(failedStates),
		{len(flaggedSlots), func(o, l int) []int32 { return flaggedSlots[o:min(o+l, len(flaggedSlots))] }},
		{movingSize - len(flaggedSlots), func(o, l int) []int32 {
			var slots []int32
			for _, slot := range x.pageOfUnion(moving, 0, movingSize) {
				if flagged[slot] {
					continue
				}
				if o > 0 {
					o--
					continue
				}
				if len(slots) == l {
					break
				}
				slots = append(slots, slot)
			}
			return slots
		}},
	}
	var rest [statusRanks][]string
	for n := range x.byState {
		if state := x.nameOf[n]; statusRank(state) != 0 && !slices.Contains(failedStates, state) {
			r := statusRank(state)
			rest[r] = append(rest[r], state)
		}
	}
	for _, states := range rest {
		if len(states) > 0 {
			segments = append(segments, ofSets(states))
		}
	}
	var seqs []int64
	count := 0
	for _, seg := range segments {
		count += seg.size
		if len(seqs) == limit || seg.size == 0 {
			continue
		}
		if offset >= seg.size {
			offset -= seg.size
			continue
		}
		for _, slot := range seg.page(offset, limit-len(seqs)) {
			seqs = append(seqs, x.seqs[slot])
		}
		offset = 0
	}
	return seqs, count
}
