package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"smslab/sms"
)

// ListTasks returns the tasks matching every filter of q, newest create_date first then by id,
// paged by q.Limit and q.Offset, with the number of matching tasks. The page and the count come
// from one state of the database.
func (s *Store) ListTasks(ctx context.Context, q *sms.ListTasksQuery) (TaskPage, error) {
	page, err := s.listTasks(ctx, q)
	if err != nil {
		return TaskPage{}, s.readError(err)
	}
	return page, nil
}

// readError is what a read that failed returns: ErrClosed if the store is closing, as for a
// write; why the file is gone if it is (a reader connection opened since would find a new file,
// or none); else err with the SQLite failures that mean ErrUnavailable wrapped as such.
func (s *Store) readError(err error) error {
	if s.closed.Load() && !isNotFound(err) {
		return ErrClosed
	}
	if lost := s.file.lost(); lost != nil && !isNotFound(err) {
		return lost
	}
	return storageError(err)
}

// readTx runs fn in one read transaction, so that what it reads is of one state of the database.
func (s *Store) readTx(ctx context.Context, fn func(q *Queries) error) error {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return s.readError(err)
	}
	defer tx.Rollback()
	if err := fn(s.readQueries.WithTx(tx)); err != nil {
		return s.readError(err)
	}
	return nil
}

// listTasks reads a page of ListTasks: through SQL when a selective filter is given, else
// through the list index. Until the index is built at start-up an unfiltered page is read
// through SQL too, and a page filtered by state or enterprise project waits for it.
func (s *Store) listTasks(ctx context.Context, q *sms.ListTasksQuery) (TaskPage, error) {
	if q.ID != nil || q.Name != nil || q.SourceServerID != nil {
		return s.listTasksFromSQL(ctx, q)
	}
	if q.State != nil || q.EnterpriseProjectID != nil {
		if err := s.awaitIndex(ctx); err != nil {
			return TaskPage{}, err
		}
	}
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	if !s.index.ready() {
		return s.listTasksFromSQL(ctx, q)
	}
	seqs, count := s.index.page(q.State, q.EnterpriseProjectID, int(q.Offset), int(q.Limit))
	page := TaskPage{Count: int64(count)}
	if len(seqs) == 0 {
		return page, nil
	}
	tasks, err := s.readQueries.ListTaskPage(ctx, seqsJSON(seqs))
	page.Tasks = []byte(tasks)
	return page, err
}

// awaitIndex waits until the list index is built, and returns why it cannot answer if it could
// not be built.
func (s *Store) awaitIndex(ctx context.Context) error {
	select {
	case <-s.index.built:
		return s.index.broken
	case <-ctx.Done():
		return ctx.Err()
	}
}

// seqsJSON writes seqs as a JSON array, for SQLite's json_each.
func seqsJSON(seqs []int64) string {
	list := []byte{'['}
	for i, seq := range seqs {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, seq, 10)
	}
	return string(append(list, ']'))
}

// listTasksFromSQL reads a page of ListTasks and its count through SQL, in one read transaction.
func (s *Store) listTasksFromSQL(ctx context.Context, q *sms.ListTasksQuery) (TaskPage, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return TaskPage{}, err
	}
	defer tx.Rollback()
	inTx := s.readQueries.WithTx(tx)
	seqs, count, err := queryTaskPage(ctx, inTx, q)
	page := TaskPage{Count: count}
	if err != nil || len(seqs) == 0 {
		return page, err
	}
	tasks, err := inTx.ListTaskPage(ctx, seqsJSON(seqs))
	page.Tasks = []byte(tasks)
	return page, err
}

// queryTaskPage picks the statement that serves the filters present with an index: a selective
// filter (id, name, source server) if there is one, else tasks_by_create_date, for a query
// without filters (the list index serves state and enterprise project alone). It returns the
// page's seqs, for ListTaskPage, and the count.
func queryTaskPage(ctx context.Context, q *Queries, f *sms.ListTasksQuery) ([]int64, int64, error) {
	limit, offset := int64(f.Limit), int64(f.Offset)
	switch {
	case f.ID != nil:
		rows, err := q.ListTaskSeqsByID(ctx, ListTaskSeqsByIDParams{
			ID: *f.ID, Name: f.Name, State: f.State, SourceServerID: f.SourceServerID,
			EnterpriseProjectID: f.EnterpriseProjectID,
		})
		count := int64(len(rows))
		return seqValues(rows[min(offset, count):min(offset+limit, count)]), count, err
	case f.Name != nil:
		rows, err := q.ListTaskSeqsByName(ctx, ListTaskSeqsByNameParams{
			Name: *f.Name, State: f.State, SourceServerID: f.SourceServerID,
			EnterpriseProjectID: f.EnterpriseProjectID, Limit: limit, Offset: offset,
		})
		if err != nil {
			return nil, 0, err
		}
		count, err := q.CountTasksByName(ctx, CountTasksByNameParams{
			Name: *f.Name, State: f.State, SourceServerID: f.SourceServerID,
			EnterpriseProjectID: f.EnterpriseProjectID,
		})
		return seqValues(rows), count, err
	case f.SourceServerID != nil:
		rows, err := q.ListTaskSeqsBySourceServer(ctx, ListTaskSeqsBySourceServerParams{
			SourceServerID: f.SourceServerID, State: f.State,
			EnterpriseProjectID: f.EnterpriseProjectID, Limit: limit, Offset: offset,
		})
		if err != nil {
			return nil, 0, err
		}
		count, err := q.CountTasksBySourceServer(ctx, CountTasksBySourceServerParams{
			SourceServerID: f.SourceServerID, State: f.State, EnterpriseProjectID: f.EnterpriseProjectID,
		})
		return seqValues(rows), count, err
	case f.State != nil || f.EnterpriseProjectID != nil:
		return nil, 0, errors.New("state and enterprise project alone are served by the list index")
	default:
		rows, err := q.ListTaskSeqs(ctx, ListTaskSeqsParams{Limit: limit, Offset: offset})
		if err != nil {
			return nil, 0, err
		}
		count, err := q.CountTasks(ctx)
		return seqValues(rows), count, err
	}
}

