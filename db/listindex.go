package db

import (
	"math"
	"slices"
	"sync"
)

// indexKey is what places a task in the list index: its creation date and id (the order) and
// its state and enterprise project (the filters). An empty project is no project: ListTasks
// treats an empty enterprise_project_id filter as none.
type indexKey struct {
	createDate int64
	state      string
	project    string
}

// indexKeyOf returns the key of a stored task.
func indexKeyOf(t Task) indexKey {
	k := indexKey{createDate: t.CreateDate, state: t.State}
	if t.EnterpriseProjectID != nil {
		k.project = *t.EnterpriseProjectID
	}
	return k
}

// indexChange is a task's new key, with the seq (rowid) that reads find it by and the members
// of its source's current_task it keeps, or its removal.
type indexChange struct {
	id      string
	seq     int64
	key     indexKey
	moving  movingMembers
	removed bool
}

// noteIndexChange notes that the write stored task t, whose Seq is set, with a new index key
// or new members that progress reports change (or a first time), for the list index once the
// batch commits. Every write that stores a task calls it.
func (tx *writeTx) noteIndexChange(t Task) {
	tx.changes = append(tx.changes, indexChange{id: t.ID, seq: *t.Seq, key: indexKeyOf(t), moving: movingOf(&t)})
}

// noteIndexRemoval notes that the write deleted the task with the given id, for the list index
// once the batch commits.
func (tx *writeTx) noteIndexRemoval(id string) {
	tx.changes = append(tx.changes, indexChange{id: id, removed: true})
}

// listIndex keeps, in memory and in ListTasks order, the lists ListTasks pages through: all
// tasks, by state, by enterprise project and by both. A page and its count cost the same at any
// offset. The committer changes it only under mu, at commit (docs/storage.md, "List index").
type listIndex struct {
	mu sync.RWMutex

	built  chan struct{} // closed once the committer has built the index or failed to
	broken error         // why it could not be built, set before built is closed

	ids      *idTable      // task id to slot and back
	seqs     []int64       // slot to the task's seq (rowid)
	keys     []numberedKey // slot to the task's key
	numberOf map[string]uint32
	nameOf   []string // numberOf[nameOf[n]] == n; 0 is the empty name

	all       rankedSet
	byState   map[uint32]*rankedSet
	byProject map[uint32]*rankedSet
	byBoth    map[[2]uint32]*rankedSet

	// moving holds, by slot, a task's members that ListServers' current_task shows and progress
	// reports change (the tasks' index only, set by setMoving); lastSeen and task, a source's
	// last agent call stored and its current task's slot in the tasks' index (the sources' index
	// only, set by setSource). docs/storage.md, "Source listings".
	moving   []packedMoving
	lastSeen []int64
	task     []int32
}

// numberedKey is an indexKey with its names numbered.
type numberedKey struct {
	createDate     int64
	state, project uint32
}

func newListIndex() *listIndex {
	x := &listIndex{
		built:     make(chan struct{}),
		ids:       newIDTable(),
		numberOf:  map[string]uint32{"": 0},
		nameOf:    []string{""},
		byState:   map[uint32]*rankedSet{},
		byProject: map[uint32]*rankedSet{},
		byBoth:    map[[2]uint32]*rankedSet{},
	}
	x.all.index = x
	return x
}

// ready reports whether the index is built and can answer.
func (x *listIndex) ready() bool {
	select {
	case <-x.built:
		return x.broken == nil
	default:
		return false
	}
}

// number returns the number of a state or project name, adding it if create is set (else 0 for
// an unknown one).
func (x *listIndex) number(s string, create bool) uint32 {
	n, ok := x.numberOf[s]
	if !ok && create {
		n = uint32(len(x.nameOf))
		x.numberOf[s] = n
		x.nameOf = append(x.nameOf, s)
	}
	return n
}

