package db

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointInterval is how often the checkpointer copies the WAL back into the database file
// while writes come in fast enough to give each checkpoint checkpointFrames frames or more. A
// trickle of writes (a lab's agents, each transaction alone) is copied less often, down to once
// every maxCheckpointInterval: each checkpoint syncs the WAL and the database file, which at 50
// a second cost a lab's server a tenth of its CPU (BENCHMARKS.md, "Per-transaction costs at a
// light load").
const (
	checkpointInterval    = 20 * time.Millisecond
	maxCheckpointInterval = 320 * time.Millisecond
	checkpointFrames      = 1024 // 4 MB of 4 KB pages
)

// futileCheckpointsFor bounds how long checkpoints in a row may leave frames behind (a reader
// still needs them) before the checkpointer waits for the next commit instead.
const futileCheckpointsFor = time.Second

// checkpointer copies the WAL back into the database file in the background, on a connection of
// its own (another core), so that the committer's own checkpoint has little left to copy
// (docs/storage.md, "Checkpoints"). A passive checkpoint blocks neither writer nor readers, but
// racing commits it never completes, and the WAL starts over only after a complete one: the
// committer runs that, between its batches, once the WAL file has passed walBound
// (committer.checkpointWAL). It runs only after commits, which wake it: an idle server does not
// wake up for it.
type checkpointer struct {
	conn    *sql.DB
	walPath string
	mu      sync.Mutex    // held by whichever checkpoints: this one or the committer
	wrote   chan struct{} // a commit happened since the last checkpoint; capacity 1
	quit    chan struct{}
	stopped chan struct{}
	runs    atomic.Int64 // checkpoints run, which the idle test counts
}

func startCheckpointer(conn *sql.DB, path string) *checkpointer {
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, walPath: path + "-wal", wrote: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

// committed tells the checkpointer that the WAL has new frames. It never blocks the committer.
func (c *checkpointer) committed() {
	select {
	case c.wrote <- struct{}{}:
	default: // one is pending already
	}
}

func (c *checkpointer) loop() {
	defer close(c.stopped)
	for {
		select {
		case <-c.quit:
			return
		case <-c.wrote:
		}
		if !c.whileWriting() {
			return
		}
	}
}

// whileWriting checkpoints now, then at its interval while commits keep coming or frames are
// left, and returns once the WAL is copied with no commit since (true) or the checkpointer is
// closing (false). A ticker, not a pause after each checkpoint: under load checkpoints keep the
// pace the design was measured at (docs/storage.md). The interval doubles while checkpoints find
// fewer than checkpointFrames/2 new frames, and halves again once they find checkpointFrames.
func (c *checkpointer) whileWriting() bool {
	interval := checkpointInterval
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var framesBefore int64
	var futileSince time.Time
	for {
		frames, complete := c.checkpoint()
		if complete {
			futileSince = time.Time{}
		} else if futileSince.IsZero() {
			futileSince = time.Now()
		}
		if next := nextCheckpointInterval(interval, framesBefore, frames); next != interval {
			interval = next
			tick.Reset(interval)
		}
		framesBefore = frames
		select {
		case <-c.quit:
			return false
		case <-tick.C:
		}
		select {
		case <-c.wrote:
			continue
		default:
		}
		if complete || time.Since(futileSince) >= futileCheckpointsFor {
			return true
		}
	}
}

// nextCheckpointInterval is the interval after a checkpoint that found after frames in the WAL,
// where the one before found before: 20 ms again once the WAL nears walBound, so that the
// writer's own checkpoint there has little left to copy while the reports wait (with up to 320 ms
// of frames left, it held them for 20-50 ms: the lab's p99).
func nextCheckpointInterval(interval time.Duration, before, after int64) time.Duration {
	n := after - before // new frames
	if after < before {
		n = after // the WAL started over in between
	}
	switch {
	case after*walFrameSize >= walBound*3/4:
		return checkpointInterval
	case n < checkpointFrames/2:
		return min(2*interval, maxCheckpointInterval)
	case n >= checkpointFrames:
		return max(interval/2, checkpointInterval)
	}
	return interval
}

// walFrameSize is the size of a WAL frame: a page and its header.
const walFrameSize = 4096 + 24

// checkpoint runs a passive checkpoint and returns how many frames the WAL holds and whether it
// left them all copied. Failing (busy with the committer's own checkpoint, a full disk) is fine:
// the frames stay in the WAL for the next try. A PRAGMA, which sqlc does not generate.
func (c *checkpointer) checkpoint() (frames int64, complete bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var busy, copied int64
	err := c.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	c.runs.Add(1)
	return frames, err == nil && copied >= frames
}

// walSize returns the size of the WAL file, 0 if there is none.
func (c *checkpointer) walSize() int64 {
	fi, err := os.Stat(c.walPath)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func (c *checkpointer) close() {
	close(c.quit)
	<-c.stopped
	c.conn.Close()
}
