package db

import (
	"context"
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
	if !cp.checkpoint() {
		t.Error("the WAL still has frames to copy a second after the commit")
	}
	passFakeTime(time.Hour)
	synctest.Wait()
	if n := cp.runs.Load() - afterWrite - 1; n != 0 {
		t.Errorf("%d checkpoints in an idle hour after a write, want none", n)
	}
}
