package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Under sustained writes the WAL file stays within walBound and a batch (docs/storage.md,
// "Checkpoints"), and is cut back to walSizeLimit when it starts over. It grew to 24-32 MB, the
// writer's automatic checkpoint at 8192 pages, and stayed that size.
func TestWALStaysBounded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	store := mustOpen(t, path)
	defer store.Close()
	tasks := manyTasks(200)
	for i := range tasks {
		tasks[i].State = ptr("RUNNING")
	}
	if err := store.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	const reports = 6000
	var largest int64
	cutBack := false
	for i := range reports {
		if err := store.ReportProgress(ctx, *tasks[i%len(tasks)].ID, reportOn("SSL_CONFIG")); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			cutBack = cutBack || fi.Size() < largest
			largest = max(largest, fi.Size())
		}
	}
	t.Logf("largest WAL %.1f MB", float64(largest)/(1<<20))
	if bound := int64(walBound + 1<<20); largest > bound {
		t.Errorf("the WAL reached %.1f MB in %d reports, want at most %.1f MB", float64(largest)/(1<<20), reports, float64(bound)/(1<<20))
	}
	if !cutBack {
		t.Error("the WAL file was never cut back")
	}
}
