package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// maxBatch bounds how many writes share one transaction. A variable so that a test run can
// turn group commit off (go test ./db -args -maxbatch 1).
var maxBatch = 256

// Gathering (docs/storage.md, "Gathering a batch"): the committer holds a batch open up to
// gatherWait after its first write was queued, for writes on their way, so that a light load's
// writes do not each pay BEGIN, COMMIT and their locks alone. A wait pays when it brings a write
// in its second half; after fruitlessWaits waits in a row that did not (one client writing after
// another, or a few answered together, who only come back once answered), it waits only once
// every gatherProbe.
const (
	gatherWait     = 2 * time.Millisecond
	gatherProbe    = 100 * time.Millisecond
	fruitlessWaits = 3
)

// gathering is the committer's record of whether holding a batch open pays.
type gathering struct {
	fruitless int // waits in a row that did not pay
	lastWait  time.Time
}

// worthWaiting says whether to hold a batch open until the time given: not once it is past,
// and while waits do not pay, only once every gatherProbe.
func (g *gathering) worthWaiting(until time.Time) bool {
	now := time.Now()
	if !now.Before(until) || g.fruitless >= fruitlessWaits && now.Sub(g.lastWait) < gatherProbe {
		return false
	}
	g.lastWait = now
	return true
}

// waited records a wait that brought its last write the time given after the batch's first was
// queued (0: none): it paid if that write came in the wait's second half. Writes that all come
// early are a burst of clients answered together, whom the rest of the wait only keeps waiting.
func (g *gathering) waited(last time.Duration) {
	if last > gatherWait/2 {
		g.fruitless = 0
	} else {
		g.fruitless++
	}
}

// The committer's transaction statements, prepared once on its connection. It runs them itself
// rather than use database/sql's Tx, which cost a report a sixth of its CPU (docs/storage.md).
const (
	stmtBegin = iota
	stmtCommit
	stmtRollback
	stmtSavepoint
	stmtRollbackTo
	stmtRelease
	stmtCheckpoint
	stmtCount // how many there are
)

// writeFunc is a write: it runs in a transaction through tx.
type writeFunc func(ctx context.Context, tx *writeTx) error

// writeTx is what a write runs with: the batch's transaction, through its queries; the list
// index, to find tasks in; the sub-task ids; and the index changes to apply once it commits.
type writeTx struct {
	*Queries
	index      *listIndex
	subTaskIDs *subTaskIDs
	changes    []indexChange // in the order the writes made them (noteIndexChange)
	// sourcesChanged says that a write may have changed sources: the batch reads the changes
	// the triggers noted for the source index (migration 0007) before it commits.
	sourcesChanged bool
	// bulky says that a write may have added megabytes to the WAL (it stores many rows): the
	// committer looks at the WAL's size after the batch (keepWALBound).
	bulky bool
}

// savepointUse says whether a write runs in a savepoint of its own.
type savepointUse int

const (
	// inSavepoint: a write that fails is rolled back to its savepoint, while the rest of its
	// batch commits.
	inSavepoint savepointUse = iota
	// noSavepoint: the write's last statement is its only change that matters, and a statement
	// that fails changes nothing. A progress report saves a tenth of its writer time so.
	noSavepoint
)

// pendingWrite is one write waiting for the committer.
type pendingWrite struct {
	fn        writeFunc
	savepoint savepointUse
	done      chan error
	queued    time.Time // no batch is held open past its first write's queued + gatherWait
}

// committer owns the writer connection and runs every write of the store, one at a time, in
// batches: the writes that arrive while a batch commits share the next transaction (group
// commit). No write is answered before the commit that holds it.
type committer struct {
	conn       *sql.Conn // the writer's only connection, held for the committer's life
	queries    *Queries  // prepared on conn
	index      *listIndex
	sources    *listIndex    // the source servers' list index, keyed by add date, state and project
	file       *fileWatch    // asked after each COMMIT whether the file is still at its path
	checkpoint *checkpointer // woken after each COMMIT; the WAL's bound is kept here (checkpointWAL)
	subTaskIDs subTaskIDs    // only the committer's goroutine touches it
	writes     chan *pendingWrite
	commits    atomic.Int64 // transactions committed, which tests of group commit count
	gather     gathering
	quit       chan struct{}
	stopped    chan struct{}
	stmts      [stmtCount]*sql.Stmt // indexed by stmtBegin and the others

	// wal is what keepWALBound goes by: the writes committed since it last looked at the WAL
	// file, and whether a bulky one (or a WAL past its bound) has it look after the next commit.
	wal struct {
		writes  int
		lookNow bool
	}

	// afterCommit, OnCommit's hook (nil for none), is called with the number of writes a
	// transaction held, once it commits.
	afterCommit func(writes int)
}