// put files the task with the given id and seq under key, moving it between lists if its key
// changed, and returns its slot. The caller holds mu, or is the committer building the index
// before it is ready, which no reader touches.
func (x *listIndex) put(id string, seq int64, key indexKey) int32 {
	l := numberedKey{createDate: key.createDate, state: x.number(key.state, true), project: x.number(key.project, true)}
	slot, known := x.ids.find(id)
	if known && x.seqs[slot] == removedSeq { // removed, and back
		x.seqs[slot], x.keys[slot] = seq, l
		x.eachList(l, true, func(s *rankedSet) { s.insert(slot) })
		return slot
	}
	if known {
		x.seqs[slot] = seq
		old := x.keys[slot]
		if old == l {
			return slot
		}
		x.eachList(old, false, func(s *rankedSet) { s.remove(slot) })
		x.keys[slot] = l
	} else {
		slot = x.ids.add(id)
		x.seqs = append(x.seqs, seq)
		x.keys = append(x.keys, l)
	}
	x.eachList(l, true, func(s *rankedSet) { s.insert(slot) })
	return slot
}

// setMoving keeps m for the task in slot. The caller holds mu, as for put.
func (x *listIndex) setMoving(slot int32, m *movingMembers) {
	for int(slot) >= len(x.moving) {
		x.moving = append(x.moving, packedMoving{})
	}
	x.moving[slot] = x.pack(m)
}

// setSource keeps, for the source in slot, the last call of its agent stored (epoch ms), if
// any, and the slot of its current task in tasks (noTask for none). The caller holds mu, and
// tasks' mu, as for put.
func (x *listIndex) setSource(slot int32, lastSeen *int64, taskID *string, tasks *listIndex) {
	for int(slot) >= len(x.lastSeen) {
		x.lastSeen, x.task = append(x.lastSeen, noCall), append(x.task, noTask)
	}
	x.lastSeen[slot], x.task[slot] = valueOr(lastSeen, noCall), noTask
	if taskID != nil {
		if t, ok := tasks.ids.find(*taskID); ok {
			x.task[slot] = t
		}
	}
}

// noTask is the task of a source without one.
const noTask = -1

// noCall is the lastSeen of a source whose agent's calls were never stored.
const noCall = math.MinInt64

// removedSeq is the seq of a slot whose task was deleted: no rowid is negative.
const removedSeq = -1

// remove takes the task with the given id out of every list. Its slot keeps the id, with
// removedSeq, which put fills again if the id comes back. The caller holds mu.
func (x *listIndex) remove(id string) {
	slot, ok := x.ids.find(id)
	if !ok || x.seqs[slot] == removedSeq {
		return
	}
	l := x.keys[slot]
	x.eachList(l, false, func(s *rankedSet) { s.remove(slot) })
	x.seqs[slot] = removedSeq
}

// eachList calls fn on every list a task with key l is in, creating them when create is set.
func (x *listIndex) eachList(l numberedKey, create bool, fn func(*rankedSet)) {
	fn(&x.all)
	sets := []*rankedSet{listIn(x, x.byState, l.state, create)}
	if l.project != 0 {
		sets = append(sets, listIn(x, x.byProject, l.project, create), listIn(x, x.byBoth, [2]uint32{l.state, l.project}, create))
	}
	for _, s := range sets {
		if s != nil {
			fn(s)
		}
	}
}

func listIn[K comparable](x *listIndex, m map[K]*rankedSet, k K, create bool) *rankedSet {
	s := m[k]
	if s == nil && create {
		s = &rankedSet{index: x}
		m[k] = s
	}
	return s
}

// seqOf returns the seq of the task with the given id, if it is stored. The caller holds mu, or
// is the committer, the only one that changes the index.
func (x *listIndex) seqOf(id string) (int64, bool) {
	slot, ok := x.ids.find(id)
	if !ok || x.seqs[slot] == removedSeq {
		return 0, false
	}
	return x.seqs[slot], true
}

// page returns the seqs of the tasks at positions offset to offset+limit-1 of the list the
// filters (nil for none) name, and how many tasks that list holds. The caller holds mu.
func (x *listIndex) page(state, project *string, offset, limit int) ([]int64, int) {
	slots, count := x.pageSlots(state, project, offset, limit)
	seqs := make([]int64, len(slots))
	for i, slot := range slots {
		seqs[i] = x.seqs[slot]
	}
	return seqs, count
}

