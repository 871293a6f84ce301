package db

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// The id table finds every id it was given, in the slot it gave it, through the lookup table's
// growth, and nothing else; it orders slots as their ids order.
func TestIDTable(t *testing.T) {
	table := newIDTable()
	ids := []string{"", "a", "ab", "b", strings.Repeat("x", 300), "é"}
	for i := range 5000 {
		ids = append(ids, fmt.Sprintf("task-%d", i*7919%10007))
	}
	for i, id := range ids {
		if _, ok := table.find(id); ok {
			t.Fatalf("%q found before it was added", id)
		}
		if slot := table.add(id); slot != int32(i) {
			t.Fatalf("%q got slot %d, want %d", id, slot, i)
		}
	}
	for i, id := range ids {
		if slot, ok := table.find(id); !ok || slot != int32(i) || string(table.id(slot)) != id {
			t.Fatalf("%q: slot %d (%v), want %d", id, slot, ok, i)
		}
	}
	for _, missing := range []string{"task-", "task-10007", "A", "aa", "ab\x00"} {
		if slot, ok := table.find(missing); ok {
			t.Errorf("%q found in slot %d", missing, slot)
		}
	}
	for _, c := range []struct {
		a, b int32
		want int
	}{{1, 2, -1}, {2, 1, 1}, {0, 1, -1}, {3, 3, 0}, {5, 3, 1}} {
		if got := table.compare(c.a, c.b); got != c.want {
			t.Errorf("compare(%q, %q) = %d, want %d", ids[c.a], ids[c.b], got, c.want)
		}
	}
}

// idMap is what idTable would be with Go's own map: the contender in BenchmarkTaskIDs.
type idMap struct {
	slots map[string]int32
	ids   []string
}

func newIDMap() *idMap { return &idMap{slots: map[string]int32{}} }

func (m *idMap) find(id string) (int32, bool) { s, ok := m.slots[id]; return s, ok }

func (m *idMap) add(id string) int32 {
	slot := int32(len(m.ids))
	m.ids = append(m.ids, id)
	m.slots[id] = slot
	return slot
}

func (m *idMap) compare(a, b int32) int { return strings.Compare(m.ids[a], m.ids[b]) }

// benchIDs are 100,000 ids shaped like the service's (36-character UUIDs), each its own string
// as the store gets them from SQLite.
func benchIDs() []string {
	ids := make([]string, 100_000)
	for i := range ids {
		h := uint64(i)*0x9e3779b97f4a7c15 + 0xa5a5
		ids[i] = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), i>>24&0xfff, i>>12&0xfff, i)
	}
	return ids
}

// BenchmarkTaskIDs compares idTable with a Go map on what the list index does with task ids at
// 100,000 tasks: a garbage collection cycle with them live (the server keeps them all its life),
// building the index at start-up, finding a task as each write does, and ordering two tasks as
// the listings do. docs/storage.md has the figures and the end-to-end measurement.
func BenchmarkTaskIDs(b *testing.B) {
	ids := benchIDs()
	type ider interface {
		find(string) (int32, bool)
		add(string) int32
		compare(a, b int32) int
	}
	for _, impl := range []struct {
		name string
		make func() ider
	}{{"table", func() ider { return newIDTable() }}, {"map", func() ider { return newIDMap() }}} {
		b.Run("gc/"+impl.name, func(b *testing.B) {
			t := impl.make() // built from ids of its own, which only it keeps
			for _, id := range benchIDs() {
				t.add(id)
			}
			for b.Loop() {
				runtime.GC()
			}
			runtime.KeepAlive(t)
		})
		b.Run("build/"+impl.name, func(b *testing.B) {
			for b.Loop() {
				t := impl.make()
				for _, id := range ids {
					t.add(strings.Clone(id))
				}
			}
		})
		t := impl.make()
		for _, id := range ids {
			t.add(strings.Clone(id))
		}
		b.Run("find/"+impl.name, func(b *testing.B) {
			lookups := make([]string, len(ids)) // what a request gives: a copy, not the stored string
			for i := range lookups {
				lookups[i] = strings.Clone(ids[i*7919%len(ids)])
			}
			i := 0
			for b.Loop() {
				if _, ok := t.find(lookups[i%len(lookups)]); !ok {
					b.Fatal("not found")
				}
				i++
			}
		})
		b.Run("compare/"+impl.name, func(b *testing.B) {
			n := len(ids)
			i := 0
			for b.Loop() {
				t.compare(int32(i%n), int32((i*7919+1)%n))
				i++
			}
		})
	}
}
