package db

import (
	"context"
	"path/filepath"
	"testing"
)

func TestSynchronousFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.db")
	for _, tt := range []struct {
		opts []Option
		want int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{nil, 1}, {[]Option{SynchronousFull()}, 2}} {
		store, err := Open(context.Background(), path, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := store.writer.QueryRow("PRAGMA synchronous").Scan(&got); err != nil || got != tt.want {
			t.Errorf("synchronous %d (%v), want %d", got, err, tt.want)
		}
		store.Close()
	}
}
