package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sync/atomic"
)

// maxBatch bounds how many writes share one transaction. A variable so that a test run can
// turn group commit off (go test ./db -args -maxbatch 1).
var maxBatch = 256

// The committer's transaction statements, prepared once on its connection (see newCommitter).
// sqlc does not parse them, and they control the transaction rather than query the schema, so
// they live here beside the committer that uses them. The committer runs them itself on the one
// connection it holds, rather than through database/sql's Tx, which wraps every prepared
// statement anew for each transaction and watches every query's rows from a goroutine of its
// own: in process that cost a progress report about a sixth of its CPU time
// (go test ./bench -bench Progress, cpu-µs/op).
const (
	stmtBegin = iota
	stmtCommit
	stmtRollback
	stmtSavepoint
	stmtRollbackTo
	stmtRelease
	stmtCount // how many there are
)

// writeTx is what a write runs with: the transaction's queries, and a note of the tasks whose
// place in the listings it changed, for the list index.
type writeTx struct {
	*Queries
	index          *listIndex
	listingChanges map[string]listingKey
	subTaskIDs     *subTaskIDs
}

// noteListingChange notes that the write gave task t, whose Seq is set, a new place in the listings (or a
// first one).
func (tx *writeTx) noteListingChange(t Task) {
	tx.listingChanges[t.ID] = listingKeyOf(t)
}

// seqOf returns the seq of the stored task with the given id, or a *NotFoundError.
func (tx *writeTx) seqOf(id string) (int64, error) {
	if seq, ok := tx.index.seqOf(id); ok {
		return seq, nil
	}
	return 0, &NotFoundError{ID: id}
}

// writeFunc is a write: it runs in a transaction through tx.
type writeFunc func(ctx context.Context, tx *writeTx) error

// pendingWrite is one write waiting for the committer.
type pendingWrite struct {
	fn   writeFunc
	done chan error
	// noSavepoint writes run without a savepoint of their own: their last statement is their only
	// change that matters, so failing leaves nothing that does (a statement that fails changes
	// nothing). The savepoint and its release cost about a tenth of a progress report's time in
	// the writer.
	noSavepoint bool
}

// committer owns the writer connection. It runs every write of the store, one at a time, and
// commits together those that arrive while a commit is under way (group commit): a single
// SQLite writer spends most of each write on the commit, so sharing it lets writes keep pace
// with many clients. Each write runs inside its own savepoint (or not: see pendingWrite), so a
// write that fails leaves nothing behind while the others commit, except after a storage
// failure, when none of the batch is stored (see commitBatch); no write is answered before the commit
// that holds it.
type committer struct {
	conn       *sql.Conn // the writer's only connection, held for the committer's life
	queries    *Queries  // prepared on conn
	index      *listIndex
	subTaskIDs subTaskIDs // only the committer's goroutine touches it
	writes     chan *pendingWrite
	commits    atomic.Int64 // transactions committed, which tests of group commit count
	quit       chan struct{}
	stopped    chan struct{}
	stmts      [stmtCount]*sql.Stmt // indexed by stmtBegin and the others
}

func newCommitter(ctx context.Context, writer *sql.DB, index *listIndex) (_ *committer, err error) {
	conn, err := writer.Conn(ctx)
	if err != nil {
		return nil, err
	}
	c := &committer{conn: conn, index: index, writes: make(chan *pendingWrite), quit: make(chan struct{}), stopped: make(chan struct{})}
	defer func() {
		if err != nil {
			c.closeConn()
		}
	}()
	if c.queries, err = Prepare(ctx, conn); err != nil {
		return nil, err
	}
	for i, query := range [stmtCount]string{
		stmtBegin:      "BEGIN IMMEDIATE",
		stmtCommit:     "COMMIT",
		stmtRollback:   "ROLLBACK",
		stmtSavepoint:  "SAVEPOINT write",
		stmtRollbackTo: "ROLLBACK TO write",
		stmtRelease:    "RELEASE write",
	} {
		if c.stmts[i], err = conn.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
	}
	go c.loop()
	return c, nil
}

// exec runs one of the committer's transaction statements.
func (c *committer) exec(ctx context.Context, stmt int) error {
	_, err := c.stmts[stmt].ExecContext(ctx)
	return err
}

// write runs fn in a transaction shared with other writes and returns once that transaction has
// committed (nil) or fn's error. fn must use the context and Queries it is given.
func (c *committer) write(ctx context.Context, fn writeFunc) error {
	return c.submit(ctx, &pendingWrite{fn: fn, done: make(chan error, 1)})
}

// writeWithoutSavepoint is write for a fn whose last statement is its only change that matters: one that
// fails before or in it may leave earlier changes of no consequence (a sequence moved on)
// behind, and runs without a savepoint.
func (c *committer) writeWithoutSavepoint(ctx context.Context, fn writeFunc) error {
	return c.submit(ctx, &pendingWrite{fn: fn, done: make(chan error, 1), noSavepoint: true})
}

