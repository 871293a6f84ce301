package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"smslab/sms"
)

// Writes that arrive while a commit is under way share the next transaction, and a write that
// fails after writing leaves nothing behind while the others in its batch commit. The batching
// tests run in a synctest bubble so that they can wait until writes queue; they fail when
// group commit is off: go test ./db -run Commit -args -maxbatch 1
func TestGroupCommitKeepsEachWriteWhole(t *testing.T) {
	synctest.Test(t, testGroupCommitKeepsEachWriteWhole)
}

func testGroupCommitKeepsEachWriteWhole(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	errFail := errors.New("fails after writing")

	release := holdCommitter(store)
	commitsBefore := store.committer.commits.Load()
	results := make(chan error, 3)
	for _, fn := range []writeFunc{
		writeReadyTask("kept-1"),
		func(ctx context.Context, tx *writeTx) error {
			if err := writeReadyTask("dropped")(ctx, tx); err != nil {
				return err
			}
			return errFail
		},
		writeReadyTask("kept-2"),
	} {
		go func() { results <- store.committer.write(ctx, inSavepoint, fn) }()
	}
	synctest.Wait() // until the three wait for the committer
	if err := release(); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for range 3 {
		if err := <-results; errors.Is(err, errFail) {
			failed++
		} else if err != nil {
			t.Errorf("write: %v", err)
		}
	}
	if failed != 1 {
		t.Errorf("%d writes failed, want 1", failed)
	}
	if commits := store.committer.commits.Load() - commitsBefore; commits != 2 {
		t.Errorf("the held write and the three queued behind it took %d transactions, want 2: "+
			"the three share the one after the held write's", commits)
	}
	for id, want := range map[string]bool{"first": true, "kept-1": true, "kept-2": true, "dropped": false} {
		_, err := store.GetTask(ctx, id)
		if got := err == nil; got != want {
			t.Errorf("task %s stored: %v, want %v (%v)", id, got, want, err)
		}
	}

	store.Close()
	if err := store.committer.write(ctx, inSavepoint, writeReadyTask("late")); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close: %v, want ErrClosed", err)
	}
}

// A transaction whose COMMIT fails is rolled back. SQLite leaves it open after a failed COMMIT
// (here on a deferred foreign key), and the committer, which runs its own BEGIN and COMMIT, must
// roll it back itself, or every later write would fail ("cannot start a transaction within a
// transaction").
func TestFailedCommitIsRolledBack(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	for _, ddl := range []string{
		"CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY)",
		"CREATE TEMP TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
	} {
		if _, err := store.committer.conn.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	err := store.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		_, err := tx.db.ExecContext(ctx, "INSERT INTO child VALUES (1)") // checked at COMMIT
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("write with a dangling deferred foreign key: %v, want a failed COMMIT", err)
	}
	if err := store.Import(ctx, manyTasks(3)); err != nil {
		t.Fatalf("write after a failed COMMIT: %v", err)
	}
	var children int
	if err := store.committer.conn.QueryRowContext(ctx, "SELECT count(*) FROM child").Scan(&children); err != nil || children != 0 {
		t.Errorf("rows of the failed transaction: %d (%v), want 0", children, err)
	}
	if _, err := store.GetTask(ctx, "task-00002"); err != nil {
		t.Errorf("task imported after the failed COMMIT: %v", err)
	}
}

// A storage failure may make SQLite roll the whole transaction back (SQLITE_FULL, SQLITE_IOERR).
// The writes of that batch are then all refused as unavailable and none is stored: the ones
// before the failure were rolled back with it, and the ones after it must not run, or each would
// commit on its own (a savepoint, or a write without one, outside a transaction starts one)
// while being answered with an error.
func TestStorageFailureEndsTheBatch(t *testing.T) { synctest.Test(t, testStorageFailureEndsTheBatch) }

