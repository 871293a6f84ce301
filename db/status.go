package db

import (
	"context"
	"database/sql"
	"errors"

	"smslab/lifecycle"
	"smslab/sms"
)

// StatusQuery selects the tasks the status page shows.
type StatusQuery struct {
	// States are the states to show; nil shows every state.
	States []string
	// Name, if not empty, keeps the tasks whose name contains it (ASCII letters in any case).
	Name   string
	Limit  int64
	Offset int64
}

// StatusTask is a task as the status page shows it: the ListTasks projection, plus its current
// sub-task, how many sub-tasks it has, and what the agent's last progress report left that
// ListTasks does not show. Its sub-tasks are there if it keeps them in its row (at most 32);
// else GetStatusTask reads the first MaxStatusSubTasks of its rows, and ListStatusTasks none.
type StatusTask struct {
	sms.Task
	Current        *CurrentSubTask
	SubTaskCount   int64
	Replicatesize  *int64
	Totalsize      *int64
	RemainSeconds  *int64
	LastReportDate *int64
	// StartDate and FinishDate are when the task started and finished (a success), if known.
	StartDate, FinishDate *int64
}

// MaxStatusSubTasks is how many of a task's sub-tasks GetStatusTask reads: what an expanded row
// of the status page shows.
const MaxStatusSubTasks = 200

// StatusPage is one page of the status page's task list, with the number of tasks matching the
// query.
type StatusPage struct {
	Count int64
	Tasks []StatusTask
}

// ListStatusTasks returns the tasks matching q in the status page's order (running first; see
// statusRank), paged by q.Limit and q.Offset, with the number of matching tasks, from one state
// of the database. A task renamed during a name search is found by the name it had.
func (s *Store) ListStatusTasks(ctx context.Context, q StatusQuery) (StatusPage, error) {
	page, err := s.listStatusTasks(ctx, q)
	if err != nil {
		return StatusPage{}, s.readError(err)
	}
	return page, nil
}

func (s *Store) listStatusTasks(ctx context.Context, q StatusQuery) (StatusPage, error) {
	if err := s.awaitIndex(ctx); err != nil {
		return StatusPage{}, err
	}
	var found []*int64
	if q.Name != "" { // searched before taking the index, which would hold up commits as long
		var err error
		if found, err = s.readQueries.SearchTaskNames(ctx, q.Name); err != nil {
			return StatusPage{}, err
		}
	}
	count, rows, err := s.readStatusRows(ctx, q, found)
	if err != nil {
		return StatusPage{}, err
	}
	// Decoding the rows happens after the index is let go, so that it holds up no commit.
	return statusPageOf(count, rows)
}

// statusPageOf is the page of the rows read, count tasks in all.
func statusPageOf(count int, rows []ListTasksBySeqRow) (StatusPage, error) {
	page := StatusPage{Count: int64(count), Tasks: make([]StatusTask, 0, len(rows))}
	for _, row := range rows {
		t, err := statusRowView(row)
		if err != nil {
			return StatusPage{}, err
		}
		page.Tasks = append(page.Tasks, t)
	}
	return page, nil
}

// statusRowView is statusView of a row of a page, with its current sub-task joined.
func statusRowView(row ListTasksBySeqRow) (StatusTask, error) {
	var current *sms.SubTask // joined, for a task whose sub-tasks are rows
	if row.CurrentName != nil {
		current = &sms.SubTask{Name: row.CurrentName, Progress: narrow(row.CurrentProgress)}
	}
	return statusView(row.Task, current)
}

// readStatusRows picks the page of tasks matching q (and, for a search, found) in the list index
// and reads their rows while holding it for reading.
func (s *Store) readStatusRows(ctx context.Context, q StatusQuery, found []*int64) (int, []ListTasksBySeqRow, error) {
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	var seqs []int64
	var count int
	if q.Name == "" {
		seqs, count = s.index.statusPage(q.States, int(q.Offset), int(q.Limit))
	} else {
		seqs, count = s.index.statusSearch(found, q.States, int(q.Offset), int(q.Limit))
	}
	if len(seqs) == 0 {
		return count, nil, nil
	}
	rows, err := s.readQueries.ListTasksBySeq(ctx, seqsJSON(seqs))
	return count, rows, err
}