// pageWithSlots is page, with the slots of the page's entries beside their seqs. The caller
// holds mu.
func (x *listIndex) pageWithSlots(state, project *string, offset, limit int) ([]int64, []int32, int) {
	slots, count := x.pageSlots(state, project, offset, limit)
	seqs := make([]int64, len(slots))
	for i, slot := range slots {
		seqs[i] = x.seqs[slot]
	}
	return seqs, slots, count
}

// pageAmong is page of all entries, newest first, among those whose seqs keep says. The caller
// holds mu.
func (x *listIndex) pageAmong(keep func(seq int64) bool, offset, limit int) ([]int64, int) {
	var seqs []int64
	count := 0
	for _, block := range x.all.blocks {
		for _, slot := range block {
			if seq := x.seqs[slot]; keep(seq) {
				if count >= offset && len(seqs) < limit {
					seqs = append(seqs, seq)
				}
				count++
			}
		}
	}
	return seqs, count
}

// seqsOf returns the seqs of the entries with the given ids that the index holds. The caller
// holds mu.
func (x *listIndex) seqsOf(ids []string) map[int64]bool {
	seqs := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if seq, ok := x.seqOf(id); ok {
			seqs[seq] = true
		}
	}
	return seqs
}

// pageSlots is page in slots.
func (x *listIndex) pageSlots(state, project *string, offset, limit int) ([]int32, int) {
	var set *rankedSet
	switch {
	case state != nil && project != nil:
		set = x.byBoth[[2]uint32{x.number(*state, false), x.number(*project, false)}]
	case state != nil:
		set = x.byState[x.number(*state, false)]
	case project != nil:
		set = x.byProject[x.number(*project, false)]
	default:
		set = &x.all
	}
	if set == nil {
		return nil, 0
	}
	return set.page(offset, limit), set.size
}

// countPerState returns how many tasks are in each state, leaving out the states no task is in.
// The caller holds mu.
func (x *listIndex) countPerState() map[string]int64 {
	counts := make(map[string]int64, len(x.byState))
	for n, set := range x.byState {
		if set.size > 0 {
			counts[x.nameOf[n]] = int64(set.size)
		}
	}
	return counts
}

// statusRanks is how many ranks statusRank gives.
const statusRanks = 6

// statusPage returns the seqs of the tasks at positions offset to offset+limit-1 of the status
// page's order (by statusRank, then in ListTasks order) among the tasks in the given states (nil
// for all of them), and how many tasks those states hold. The caller holds mu.
func (x *listIndex) statusPage(states []string, offset, limit int) ([]int64, int) {
	var ranks [statusRanks][]*rankedSet
	count := 0
	for n, set := range x.byState {
		state := x.nameOf[n]
		if set.size == 0 || states != nil && !slices.Contains(states, state) {
			continue
		}
		r := statusRank(state)
		ranks[r] = append(ranks[r], set)
		count += set.size
	}
	var seqs []int64
	for _, sets := range ranks {
		size := 0
		for _, set := range sets {
			size += set.size
		}
		if offset >= size {
			offset -= size
			continue
		}
		for _, slot := range x.pageOfUnion(sets, offset, limit-len(seqs)) {
			seqs = append(seqs, x.seqs[slot])
		}
		if offset = 0; len(seqs) == limit {
			break
		}
	}
	return seqs, count
}

// statusSearch is statusPage for the tasks among found, the seqs a name search found. The
// caller holds mu.
func (x *listIndex) statusSearch(found []*int64, states []string, offset, limit int) ([]int64, int) {
	isFound := make(map[int64]bool, len(found))
	for _, seq := range found {
		isFound[*seq] = true
	}
	type ranked struct {
		rank int
		slot int32
	}
	var matches []ranked
	for slot, seq := range x.seqs {
		l := x.keys[slot]
		if state := x.nameOf[l.state]; isFound[seq] && (states == nil || slices.Contains(states, state)) {
			matches = append(matches, ranked{statusRank(state), int32(slot)})
		}
	}
	slices.SortFunc(matches, func(a, b ranked) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return x.compare(a.slot, b.slot)
	})
	var seqs []int64
	for _, m := range matches[min(offset, len(matches)):min(offset+limit, len(matches))] {
		seqs = append(seqs, x.seqs[m.slot])
	}
	return seqs, len(matches)
}

