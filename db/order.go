package db

import (
	"slices"
	"sync"
)

// listKey is a task's place in ListTasks order: newest create_date first, then by id.
type listKey struct {
	createDate int64
	id         string
}

func compareKeys(a, b listKey) int {
	switch {
	case a.createDate > b.createDate:
		return -1
	case a.createDate < b.createDate:
		return 1
	case a.id < b.id:
		return -1
	case a.id > b.id:
		return 1
	}
	return 0
}

// listing is what places a task in the listings of the index. An empty project is no project:
// ListTasks treats an empty enterprise_project_id filter as none.
type listing struct {
	key     listKey
	state   string
	project string
}

// blockSize bounds a rankedSet block: finding the k-th key walks about n/blockSize block
// lengths, inserting copies up to 2*blockSize keys.
const blockSize = 512

// rankedSet is an ordered set of keys that finds the k-th key without counting the ones before
// it one by one, which is what SQLite's OFFSET does.
type rankedSet struct {
	blocks [][]listKey
	size   int
}

// insert adds k, which must not be in the set.
func (s *rankedSet) insert(k listKey) {
	s.size++
	if len(s.blocks) == 0 {
		s.blocks = [][]listKey{{k}}
		return
	}
	// The block k goes in: the first whose last key is not before k, else the last block.
	b, _ := slices.BinarySearchFunc(s.blocks, k, func(block []listKey, k listKey) int {
		return compareKeys(block[len(block)-1], k)
	})
	b = min(b, len(s.blocks)-1)
	block := s.blocks[b]
	i, _ := slices.BinarySearchFunc(block, k, compareKeys)
	block = slices.Insert(block, i, k)
	if len(block) <= 2*blockSize {
		s.blocks[b] = block
		return
	}
	half := slices.Clone(block[blockSize:])
	s.blocks[b] = block[:blockSize:blockSize]
	s.blocks = slices.Insert(s.blocks, b+1, half)
}

// remove deletes k if it is in the set.
func (s *rankedSet) remove(k listKey) {
	b, _ := slices.BinarySearchFunc(s.blocks, k, func(block []listKey, k listKey) int {
		return compareKeys(block[len(block)-1], k)
	})
	if b == len(s.blocks) {
		return
	}
	i, found := slices.BinarySearchFunc(s.blocks[b], k, compareKeys)
	if !found {
		return
	}
	s.size--
	s.blocks[b] = slices.Delete(s.blocks[b], i, i+1)
	if len(s.blocks[b]) == 0 {
		s.blocks = slices.Delete(s.blocks, b, b+1)
	}
}

// page returns the ids of the keys at positions offset to offset+limit-1.
func (s *rankedSet) page(offset, limit int) []string {
	var ids []string
	for _, block := range s.blocks {
		if offset >= len(block) {
			offset -= len(block)
			continue
		}
		for _, k := range block[offset:] {
			if len(ids) == limit {
				return ids
			}
			ids = append(ids, k.id)
		}
		offset = 0
	}
	return ids
}

// listIndex keeps, in memory, every task's place in the listings ListTasks pages through: all
// tasks, by state, by enterprise project and by both. It answers a page and its count without
// scanning, so an offset of 60,000 costs what an offset of 0 does. The committer keeps it in
// step with the database: it applies each batch's changes while holding mu for writing around
// the batch's commit, and a reader holds mu for reading while it takes its page of ids and reads
// their rows, so a page and its count always describe one state of the database.
type listIndex struct {
	mu        sync.RWMutex
	ready     bool
	tasks     map[string]listing
	all       rankedSet
	byState   map[string]*rankedSet
	byProject map[string]*rankedSet
	byBoth    map[[2]string]*rankedSet
}

func newListIndex() *listIndex {
	return &listIndex{
		tasks:     map[string]listing{},
		byState:   map[string]*rankedSet{},
		byProject: map[string]*rankedSet{},
		byBoth:    map[[2]string]*rankedSet{},
	}
}

// put records the task's listing, moving it between listings if it changed. The caller holds mu.
func (x *listIndex) put(id string, l listing) {
	if old, ok := x.tasks[id]; ok {
		if old == l {
			return
		}
		x.each(old, false, func(s *rankedSet) { s.remove(old.key) })
	}
	x.tasks[id] = l
	x.each(l, true, func(s *rankedSet) { s.insert(l.key) })
}

// each calls fn on every listing l belongs to, creating them when create is set.
func (x *listIndex) each(l listing, create bool, fn func(*rankedSet)) {
	fn(&x.all)
	sets := []*rankedSet{setIn(x.byState, l.state, create)}
	if l.project != "" {
		sets = append(sets, setIn(x.byProject, l.project, create), setIn(x.byBoth, [2]string{l.state, l.project}, create))
	}
	for _, s := range sets {
		if s != nil {
			fn(s)
		}
	}
}

func setIn[K comparable](m map[K]*rankedSet, k K, create bool) *rankedSet {
	s := m[k]
	if s == nil && create {
		s = &rankedSet{}
		m[k] = s
	}
	return s
}

// listingFor returns the listing matching the filters (nil for none), or nil when no task is in
// it. The caller holds mu.
func (x *listIndex) listingFor(state, project *string) *rankedSet {
	switch {
	case state != nil && project != nil:
		return x.byBoth[[2]string{*state, *project}]
	case state != nil:
		return x.byState[*state]
	case project != nil:
		return x.byProject[*project]
	}
	return &x.all
}
