package db

import (
	"bytes"
	"hash/maphash"
)

// idTable numbers task ids with slots (0, 1, 2, ... in the order they are added) and finds a
// slot by id. It holds no pointers, so the garbage collector has no 100,000 strings to mark: a
// Go map costs a progress report about a tenth more CPU (BenchmarkTaskIDs; docs/storage.md).
type idTable struct {
	seed   maphash.Seed
	bytes  []byte   // the ids, one after another
	ends   []uint32 // slot to where its id ends in bytes; it starts where the previous one ends
	lookup []int32  // open addressing by hash of the id: slot+1, or 0 for an empty entry
}

func newIDTable() *idTable {
	return &idTable{seed: maphash.MakeSeed(), lookup: make([]int32, 1024)}
}

// id returns the id in slot, sharing the table's memory: the caller must not keep it or change it.
func (t *idTable) id(slot int32) []byte {
	start := uint32(0)
	if slot > 0 {
		start = t.ends[slot-1]
	}
	return t.bytes[start:t.ends[slot]]
}

// compare orders two slots by their ids.
func (t *idTable) compare(a, b int32) int {
	return bytes.Compare(t.id(a), t.id(b))
}

// find returns the slot of id, if it has one.
func (t *idTable) find(id string) (int32, bool) {
	for i := t.home(id); ; i = (i + 1) & (len(t.lookup) - 1) {
		entry := t.lookup[i]
		if entry == 0 {
			return 0, false
		}
		if string(t.id(entry-1)) == id {
			return entry - 1, true
		}
	}
}

// add gives id, which must not be in the table, the next slot and returns it.
func (t *idTable) add(id string) int32 {
	slot := int32(len(t.ends))
	t.bytes = append(t.bytes, id...)
	t.ends = append(t.ends, uint32(len(t.bytes)))
	if 2*len(t.ends) > len(t.lookup) { // at most half full keeps probes short
		t.lookup = make([]int32, 2*len(t.lookup))
		for s := range int32(len(t.ends)) {
			t.place(s)
		}
	} else {
		t.place(slot)
	}
	return slot
}

// place enters slot into the lookup table at the first free entry from its id's home.
func (t *idTable) place(slot int32) {
	i := int(maphash.Bytes(t.seed, t.id(slot)) & uint64(len(t.lookup)-1)) // home(id), without a copy
	for t.lookup[i] != 0 {
		i = (i + 1) & (len(t.lookup) - 1)
	}
	t.lookup[i] = slot + 1
}

// home is where the search for id starts in the lookup table, whose length is a power of two.
func (t *idTable) home(id string) int {
	return int(maphash.String(t.seed, id) & uint64(len(t.lookup)-1))
}
