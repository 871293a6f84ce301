package db

import (
	"context"
	"database/sql"

	"github.com/go-json-experiment/json"

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

// StatusTask is a task as the status page shows it: the ListTasks projection, plus what the
// agent's last progress report left that ListTasks does not show.
type StatusTask struct {
	sms.Task
	Replicatesize  *int64
	Totalsize      *int64
	RemainSeconds  *int64
	LastReportDate *int64
}

// StatusPage is one page of the status page's task list, with the number of tasks matching the
// query.
type StatusPage struct {
	Count int64
	Tasks []StatusTask
}

// ListStatusTasks returns the tasks matching q in the status page's order (running first; see
// queries/status.sql), paged by q.Limit and q.Offset, with the number of matching tasks. The
// page and the count come from one snapshot.
func (s *Store) ListStatusTasks(ctx context.Context, q StatusQuery) (StatusPage, error) {
	var states sql.NullString
	if q.States != nil {
		b, err := json.Marshal(q.States)
		if err != nil {
			return StatusPage{}, err
		}
		states = sql.NullString{String: string(b), Valid: true}
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return StatusPage{}, err
	}
	defer tx.Rollback()
	db := s.readQueries.WithTx(tx)
	var rows []Task
	var count int64
	if q.Name == "" {
		rows, err = db.ListStatusTasks(ctx, ListStatusTasksParams{States: states, Limit: q.Limit, Offset: q.Offset})
		if err == nil {
			count, err = db.CountStatusTasks(ctx, states)
		}
	} else {
		rows, err = db.ListStatusTasksByName(ctx, ListStatusTasksByNameParams{
			States: states, Name: q.Name, Limit: q.Limit, Offset: q.Offset,
		})
		if err == nil {
			count, err = db.CountStatusTasksByName(ctx, CountStatusTasksByNameParams{States: states, Name: q.Name})
		}
	}
	if err != nil {
		return StatusPage{}, err
	}
	page := StatusPage{Count: count, Tasks: make([]StatusTask, 0, len(rows))}
	for _, row := range rows {
		t, err := statusView(row)
		if err != nil {
			return StatusPage{}, err
		}
		page.Tasks = append(page.Tasks, t)
	}
	return page, nil
}

// GetStatusTask returns the task with the given id as the status page shows it.
func (s *Store) GetStatusTask(ctx context.Context, id string) (StatusTask, error) {
	row, err := s.GetTask(ctx, id)
	if err != nil {
		return StatusTask{}, err
	}
	return statusView(row)
}

// CountTasksPerState returns how many tasks are in each state; states no task is in are absent.
func (s *Store) CountTasksPerState(ctx context.Context) (map[string]int64, error) {
	rows, err := s.readQueries.CountTasksPerState(ctx)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(rows))
	for _, r := range rows {
		counts[r.State] = r.Count
	}
	return counts, nil
}

func statusView(row Task) (StatusTask, error) {
	v, err := taskView(row)
	if err != nil {
		return StatusTask{}, err
	}
	return StatusTask{
		Task:           v,
		Replicatesize:  row.Replicatesize,
		Totalsize:      row.Totalsize,
		RemainSeconds:  row.RemainSeconds,
		LastReportDate: row.LastReportDate,
	}, nil
}