func testStorageFailureEndsTheBatch(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	// What SQLite does on a disk I/O error: the transaction is gone.
	ioError := func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.db.ExecContext(ctx, "ROLLBACK"); err != nil {
			return err
		}
		return fmt.Errorf("%w: disk I/O error (simulated)", ErrUnavailable)
	}

	release := holdCommitter(store) // the writes below then share a batch, in whatever order
	results := make(chan error, 4)
	go func() { results <- store.committer.write(ctx, inSavepoint, writeReadyTask("in-savepoint")) }()
	go func() { results <- store.committer.write(ctx, noSavepoint, writeReadyTask("bare")) }()
	go func() { results <- store.committer.write(ctx, inSavepoint, ioError) }()
	go func() { results <- store.committer.write(ctx, noSavepoint, writeReadyTask("bare-2")) }()
	synctest.Wait() // until the four wait for the committer
	if err := release(); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := <-results; !errors.Is(err, ErrUnavailable) {
			t.Errorf("a write of the failed batch: %v, want ErrUnavailable", err)
		}
	}
	for _, id := range []string{"in-savepoint", "bare", "bare-2"} {
		if _, err := store.GetTask(ctx, id); !errors.Is(err, ErrTaskNotFound) {
			t.Errorf("task %s of the failed batch: %v, want not stored", id, err)
		}
	}
	if err := store.committer.write(ctx, inSavepoint, writeReadyTask("after")); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	if _, err := store.GetTask(ctx, "after"); err != nil {
		t.Errorf("task written after the failed batch: %v", err)
	}
}

// writeReadyTask is a write that stores a READY task with the given id.
func writeReadyTask(id string) writeFunc {
	return func(ctx context.Context, tx *writeTx) error {
		_, err := tx.UpsertTask(ctx, UpsertTaskParams(Task{ID: id, Name: id, State: "READY"}))
		return err
	}
}

// holdCommitter keeps the committer in a write of task "first" until the function it returns
// is called, so that writes sent meanwhile queue behind it and share the next batch; that
// function returns the held write's outcome. It runs in a synctest bubble, as the store does:
// synctest.Wait then returns once the writes sent meanwhile all wait for the committer.
func holdCommitter(store *Store) (release func() error) {
	held := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- store.committer.write(context.Background(), inSavepoint, func(ctx context.Context, tx *writeTx) error {
			<-held
			return writeReadyTask("first")(ctx, tx)
		})
	}()
	synctest.Wait()
	passFakeTime(gatherWait) // its batch stops gathering
	synctest.Wait()          // until the committer holds the write
	return func() error {
		close(held)
		return <-first
	}
}

// At a light load, a write's batch stays open gatherWait for writes on their way, which share its
// transaction. A wait pays when it brings a write in its second half; after fruitlessWaits waits
// that did not (a burst of clients answered together, or one client alone), writes commit at
// once but for a probe every gatherProbe.
func TestGatheringHoldsABatchOpenWhileWaitingPays(t *testing.T) {
	synctest.Test(t, testGatheringHoldsABatchOpenWhileWaitingPays)
}

