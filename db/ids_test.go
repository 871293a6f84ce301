package db

import (
	"fmt"
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