// GetStatusTask returns the task with the given id as the status page shows it, with its first
// MaxStatusSubTasks sub-tasks, in one read transaction.
func (s *Store) GetStatusTask(ctx context.Context, id string) (StatusTask, error) {
	t, err := s.getStatusTask(ctx, id)
	if err != nil {
		return StatusTask{}, s.readError(err)
	}
	return t, nil
}

func (s *Store) getStatusTask(ctx context.Context, id string) (StatusTask, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return StatusTask{}, err
	}
	defer tx.Rollback()
	q := s.readQueries.WithTx(tx)
	row, err := loadTask(ctx, q, id)
	if err != nil {
		return StatusTask{}, err
	}
	if !inRows(&row) {
		return statusView(row, nil) // its sub-tasks are in its row, at most inlineSubTasks
	}
	subTasks, err := loadSubTaskRows(ctx, q, *row.Seq, MaxStatusSubTasks)
	if err != nil {
		return StatusTask{}, err
	}
	var current *sms.SubTask
	if at := row.CurrentSubTask; at != nil {
		r, err := q.GetSubTask(ctx, GetSubTaskParams{TaskSeq: *row.Seq, Position: *at})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return StatusTask{}, err
		}
		st := r.subTask()
		current = &st
	}
	t, err := statusView(row, current)
	if err != nil {
		return StatusTask{}, err
	}
	t.SubTasks = make([]sms.TaskSubTask, len(subTasks))
	for i, r := range subTasks {
		t.SubTasks[i] = sms.TaskSubTask{ID: r.ID, Name: r.Name, Progress: narrow(r.Progress),
			StartDate: r.StartDate, EndDate: r.EndDate, ProcessTrace: r.ProcessTrace}
	}
	return t, nil
}

// CountTasksPerState returns how many tasks are in each state; states no task is in are absent.
// The list index counts them.
func (s *Store) CountTasksPerState(ctx context.Context) (map[string]int64, error) {
	if err := s.awaitIndex(ctx); err != nil {
		return nil, err
	}
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	return s.index.countPerState(), nil
}

// statusRank is where the status page puts a task in a state: running or syncing first, then in
// transition, failed, ready, aborted and succeeded; in ListTasks order within a rank.
func statusRank(state string) int {
	switch state {
	case lifecycle.Running, lifecycle.Syncing:
		return 0
	case lifecycle.MigrateFail, lifecycle.SyncFail:
		return 2
	case lifecycle.Ready:
		return 3
	case lifecycle.Abort, lifecycle.SyncFailRolledBack:
		return 4
	case lifecycle.MigrateSuccess, lifecycle.SyncSuccess:
		return 5
	}
	return 1 // aborting, skipping, deleting, resetting, rolling back: in transition
}

// statusView projects a stored task into the status page's shape. current is the current
// sub-task (currentSubTask) of a task whose sub-tasks are rows, nil if it has none; for one that
// keeps them in its row, statusView picks it among them.
func statusView(row Task, current *sms.SubTask) (StatusTask, error) {
	v, err := taskView(row)
	if err != nil {
		return StatusTask{}, err
	}
	if !inRows(&row) {
		subTasks := importedSubTasks(v.SubTasks)
		if at := currentSubTask(row.SubtaskInfo, subTasks); at != nil {
			current = &subTasks[*at]
		}
	}
	var name *string
	var progress *int32
	if current != nil {
		name, progress = current.Name, current.Progress
	}
	return StatusTask{
		Task:           v,
		Current:        currentOf(row.SubtaskInfo, name, progress),
		SubTaskCount:   valueOf(row.SubTaskCount),
		Replicatesize:  row.Replicatesize,
		Totalsize:      row.Totalsize,
		RemainSeconds:  row.RemainSeconds,
		LastReportDate: row.LastReportDate,
		StartDate:      row.StartDate,
		FinishDate:     row.FinishDate,
	}, nil
}
