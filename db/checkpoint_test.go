package db

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// An idle store does not wake up: the checkpointer runs after commits, until the WAL is copied,
// and then waits for the next one. In a synctest bubble an idle hour passes at once; a
// checkpointer on a timer would run 180,000 times in it.
func TestCheckpointerRunsOnlyAfterCommits(t *testing.T) {
	synctest.Test(t, testCheckpointerRunsOnlyAfterCommits)
}

func testCheckpointerRunsOnlyAfterCommits(t *testing.T) {
	store := mustOpenStore(t)
	cp := store.checkpointer
	passFakeTime(time.Second) // fake time: start-up's checkpoint, of what the migrations wrote
	synctest.Wait()
	atStart := cp.runs.Load()
	if atStart == 0 || atStart > 2 {
		t.Errorf("%d checkpoints after opening, want one or two (what the migrations wrote)", atStart)
	}
	passFakeTime(time.Hour)
	synctest.Wait()
	if n := cp.runs.Load() - atStart; n != 0 {
		t.Errorf("%d checkpoints in an idle hour, want none", n)
	}

	if err := store.committer.write(context.Background(), inSavepoint, writeReadyTask("t-1")); err != nil {
		t.Fatal(err)
	}
	passFakeTime(time.Second)
	synctest.Wait()
	afterWrite := cp.runs.Load()
	if afterWrite == atStart {
		t.Error("no checkpoint after a commit")
	}
	if _, complete := cp.checkpoint(); !complete {
		t.Error("the WAL still has frames to copy a second after the commit")
	}
	passFakeTime(time.Hour)
	synctest.Wait()
	if n := cp.runs.Load() - afterWrite - 1; n != 0 {
		t.Errorf("%d checkpoints in an idle hour after a write, want none", n)
	}
}

// A trickle of writes, each in a transaction of its own as a lab's agents send them, is copied
// back a few times a second rather than every 20 ms, and still all of it once the writes stop.
func TestATrickleOfWritesIsCheckpointedLessOften(t *testing.T) {
	synctest.Test(t, testATrickleOfWritesIsCheckpointedLessOften)
}

func testATrickleOfWritesIsCheckpointedLessOften(t *testing.T) {
	store := mustOpenStore(t)
	cp := store.checkpointer
	passFakeTime(time.Second)
	synctest.Wait()
	before := cp.runs.Load()
	const writes, every = 500, 10 * time.Millisecond // 5 s of 100 small transactions a second
	for i := range writes {
		if err := store.committer.write(context.Background(), inSavepoint, writeReadyTask(fmt.Sprintf("t-%d", i))); err != nil {
			t.Fatal(err)
		}
		passFakeTime(every)
	}
	// At a fixed 20 ms, 250; doubling from 20 ms to 320 ms takes 4, then one every 320 ms: 20.
	if runs := cp.runs.Load() - before; runs > 25 {
		t.Errorf("%d checkpoints over %v of a trickle of writes, want at most 25", runs, writes*every)
	}
	passFakeTime(maxCheckpointInterval)
	synctest.Wait()
	if frames, complete := cp.checkpoint(); !complete {
		t.Errorf("the WAL still has frames to copy (%d) once the writes stopped", frames)
	}
}

// The checkpoints' interval follows the frames each one finds: it doubles while they find few,
// up to maxCheckpointInterval, and halves once they find checkpointFrames or more, down to
// checkpointInterval, to which it comes back at once when the WAL nears walBound.
func TestNextCheckpointInterval(t *testing.T) {
	nearBound := int64(walBound * 3 / 4 / walFrameSize)
	for _, c := range []struct {
		interval      time.Duration
		before, after int64 // frames in the WAL at the checkpoint before and at this one
		want          time.Duration
	}{
		{checkpointInterval, 0, 0, 2 * checkpointInterval},
		{checkpointInterval, 100, 100 + checkpointFrames/2 - 1, 2 * checkpointInterval},
		{checkpointInterval, 100, 100 + checkpointFrames/2, checkpointInterval},
		{80 * time.Millisecond, 100, 100 + checkpointFrames - 1, 80 * time.Millisecond},
		{80 * time.Millisecond, 100, 100 + checkpointFrames, 40 * time.Millisecond},
		{maxCheckpointInterval, 0, 10, maxCheckpointInterval},
		{maxCheckpointInterval, 3000, 10, maxCheckpointInterval},                   // started over: 10 new
		{maxCheckpointInterval, 3000, checkpointFrames, maxCheckpointInterval / 2}, // started over: 1,024 new
		{maxCheckpointInterval, nearBound - 10, nearBound - 1, maxCheckpointInterval},
		{maxCheckpointInterval, nearBound - 10, nearBound + 1, checkpointInterval}, // few new, but near the bound
	} {
		if got := nextCheckpointInterval(c.interval, c.before, c.after); got != c.want {
			t.Errorf("after %v, %d then %d frames: %v, want %v", c.interval, c.before, c.after, got, c.want)
		}
	}
}
