package db

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"time"
)

// checkpointInterval is how often, at most, the checkpointer copies the WAL back into the
// database file while commits go on.
const checkpointInterval = 20 * time.Millisecond

// checkpointer copies the WAL back into the database file in the background, on a connection of
// its own (another core), so that the committer's own checkpoint has little left to copy
// (docs/storage.md, "Checkpoints"). A passive checkpoint blocks neither writer nor readers, but
// racing commits it never completes, and the WAL starts over only after a complete one: the
// committer runs that, between its batches, once the WAL file has passed walBound
// (committer.checkpointWAL). The committer wakes the checkpointer after each commit, and it runs
// at most every checkpointInterval: an idle store leaves it asleep.
type checkpointer struct {
	conn    *sql.DB
	walPath string
	mu      sync.Mutex    // held by whichever checkpoints: this one or the committer
	wake    chan struct{} // holds one wake-up at most: the commits meanwhile share it
	quit    chan struct{}
	stopped chan struct{}
}

func startCheckpointer(conn *sql.DB, path string) *checkpointer {
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, walPath: path + "-wal", wake: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

// committed tells the checkpointer that a transaction committed; it does not wait.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.stopped)
	for {
		select {
		case <-c.quit:
			return
		case <-c.wake:
		}
		c.checkpoint()
		timer := time.NewTimer(checkpointInterval)
		select {
		case <-c.quit:
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

// checkpoint copies what it can of the WAL into the database file without blocking anyone.
// Failing (a full disk, say) is fine: the frames stay in the WAL for the next try. A PRAGMA,
// which sqlc does not generate.
func (c *checkpointer) checkpoint() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
}

// walOverBound reports whether the WAL file has grown past walBound.
func (c *checkpointer) walOverBound() bool {
	fi, err := os.Stat(c.walPath)
	return err == nil && fi.Size() > walBound
}

func (c *checkpointer) close() {
	close(c.quit)
	<-c.stopped
	c.conn.Close()
}