func testGatheringHoldsABatchOpenWhileWaitingPays(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	c := store.committer
	n := 0
	write := func() error {
		n++
		return c.write(ctx, inSavepoint, writeReadyTask(fmt.Sprint("task-", n)))
	}
	// send writes once (gap < 0), or twice, the second gap after the first, and returns the
	// transactions they took and the time from the first write to the answers: the synctest
	// clock stands still but for the waits.
	send := func(gap time.Duration) (commits int64, took time.Duration) {
		commitsBefore, start := c.commits.Load(), time.Now()
		first := make(chan error, 1)
		go func() { first <- write() }()
		synctest.Wait() // the committer holds first's batch open, or has committed it
		if gap >= 0 {
			passFakeTime(gap)
			if err := write(); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		return c.commits.Load() - commitsBefore, time.Since(start)
	}

	const alone = -1
	early, late := gatherWait/8, gatherWait*3/4
	for i, step := range []struct {
		what    string
		gap     time.Duration
		commits int64
		took    time.Duration
	}{
		{"late", late, 1, gatherWait},   // the wait pays
		{"burst", early, 1, gatherWait}, // a write early in the wait does not pay: the first in a row
		{"late", late, 1, gatherWait},   // pays again
		{"burst", early, 1, gatherWait},
		{"burst", early, 1, gatherWait},
		{"alone", alone, 1, gatherWait}, // the third in a row that does not pay
		{"alone", alone, 1, 0},          // no more waits
		{"burst", early, 2, early},      // nor for a burst
		{"probe", alone, 1, gatherWait}, // once gatherProbe has passed since the last wait
		{"alone", alone, 1, 0},
	} {
		if step.what == "probe" {
			passFakeTime(gatherProbe)
		}
		if commits, took := send(step.gap); commits != step.commits || took != step.took {
			t.Errorf("step %d, %s: %d transactions answered after %v, want %d after %v",
				i, step.what, commits, took, step.commits, step.took)
		}
	}
}

// A sub-task id taken in a batch whose COMMIT fails is never handed out again: the sequence is
// stored with the next batch that commits, even when that batch stores the same id through an
// update, and it holds across a restart.
func TestSubTaskIDsAfterAFailedCommit(t *testing.T) {
	synctest.Test(t, testSubTaskIDsAfterAFailedCommit)
}

func testSubTaskIDsAfterAFailedCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "failed-commit.db")
	store := mustOpen(t, path)
	t.Cleanup(func() { store.Close() }) // whichever is open: a bubble ends with no goroutine left
	running := []sms.Task{{ID: ptr("a"), State: ptr("RUNNING")}, {ID: ptr("b"), State: ptr("RUNNING")}, {ID: ptr("c"), State: ptr("RUNNING")}}
	if err := store.Import(ctx, running); err != nil {
		t.Fatal(err)
	}
	for _, ddl := range []string{
		"CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY)",
		"CREATE TEMP TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
	} {
		if _, err := store.committer.conn.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	// One batch: a report that creates a sub-task (taking id 1), and a write whose dangling
	// foreign key fails the batch's COMMIT.
	release := holdCommitter(store)
	failed := make(chan error, 2)
	go func() { failed <- store.ReportProgress(ctx, "b", reportOn("CREATE_CLOUD_SERVER")) }()
	go func() {
		failed <- store.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
			_, err := tx.db.ExecContext(ctx, "INSERT INTO child VALUES (1)")
			return err
		})
	}()
	synctest.Wait() // until both wait for the committer
	release()
	for range 2 {
		if err := <-failed; err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Fatalf("a write of the failed batch: %v, want the failed COMMIT", err)
		}
	}
	req, err := sms.NewDecoder().DecodeUpdateTask([]byte(`{"sub_tasks":[{"id":1,"name":"CREATE_CLOUD_SERVER","progress":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateTask(ctx, "a", req); err != nil {
		t.Fatal(err)
	}
	store.Close()

	store = mustOpen(t, path)
	if id := newSubTaskID(t, store, "c"); id <= 1 {
		t.Errorf("sub-task created after the failed COMMIT and a restart: id %d, want an id above 1", id)
	}
}

// OnCommit hears how many writes each transaction held: the held write alone, then the three
// that queued behind it together.
func TestOnCommitHearsEachBatchSize(t *testing.T) { synctest.Test(t, testOnCommitHearsEachBatchSize) }

func testOnCommitHearsEachBatchSize(t *testing.T) {
	var sizes []int // appended on the committer's goroutine, read once the writes are answered
	store, err := Open(context.Background(), filepath.Join(t.TempDir(), "smslab.db"), OnCommit(func(writes int) {
		sizes = append(sizes, writes)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	release := holdCommitter(store)
	results := make(chan error, 3)
	for i := range 3 {
		go func() {
			results <- store.committer.write(context.Background(), inSavepoint, writeReadyTask(fmt.Sprint("t-", i)))
		}()
	}
	synctest.Wait() // until the three wait for the committer
	if err := release(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(sizes) != "[1 3]" {
		t.Errorf("batch sizes %v, want [1 3]", sizes)
	}
}
