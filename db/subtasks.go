package db

import (
	"context"

	"smslab/sms"
)

// A task's sub-tasks are kept in one of two places (migration 0005, docs/storage.md):
//
//   - Up to inlineSubTasks of them in the task's row: sub_tasks, the JSON array as UpdateTask
//     accepts it, and their ListTasks JSON inside listed_dynamic. A report decodes and encodes
//     them all, which at that size costs less than reading and writing rows.
//   - Past that, as rows of sub_tasks, one each, by the task's seq and their position in its
//     array, each with its ListTasks JSON (listed); tasks.sub_tasks is NULL. A report reads and
//     writes one of them; ListTaskPage joins their listings into the task's; current_sub_task
//     points at the one the status page shows.
//
// sub_task_count says how many there are either way (NULL: no sub_tasks array at all). Imports
// and updates pick the place by number; a report moves a task's sub-tasks into rows when it adds
// one past inlineSubTasks.

// inlineSubTasks is the most sub-tasks a task keeps in its row.
const inlineSubTasks = 32

// subTaskBatch is how many sub-task rows a read of a whole task's holds at a time.
const subTaskBatch = 500

// inRows reports whether task t's sub-tasks are rows of sub_tasks.
func inRows(t *Task) bool { return t.SubTasks == nil && t.SubTaskCount != nil }

// setSubTasks gives task t the sub-tasks subTasks (nil for no array), in its row if they are few
// enough, and returns them in the ListTasks shape for listed_dynamic (JSON, nil for none or for
// rows). Rows are written by storeSubTaskRows once the task has a seq.
func setSubTasks(t *Task, subTasks []sms.SubTask) (listed *string) {
	t.SubTasks, t.CurrentSubTask = nil, nil
	if t.SubTaskCount = subTaskCount(subTasks); t.SubTaskCount == nil {
		return nil
	}
	if len(subTasks) > inlineSubTasks {
		t.CurrentSubTask = currentSubTask(t.SubtaskInfo, subTasks)
		return nil
	}
	stored := string(appendSubTasks(nil, subTasks, false))
	listing := string(appendSubTasks(nil, subTasks, true))
	t.SubTasks = &stored
	return &listing
}

// storeSubTaskRows writes the sub-task rows of task t, whose sub-tasks setSubTasks set to
// subTasks: none if they are in its row, else one for each, in place of any it had.
func storeSubTaskRows(ctx context.Context, q *Queries, t *Task, subTasks []sms.SubTask) error {
	if err := q.DeleteSubTasks(ctx, *t.Seq); err != nil || !inRows(t) {
		return err
	}
	for i, st := range subTasks {
		if err := q.CreateSubTask(ctx, CreateSubTaskParams(subTaskRow(*t.Seq, int64(i), st))); err != nil {
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

// loadSubTaskRows reads the first limit sub-task rows of the task with seq, in order, a batch at
// a time.
func loadSubTaskRows(ctx context.Context, q *Queries, seq int64, limit int64) ([]SubTask, error) {
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
// sub-task (currentSubTask), if it has one, holds name and progress.
func currentOf(info *string, name *string, progress *int32) *CurrentSubTask {
	if name != nil {
		return &CurrentSubTask{Name: *name, Progress: valueOf(progress)}
	}
	if info != nil {
		if name, progress, ok := ParseSubtaskInfo(*info); ok {
			return &CurrentSubTask{Name: name, Progress: progress}
		}
	}
	return nil
}
