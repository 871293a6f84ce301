package db

import (
	"context"

	"smslab/sms"
)

// A task's sub-tasks are rows of sub_tasks (migration 0005), one each, numbered by their
// position in the task's sub_tasks array and holding their ListTasks JSON (listed). A progress
// report reads and writes one of them; a ListTasks page joins their listings into each task's
// JSON (ListTaskPage); the status page reads the current one, or the first of them for an
// expanded row. Imports and updates replace them all. The task's sub_task_count says how many
// there are (NULL: no sub_tasks array at all), and current_sub_task which one the status page
// shows.

// subTaskBatch is how many sub-tasks a read of a whole task's sub-tasks holds at a time.
const subTaskBatch = 500

// storeSubTasks replaces the sub-tasks of the task with seq by subTasks, in their order.
func storeSubTasks(ctx context.Context, q *Queries, seq int64, subTasks []sms.SubTask) error {
	if err := q.DeleteSubTasks(ctx, seq); err != nil {
		return err
	}
	for i, st := range subTasks {
		if err := q.CreateSubTask(ctx, CreateSubTaskParams(subTaskRow(seq, int64(i), st))); err != nil {
			return err
		}
	}
	return nil
}

// subTaskRow is sub-task st at a position among the sub-tasks of the task with seq, its listing
// rendered.
func subTaskRow(seq, position int64, st sms.SubTask) SubTask {
	return SubTask{
		TaskSeq: seq, Position: position, ID: st.ID, Name: st.Name, Progress: widen(st.Progress),
		StartDate: st.StartDate, EndDate: st.EndDate, MigrateSpeed: st.MigrateSpeed, UserOp: st.UserOp,
		ProcessTrace: st.ProcessTrace, Listed: string(appendSubTask(nil, st, true)),
	}
}

// subTask is the sub-task a row holds.
func (r SubTask) subTask() sms.SubTask {
	return sms.SubTask{
		ID: r.ID, Name: r.Name, Progress: narrow(r.Progress), StartDate: r.StartDate, EndDate: r.EndDate,
		MigrateSpeed: r.MigrateSpeed, UserOp: r.UserOp, ProcessTrace: r.ProcessTrace,
	}
}

// renderListed renders the row's listing from its columns.
func (r *SubTask) renderListed() {
	r.Listed = string(appendSubTask(nil, r.subTask(), true))
}

// loadSubTasks reads the first limit sub-tasks of the task with seq, in order, a batch at a
// time.
func loadSubTasks(ctx context.Context, q *Queries, seq int64, limit int64) ([]SubTask, error) {
	var rows []SubTask
	for int64(len(rows)) < limit {
		batch, err := q.ListSubTasks(ctx, ListSubTasksParams{TaskSeq: seq, From: int64(len(rows)), Limit: min(subTaskBatch, limit-int64(len(rows)))})
		if err != nil {
			return nil, err
		}
		rows = append(rows, batch...)
		if len(batch) < subTaskBatch {
			break
		}
	}
	return rows, nil
}

// importedSubTasks are a seed task's sub-tasks as smslab stores them.
func importedSubTasks(subTasks []sms.TaskSubTask) []sms.SubTask {
	if subTasks == nil {
		return nil
	}
	stored := make([]sms.SubTask, len(subTasks))
	for i, st := range subTasks {
		stored[i] = sms.SubTask{ID: st.ID, Name: st.Name, Progress: st.Progress, StartDate: st.StartDate,
			EndDate: st.EndDate, ProcessTrace: st.ProcessTrace}
	}
	return stored
}

// subTaskCount is what sub_task_count holds for subTasks: nil for no array at all.
func subTaskCount[T any](subTasks []T) *int64 {
	if subTasks == nil {
		return nil
	}
	n := int64(len(subTasks))
	return &n
}

// currentSubTask returns the position of the sub-task the status page shows a task to be on,
// given its subtask_info and its sub-tasks: the first one subtask_info names (as a progress
// report writes it, "NAME P%"); none if subtask_info has that form but names none of them (the
// page then shows what subtask_info says); else the first named one not finished, else the last
// one if it is named.
func currentSubTask(info *string, subTasks []sms.SubTask) *int64 {
	at := func(i int) *int64 { p := int64(i); return &p }
	if info != nil {
		name, _, ok := ParseSubtaskInfo(*info)
		if i := indexOfSubTask(subTasks, name); i >= 0 {
			return at(i)
		}
		if ok {
			return nil
		}
	}
	for i, st := range subTasks {
		if st.Name != nil && (st.Progress == nil || *st.Progress < 100) {
			return at(i)
		}
	}
	if n := len(subTasks); n > 0 && subTasks[n-1].Name != nil {
		return at(n - 1)
	}
	return nil
}

// CurrentSubTask is the sub-task the status page shows a task to be on.
type CurrentSubTask struct {
	Name     string
	Progress int32
}

// currentOf is the current sub-task of a task whose subtask_info is info and whose current
// sub-task's row, if it has one, holds name and progress.
func currentOf(info *string, name *string, progress *int64) *CurrentSubTask {
	if name != nil {
		return &CurrentSubTask{Name: *name, Progress: int32(deref0(progress))}
	}
	if info != nil {
		if name, progress, ok := ParseSubtaskInfo(*info); ok {
			return &CurrentSubTask{Name: name, Progress: progress}
		}
	}
	return nil
}

func deref0[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
