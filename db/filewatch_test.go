package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// Once the database file is removed, or replaced by another renamed over it, while the store
// has it open, the next write and every one after it are refused with the reason, Ready says the
// same, and the store says so once: what SQLite wrote to the file it has open would be lost.
func TestWritesRefusedOnceTheFileIsGone(t *testing.T) {
	for _, tc := range []struct {
		name string
		take func(t *testing.T, path string) // takes the file away from the store
		how  string
	}{
		{"removed", func(t *testing.T, path string) {
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
		}, "removed"},
		{"replaced", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "other.db")
			store := mustOpen(t, other)
			if err := store.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, "replaced by another file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "lab.db")
			var told atomic.Int32
			var toldErr atomic.Value
			store, err := Open(ctx, path, OnFileGone(func(err error) { told.Add(1); toldErr.Store(err) }))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if err := store.Import(ctx, manyTasks(2)); err != nil {
				t.Fatal(err)
			}
			if err := store.ReportProgress(ctx, "task-00001", reportOn("SSL_CONFIG")); err != nil {
				t.Fatal(err)
			}
			if err := store.Ready(ctx); err != nil || told.Load() != 0 {
				t.Fatalf("before: Ready %v, told %d times", err, told.Load())
			}

			tc.take(t, path)
			want := "the task database is unavailable: the database file " + path + " was " + tc.how +
				" while smslab ran, and what is written now would be lost: restart smslab"
			for i, write := range []func() error{
				func() error { return store.ReportProgress(ctx, "task-00001", reportOn("SSL_CONFIG")) },
				func() error { return store.Import(ctx, manyTasks(1)) },
				func() error { return store.Ready(ctx) },
			} {
				if err := write(); !errors.Is(err, ErrUnavailable) || err.Error() != want {
					t.Errorf("call %d after the file went: %v\nwant %s", i, err, want)
				}
			}
			if n, err := told.Load(), toldErr.Load(); n != 1 || !strings.Contains(err.(error).Error(), want) {
				t.Errorf("told %d times (%v), want once", n, err)
			}
		})
	}
}