func (c *committer) submit(ctx context.Context, op *pendingWrite) error {
	select {
	case c.writes <- op:
	case <-c.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-op.done
}

func (c *committer) loop() {
	defer close(c.stopped)
	c.loadIndexAndSubTaskIDs()
	for {
		var batch []*pendingWrite
		select {
		case op := <-c.writes:
			batch = append(batch, op)
		case <-c.quit:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case op := <-c.writes:
				batch = append(batch, op)
			default:
				break gather
			}
		}
		errs := c.commitBatch(batch)
		for i, op := range batch {
			op.done <- errs[i]
		}
	}
}

// commitBatch executes a batch in one transaction and returns each write's outcome.
func (c *committer) commitBatch(batch []*pendingWrite) []error {
	ctx := context.Background() // a client leaving must not abort the others' transaction
	errs := make([]error, len(batch))
	failAll := func(err error) []error {
		for i := range errs {
			errs[i] = storageError(err)
		}
		return errs
	}
	if c.index.broken != nil {
		return failAll(c.index.broken)
	}
	if err := c.exec(ctx, stmtBegin); err != nil {
		return failAll(err)
	}
	committed := false
	defer func() {
		if !committed {
			c.exec(ctx, stmtRollback) // fails harmlessly if SQLite already rolled back
		}
	}()
	changes := map[string]listingKey{}
	for i, op := range batch {
		wtx := &writeTx{Queries: c.queries, index: c.index, listingChanges: map[string]listingKey{}, subTaskIDs: &c.subTaskIDs}
		if op.noSavepoint {
			errs[i] = storageError(op.fn(ctx, wtx))
		} else {
			errs[i] = c.runInSavepoint(ctx, op.fn, wtx)
		}
		// After a storage failure (a full disk, an I/O error) SQLite may have rolled the whole
		// transaction back, and the writes after it would each run, and commit, on their own: the
		// batch ends here, all of it refused, and the deferred ROLLBACK makes sure of it.
		if errors.Is(errs[i], ErrUnavailable) {
			return failAll(errs[i])
		}
		if errs[i] == nil {
			maps.Copy(changes, wtx.listingChanges)
		}
	}
	// The sequence counts as stored once the COMMIT that stores it succeeds: after a failed one,
	// ids taken in memory are stored with the next batch, and ids an update stores in between
	// are not mistaken for ones below the stored sequence.
	storesSequence := c.subTaskIDs.unsaved
	if storesSequence {
		if err := c.queries.SetSequence(ctx, SetSequenceParams{Next: c.subTaskIDs.next, Name: subTaskIDSequenceName}); err != nil {
			return failAll(err)
		}
	}
	// Readers take a page of the index and read its rows under the index's read lock, so the
	// commit and the index changes it brings happen together for them.
	c.index.mu.Lock()
	err := c.exec(ctx, stmtCommit)
	if err == nil {
		committed = true
		c.commits.Add(1)
		if storesSequence {
			c.subTaskIDs.unsaved = false
		}
		for id, p := range changes {
			c.index.put(id, p)
		}
	}
	c.index.mu.Unlock()
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = storageError(err)
			}
		}
	}
	return errs
}

// runInSavepoint runs fn inside a savepoint of the batch's transaction, which it rolls back to if
// fn fails, and returns fn's outcome.
func (c *committer) runInSavepoint(ctx context.Context, fn writeFunc, wtx *writeTx) error {
	if err := c.exec(ctx, stmtSavepoint); err != nil {
		return storageError(err)
	}
	var failed error
	if err := fn(ctx, wtx); err != nil {
		failed = storageError(err)
		if rbErr := c.exec(ctx, stmtRollbackTo); rbErr != nil {
			failed = storageError(errors.Join(err, rbErr))
		}
	}
	if err := c.exec(ctx, stmtRelease); err != nil && failed == nil {
		failed = storageError(err)
	}
	return failed
}

// loadIndexAndSubTaskIDs fills the list index from the database, and loads the sub-task sequence, before the
// committer takes any write, so that no write can slip between the two. Unfiltered lists go to
// SQL until the index is ready (its built channel closed without an error) and do not wait for
// it; lists filtered by state or enterprise project wait. Writes find tasks through it, so if it cannot be
// built every write, and every such list, fails with the reason.
func (c *committer) loadIndexAndSubTaskIDs() {
	defer close(c.index.built)
	ctx := context.Background()
	rows, err := c.queries.ListTaskListings(ctx)
	if err == nil {
		c.subTaskIDs.next, err = c.queries.GetSequence(ctx, subTaskIDSequenceName)
	}
	if err != nil {
		c.index.broken = fmt.Errorf("%w: load the list index and the sub-task sequence: %v", ErrUnavailable, err)
		return
	}
	for _, row := range rows {
		c.index.put(row.ID, listingKeyOf(Task{Seq: row.Seq, CreateDate: row.CreateDate, State: row.State, EnterpriseProjectID: row.EnterpriseProjectID}))
	}
}

// close stops the committer once the batch under way has been answered.
func (c *committer) close() {
	close(c.quit)
	<-c.stopped
	c.closeConn()
}

// closeConn closes the statements newCommitter prepared and gives the connection back.
func (c *committer) closeConn() {
	for _, stmt := range c.stmts {
		if stmt != nil {
			stmt.Close()
		}
	}
	if c.queries != nil {
		c.queries.Close()
	}
	c.conn.Close()
}