func newCommitter(ctx context.Context, writer *sql.DB, index, sources *listIndex, file *fileWatch, checkpoint *checkpointer, afterCommit func(writes int)) (_ *committer, err error) {
	conn, err := writer.Conn(ctx)
	if err != nil {
		return nil, err
	}
	c := &committer{conn: conn, index: index, sources: sources, file: file, checkpoint: checkpoint, afterCommit: afterCommit,
		writes: make(chan *pendingWrite), quit: make(chan struct{}), stopped: make(chan struct{})}
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
		stmtCheckpoint: "PRAGMA wal_checkpoint(PASSIVE)",
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

// write runs fn in a transaction shared with the writes that arrive with it, and returns once
// that transaction has committed (nil) or with fn's error. fn must use the context and queries
// it is given.
func (c *committer) write(ctx context.Context, savepoint savepointUse, fn writeFunc) error {
	op := &pendingWrite{fn: fn, savepoint: savepoint, done: make(chan error, 1), queued: time.Now()}
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
		batch, ok := c.nextBatch()
		if !ok {
			return
		}
		for i, err := range c.commitBatch(batch) {
			batch[i].done <- err
		}
		c.keepWALBound()
	}
}

// keepWALBound looks at the WAL file's size once 16 writes have committed since it last looked,
// or after a bulky write, and checkpoints once it is past walBound. A stat costs a write made
// alone a twentieth of its time; a batch of many writes, or a bulky one, may add megabytes.
func (c *committer) keepWALBound() {
	if c.wal.writes < 16 && !c.wal.lookNow {
		return
	}
	c.wal.writes, c.wal.lookNow = 0, false
	if c.checkpoint.walSize() > walBound {
		c.checkpointWAL()
		c.wal.lookNow = true // the next write starts it over, unless a read keeps it from it
	}
}

// checkpointWAL copies the rest of the WAL into the database file, on the writer's connection
// between batches, once the answers are sent, while the checkpointer waits: no commit races it,
// so it completes (but for frames a read under way still uses), and the next write starts the
// WAL over, which SQLite then cuts back to walSizeLimit. If a read keeps it from starting over,
// the WAL stays past walBound and the next batch tries again.
func (c *committer) checkpointWAL() {
	c.checkpoint.mu.Lock()
	defer c.checkpoint.mu.Unlock()
	_ = c.exec(context.Background(), stmtCheckpoint) // failing, it is tried again
}

// nextBatch waits for a write, and takes with it those already waiting, up to maxBatch, and
// those that gathering waits for; ok is false once the committer is closing.
func (c *committer) nextBatch() (batch []*pendingWrite, ok bool) {
	select {
	case op := <-c.writes:
		batch = append(batch, op)
	case <-c.quit:
		return nil, false
	}
	batch = c.takeWaiting(batch)
	if until := batch[0].queued.Add(gatherWait); len(batch) < maxBatch && c.gather.worthWaiting(until) {
		before := len(batch)
		batch = c.gatherUntil(until, batch)
		var last time.Duration // after the batch's first write, when the last the wait brought was queued
		if len(batch) > before {
			last = batch[len(batch)-1].queued.Sub(batch[0].queued)
		}
		c.gather.waited(last)
	}
	return batch, true
}

// takeWaiting adds to batch the writes already waiting, up to maxBatch.
func (c *committer) takeWaiting(batch []*pendingWrite) []*pendingWrite {
	for len(batch) < maxBatch {
		select {
		case op := <-c.writes:
			batch = append(batch, op)
		default:
			return batch
		}
	}
	return batch
}

// gatherUntil adds to batch the writes that arrive until the time given, up to maxBatch.
func (c *committer) gatherUntil(until time.Time, batch []*pendingWrite) []*pendingWrite {
	timer := time.NewTimer(time.Until(until))
	defer timer.Stop()
	for len(batch) < maxBatch {
		select {
		case op := <-c.writes:
			batch = c.takeWaiting(append(batch, op))
		case <-timer.C:
			return batch
		case <-c.quit:
			return batch // committed, and then the loop ends
		}
	}
	return batch
}

