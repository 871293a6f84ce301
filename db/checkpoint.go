package db

import (
	"context"
	"database/sql"
	"time"
)

// checkpointInterval is how often the checkpointer copies the WAL back into the database file.
const checkpointInterval = 20 * time.Millisecond

// checkpointer copies the WAL back into the database file in the background, on a connection of
// its own (another core), so that the writer's own automatic checkpoint has little left to copy
// (docs/storage.md, "Checkpoints"). A passive checkpoint blocks neither writer nor readers.
type checkpointer struct {
	conn    *sql.DB
	quit    chan struct{}
	stopped chan struct{}
}

func startCheckpointer(conn *sql.DB) *checkpointer {
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, quit: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.stopped)
	tick := time.NewTicker(checkpointInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-tick.C:
			// Failing (busy with the writer's own checkpoint, a full disk) is fine: the frames
			// stay in the WAL for the next try. A PRAGMA, which sqlc does not generate.
			_, _ = c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

func (c *checkpointer) close() {
	close(c.quit)
	<-c.stopped
	c.conn.Close()
}