// pageOfUnion returns the slots at positions offset to offset+limit-1 of the union of sets, which
// hold no key in common, in ListTasks order.
func (x *listIndex) pageOfUnion(sets []*rankedSet, offset, limit int) []int32 {
	if len(sets) == 1 {
		return sets[0].page(offset, limit)
	}
	type cursor struct {
		blocks [][]int32
		block  int // the blocks before it are passed
		i      int // in blocks[block]
	}
	cursors := make([]cursor, len(sets))
	for i, set := range sets {
		cursors[i].blocks = set.blocks
	}
	var slots []int32
	for n := 0; len(slots) < limit; n++ {
		var next *cursor
		for i := range cursors {
			c := &cursors[i]
			if c.block < len(c.blocks) && (next == nil || x.compare(c.blocks[c.block][c.i], next.blocks[next.block][next.i]) < 0) {
				next = c
			}
		}
		if next == nil {
			break
		}
		if n >= offset {
			slots = append(slots, next.blocks[next.block][next.i])
		}
		if next.i++; next.i == len(next.blocks[next.block]) {
			next.block, next.i = next.block+1, 0
		}
	}
	return slots
}

// compare orders two slots as ListTasks does: newest create_date first, then by id. It goes by
// the keys the slots hold now, so a slot changes key only while it is in no list (put).
func (x *listIndex) compare(a, b int32) int {
	dateA, dateB := x.keys[a].createDate, x.keys[b].createDate
	switch {
	case dateA > dateB:
		return -1
	case dateA < dateB:
		return 1
	case a == b:
		return 0
	}
	return x.ids.compare(a, b)
}

// blockSize bounds a rankedSet block: finding the k-th slot walks about n/blockSize
// block lengths, inserting copies up to 2*blockSize slots.
const blockSize = 512

// rankedSet is an ordered set of slots that finds the k-th without counting the ones before it
// one by one, which is what SQLite's OFFSET does. It holds slots alone, not their dates beside
// them: at 100,000 tasks and sources that is 8 MB less (docs/storage.md, "List index").
type rankedSet struct {
	index  *listIndex
	blocks [][]int32
	size   int
}

// blockOf returns the block slot belongs in: the first whose last slot is not before it, else
// the last block.
func (s *rankedSet) blockOf(slot int32) int {
	b, _ := slices.BinarySearchFunc(s.blocks, slot, func(block []int32, slot int32) int {
		return s.index.compare(block[len(block)-1], slot)
	})
	return b
}

// insert adds slot, which must not be in the set.
func (s *rankedSet) insert(slot int32) {
	s.size++
	if len(s.blocks) == 0 {
		s.blocks = [][]int32{{slot}}
		return
	}
	b := min(s.blockOf(slot), len(s.blocks)-1)
	block := s.blocks[b]
	i, _ := slices.BinarySearchFunc(block, slot, s.index.compare)
	block = slices.Insert(block, i, slot)
	if len(block) <= 2*blockSize {
		s.blocks[b] = block
		return
	}
	// Both halves get arrays of their own: keeping the first in the old one would hold on to its
	// whole capacity.
	s.blocks[b] = slices.Clone(block[:blockSize])
	s.blocks = slices.Insert(s.blocks, b+1, slices.Clone(block[blockSize:]))
}

// remove deletes slot if it is in the set.
func (s *rankedSet) remove(slot int32) {
	b := s.blockOf(slot)
	if b == len(s.blocks) {
		return
	}
	i, found := slices.BinarySearchFunc(s.blocks[b], slot, s.index.compare)
	if !found {
		return
	}
	s.size--
	s.blocks[b] = slices.Delete(s.blocks[b], i, i+1)
	if len(s.blocks[b]) == 0 {
		s.blocks = slices.Delete(s.blocks, b, b+1)
	}
}

// page returns the slots at positions offset to offset+limit-1.
func (s *rankedSet) page(offset, limit int) []int32 {
	var slots []int32
	for _, block := range s.blocks {
		if offset >= len(block) {
			offset -= len(block)
			continue
		}
		for _, slot := range block[offset:] {
			if len(slots) == limit {
				return slots
			}
			slots = append(slots, slot)
		}
		offset = 0
	}
	return slots
}