// seqValues are the seqs a query returns, which are never NULL.
func seqValues(seqs []*int64) []int64 {
	values := make([]int64, len(seqs))
	for i, seq := range seqs {
		values[i] = *seq
	}
	return values
}

// UpdateTask applies the fields req names to the stored task with the given id. A source_server
// without an id keeps the task's source; one whose id names no stored source makes one. New
// sub_tasks take the place of the task's, wherever they were kept.
func (s *Store) UpdateTask(ctx context.Context, id string, req *sms.UpdateTaskRequest) error {
	now := s.Now().UnixMilli()
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		task, err := loadTask(ctx, tx.Queries, id)
		if err != nil {
			return err
		}
		tx.sourcesChanged = true
		former := task.SourceServerID
		if req.Has("source_server") && req.SourceServer != nil && req.SourceServer.ID == nil {
			r, ss := *req, *req.SourceServer
			ss.ID = withSourceID(nil, former).ID
			r.SourceServer = &ss
			req = &r
		}
		if err := applyUpdate(&task, req); err != nil {
			return err
		}
		if _, err := tx.UpsertTask(ctx, UpsertTaskParams(task)); err != nil {
			return err
		}
		if req.Has("sub_tasks") {
			if err := storeSubTaskRows(ctx, tx.Queries, &task, req.SubTasks); err != nil {
				return err
			}
			tx.bulky = tx.bulky || inRows(&task) // up to 65,535 rows
		}
		if err := linkTaskSource(ctx, tx.Queries, &task, former, now); err != nil {
			return err
		}
		tx.noteIndexChange(task)
		// Sub-tasks that progress reports create later get ids above the ones given here.
		tx.subTaskIDs.skipPast(highestSubTaskID(req.SubTasks))
		return nil
	})
}

// ReportProgress records an agent's progress report on the named sub-task and on the task,
// if the task's state takes it (else a *StateError).
func (s *Store) ReportProgress(ctx context.Context, id string, rep *sms.ProgressReport) error {
	return s.committer.write(ctx, noSavepoint, reportProgress(id, rep, s.Now, s.calls, s.paces))
}

// Import stores tasks from a seed file, replacing any task with the same id, all or nothing:
// ImportSeed of a file that holds only tasks.
func (s *Store) Import(ctx context.Context, tasks []sms.Task) error {
	return s.ImportSeed(ctx, &sms.SeedFile{Tasks: tasks})
}

// importTasks upserts tasks through q at time now (epoch ms), hands each stored task to
// noteIndexChange if it is set, and returns the largest sub-task id among them.
func importTasks(ctx context.Context, q *Queries, tasks []sms.Task, now int64, noteIndexChange func(Task)) (maxSubTaskID int64, err error) {
	for _, v := range tasks {
		former, err := q.GetTaskSource(ctx, *v.ID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		v.SourceServer = withSourceID(v.SourceServer, nil) // every task has a source
		task, err := importedTask(v, now)
		if err != nil {
			return 0, err
		}
		if task.Seq, err = q.UpsertTask(ctx, UpsertTaskParams(task)); err != nil {
			return 0, err
		}
		if err := storeSubTaskRows(ctx, q, &task, importedSubTasks(v.SubTasks)); err != nil {
			return 0, err
		}
		if err := linkTaskSource(ctx, q, &task, former, now); err != nil {
			return 0, err
		}
		if noteIndexChange != nil {
			noteIndexChange(task)
		}
		for _, st := range v.SubTasks {
			if st.ID != nil {
				maxSubTaskID = max(maxSubTaskID, *st.ID)
			}
		}
	}
	return maxSubTaskID, nil
}

// GetTask returns the stored task with the given id, all of its sub-tasks in SubTasks (the JSON
// array UpdateTask accepts) wherever they are kept, in one read transaction.
func (s *Store) GetTask(ctx context.Context, id string) (Task, error) {
	task, err := s.getTask(ctx, id)
	if err != nil {
		return Task{}, s.readError(err)
	}
	return task, nil
}

func (s *Store) getTask(ctx context.Context, id string) (Task, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return Task{}, err
	}
	defer tx.Rollback()
	q := s.readQueries.WithTx(tx)
	task, err := loadTask(ctx, q, id)
	if err != nil || !inRows(&task) {
		return task, err
	}
	rows, err := loadSubTaskRows(ctx, q, *task.Seq, MaxSubTasks)
	if err != nil {
		return Task{}, err
	}
	subTasks := make([]sms.SubTask, len(rows))
	for i, r := range rows {
		subTasks[i] = r.subTask()
	}
	stored := string(appendSubTasks(nil, subTasks, false))
	task.SubTasks = &stored
	return task, nil
}

func loadTask(ctx context.Context, q *Queries, id string) (Task, error) {
	task, err := q.GetTask(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, &NotFoundError{ID: id}
	}
	return task, err
}

// Ready checks that the database file is still the one the store opened, answers a read and has
// every migration applied; any failure is ErrUnavailable.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.file.check(); err != nil {
		return err
	}
	version, err := schemaVersion(ctx, s.reader)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if want := len(migrationNames()); version != want {
		return fmt.Errorf("%w: schema version %d, want %d", ErrUnavailable, version, want)
	}
	if _, err := s.readQueries.CountTasks(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}