// commitBatch runs a batch of writes in one transaction and returns each write's outcome.
func (c *committer) commitBatch(batch []*pendingWrite) []error {
	ctx := context.Background() // a client leaving must not abort the others' transaction
	if c.index.broken != nil {
		return sameForAll(batch, c.index.broken)
	}
	if err := c.file.lost(); err != nil {
		return sameForAll(batch, err)
	}
	if err := c.exec(ctx, stmtBegin); err != nil {
		return sameForAll(batch, err)
	}
	errs, tx, err := c.runWrites(ctx, batch)
	if err == nil {
		err = c.saveSubTaskIDs(ctx)
	}
	var sourceChanges []ListSourceChangesRow
	if err == nil && tx.sourcesChanged {
		sourceChanges, err = c.takeSourceChanges(ctx)
	}
	if err != nil {
		c.exec(ctx, stmtRollback) // fails harmlessly if SQLite already rolled back
		return sameForAll(batch, err)
	}
	err = c.commit(ctx, tx.changes, sourceChanges)
	if err != nil {
		c.exec(ctx, stmtRollback) // SQLite leaves the transaction open after a failed COMMIT
		err = storageError(err)
	} else {
		c.wal.writes += len(batch)
		c.wal.lookNow = c.wal.lookNow || tx.bulky
		if c.afterCommit != nil {
			c.afterCommit(len(batch))
		}
		// Committed to a file no longer at its path, the writes would be gone at the next start.
		err = c.file.check()
	}
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

// runWrites runs each write of the batch and returns their outcomes and what those that
// succeeded noted in tx (index changes, sources changed, bulk). A storage failure (a full disk,
// an I/O error) fails the whole batch:
// SQLite may have rolled the transaction back, and the writes after it would commit alone.
func (c *committer) runWrites(ctx context.Context, batch []*pendingWrite) (errs []error, tx *writeTx, failure error) {
	errs = make([]error, len(batch))
	tx = &writeTx{Queries: c.queries, index: c.index, subTaskIDs: &c.subTaskIDs}
	for i, op := range batch {
		noted := len(tx.changes)
		if op.savepoint == noSavepoint {
			errs[i] = storageError(op.fn(ctx, tx))
		} else {
			errs[i] = c.runInSavepoint(ctx, op.fn, tx)
		}
		if errors.Is(errs[i], ErrUnavailable) {
			return nil, nil, errs[i]
		}
		if errs[i] != nil {
			tx.changes = tx.changes[:noted] // the write left nothing behind
		}
	}
	return errs, tx, nil
}

// takeSourceChanges reads, and empties, the sources the batch changed (the triggers of migration
// 0007 note them), with their new index keys, before the batch commits.
func (c *committer) takeSourceChanges(ctx context.Context) ([]ListSourceChangesRow, error) {
	changes, err := c.queries.ListSourceChanges(ctx)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	return changes, c.queries.ClearSourceChanges(ctx)
}

// runInSavepoint runs fn inside a savepoint of the batch's transaction, which it rolls back to if
// fn fails, and returns fn's outcome.
func (c *committer) runInSavepoint(ctx context.Context, fn writeFunc, tx *writeTx) error {
	if err := c.exec(ctx, stmtSavepoint); err != nil {
		return storageError(err)
	}
	var failed error
	if err := fn(ctx, tx); err != nil {
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

// saveSubTaskIDs stores the sub-task id sequence if the batch took ids. It counts as stored only
// once the COMMIT succeeds: after a failed one, the ids are stored with the next batch.
func (c *committer) saveSubTaskIDs(ctx context.Context) error {
	if !c.subTaskIDs.unsaved {
		return nil
	}
	return c.queries.SetSequence(ctx, SetSequenceParams{Next: c.subTaskIDs.next, Name: subTaskIDSequenceName})
}

// commit commits the batch's transaction and applies its index changes under the indexes' write
// locks (the tasks', then the sources'), so that a reader, which holds a read lock for a page and
// its rows, sees both or none.
func (c *committer) commit(ctx context.Context, changes []indexChange, sourceChanges []ListSourceChangesRow) error {
	c.index.mu.Lock()
	defer c.index.mu.Unlock()
	if len(sourceChanges) > 0 {
		c.sources.mu.Lock()
		defer c.sources.mu.Unlock()
	}
	if err := c.exec(ctx, stmtCommit); err != nil {
		return err
	}
	c.commits.Add(1)
	c.checkpoint.committed()
	c.subTaskIDs.unsaved = false
	for _, ch := range changes { // first: a source's current task may be new
		if ch.removed {
			c.index.remove(ch.id)
		} else {
			c.index.setMoving(c.index.put(ch.id, ch.seq, ch.key), &ch.moving)
		}
	}
	for _, ch := range sourceChanges {
		if ch.Seq == nil {
			c.sources.remove(ch.ID)
			continue
		}
		slot := c.sources.put(ch.ID, *ch.Seq, indexKey{createDate: *ch.AddDate, state: *ch.State, project: *ch.EnterpriseProjectID})
		c.sources.setSource(slot, ch.LastSeen, ch.TaskID, c.index)
	}
	return nil
}

// sameForAll is the outcome of a batch that failed as a whole.
func sameForAll(batch []*pendingWrite, err error) []error {
	errs := make([]error, len(batch))
	for i := range errs {
		errs[i] = storageError(err)
	}
	return errs
}

// loadBatch is how many rows the committer reads at a time while it builds the indexes: all at
// once, 100,000 tasks and as many sources took 30 MB more than the indexes themselves at start.
const loadBatch = 1000

// loadIndexAndSubTaskIDs builds the list indexes and loads the sub-task id sequence before the
// committer takes its first write, so that no write slips between them. If it fails, every
// write fails with the reason (writes find tasks through the index).
func (c *committer) loadIndexAndSubTaskIDs() {
	defer close(c.index.built)
	defer close(c.sources.built)
	ctx := context.Background()
	fail := func(what string, err error) {
		c.index.broken = fmt.Errorf("%w: load %s: %v", ErrUnavailable, what, err)
		c.sources.broken = c.index.broken
	}
	var err error
	if c.subTaskIDs.next, err = c.queries.GetSequence(ctx, subTaskIDSequenceName); err != nil {
		fail("the sub-task sequence", err)
		return
	}
	if err = c.loadTaskKeys(ctx); err == nil {
		err = c.loadMovingMembers(ctx)
	}
	if err != nil {
		fail("the list index", err)
		return
	}
	if err = c.loadSourceKeys(ctx); err == nil {
		err = c.loadSourceCallsAndTasks(ctx)
	}
	if err != nil {
		fail("the source index", err)
	}
}

// loadTaskKeys puts every task in the list index, read a batch at a time in ListTasks order.
func (c *committer) loadTaskKeys(ctx context.Context) error {
	after := ListTaskIndexKeysAfterParams{CreateDate: math.MaxInt64, Limit: loadBatch}
	for {
		rows, err := c.queries.ListTaskIndexKeysAfter(ctx, after)
		if err != nil {
			return err
		}
		for _, row := range rows {
			c.index.put(row.ID, *row.Seq, indexKeyOf(Task{CreateDate: row.CreateDate, State: row.State, EnterpriseProjectID: row.EnterpriseProjectID}))
		}
		if len(rows) < loadBatch {
			return nil
		}
		after.CreateDate, after.ID = rows[len(rows)-1].CreateDate, rows[len(rows)-1].ID
	}
}

// loadSourceKeys puts every source in the source index, read a batch at a time in ListServers
// order.
func (c *committer) loadSourceKeys(ctx context.Context) error {
	after := ListSourceIndexKeysAfterParams{AddDate: math.MaxInt64, Limit: loadBatch}
	for {
		rows, err := c.queries.ListSourceIndexKeysAfter(ctx, after)
		if err != nil {
			return err
		}
		for _, row := range rows {
			c.sources.put(row.ID, *row.Seq, indexKey{createDate: row.AddDate, state: row.State, project: row.EnterpriseProjectID})
		}
		if len(rows) < loadBatch {
			return nil
		}
		after.AddDate, after.ID = rows[len(rows)-1].AddDate, rows[len(rows)-1].ID
	}
}

// loadSourceCallsAndTasks gives every source in the source index its agent's last call stored and
// its current task, read a batch at a time.
func (c *committer) loadSourceCallsAndTasks(ctx context.Context) error {
	n := len(c.sources.seqs)
	c.sources.lastSeen, c.sources.task = make([]int64, n), make([]int32, n)
	var after int64
	for {
		rows, err := c.queries.ListSourceCallsAndTasksAfter(ctx, ListSourceCallsAndTasksAfterParams{After: &after, Limit: loadBatch})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if slot, ok := c.sources.ids.find(r.ID); ok {
				c.sources.setSource(slot, r.LastSeen, r.TaskID, c.index)
			}
			after = *r.Seq
		}
		if len(rows) < loadBatch {
			return nil
		}
	}
}

// loadMovingMembers gives every task in the list index the members of ListServers' current_task
// that progress reports change, read a batch at a time.
func (c *committer) loadMovingMembers(ctx context.Context) error {
	c.index.moving = make([]packedMoving, len(c.index.seqs))
	var after int64
	for {
		rows, err := c.queries.ListTaskMovingMembersAfter(ctx, ListTaskMovingMembersAfterParams{After: &after, Limit: loadBatch})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if slot, ok := c.index.ids.find(r.ID); ok {
				c.index.setMoving(slot, &movingMembers{EstimateCompleteTime: r.EstimateCompleteTime, StartDate: r.StartDate,
					RemainSeconds: r.RemainSeconds, Replicatesize: r.Replicatesize, Totalsize: r.Totalsize,
					MigrateSpeed: r.MigrateSpeed, CompressRate: r.CompressRate, SubtaskInfo: r.SubtaskInfo})
			}
			after = *r.Seq
		}
		if len(rows) < loadBatch {
			return nil
		}
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
