package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// reportProgress is the write that records rep on the task with the given id, at the time now
// gives, and notes the call in calls as one of the task's source's agent. It reads and writes the
// task's small columns and its sub-tasks, if it keeps them in its row (at most inlineSubTasks), or
// else the one sub-task row rep names: its cost does not grow with the task's sub-tasks. It needs
// no savepoint: a refused report changes nothing (a sub-task id taken is skipped), and should the
// task's UPDATE, or the source's that follows a change of state, fail after a row was written,
// the whole batch ends (see halfWritten).
func reportProgress(id string, rep *sms.ProgressReport, now func() time.Time, calls *agentCalls, paces *paces) writeFunc {
	return func(ctx context.Context, tx *writeTx) error {
		seq, ok := tx.index.seqOf(id)
		if !ok {
			return &NotFoundError{ID: id}
		}
		row, err := tx.GetTaskProgress(ctx, &seq)
		if err != nil {
			return err
		}
		at := now().UnixMilli()
		if row.SourceServerID != nil {
			calls.record(*row.SourceServerID, at, false)
		}
		task := row.task(seq)
		state := task.State
		next, err := stateAfterReport(&task, rep)
		if err != nil {
			return err
		}
		newID := func(count int64) (int64, error) { return takeSubTaskID(tx.subTaskIDs, count) }
		if inRows(&task) {
			err = reportOnSubTaskRow(ctx, tx.Queries, &task, next, rep, at, newID)
		} else {
			var subTasks []sms.SubTask
			if subTasks, err = applyProgressInRow(&task, next, rep, at, newID); err == nil && inRows(&task) {
				err = storeSubTaskRows(ctx, tx.Queries, &task, subTasks) // the report took it past inlineSubTasks
			}
		}
		if err != nil {
			return err
		}
		if err := halfWritten(tx.UpdateTaskProgress(ctx, progressParams(task))); err != nil {
			return err
		}
		paces.record(id, valueOf(row.SourceServerID), at, *rep.SubtaskName, *rep.Progress, rep.MigrateSpeed,
			rep.Replicatesize, rep.Totalsize)
		tx.noteIndexChange(task) // ListServers' current_task shows what a report changes
		if task.State == state {
			return nil
		}
		if task.SourceServerID == nil {
			return nil
		}
		// The source's listing keeps the members a report changes in memory: only its state
		// follows the task here.
		tx.sourcesChanged = true
		if err := followCurrentTask(ctx, tx.Queries, *task.SourceServerID, at); err != nil {
			return fmt.Errorf("%w: the source of task %s: %v", ErrUnavailable, task.ID, err)
		}
		return nil
	}
}

// halfWritten makes the failure of a report's UPDATE of its task, after it wrote a sub-task row,
// a storage failure: that ends the batch and rolls it back (runWrites), so that no report is
// stored in part. Only storage failures are expected there, which do so anyway.
func halfWritten(err error) error {
	if err == nil || errors.Is(storageError(err), ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: a progress report failed half-written: %v", ErrUnavailable, err)
}

// takeSubTaskID numbers a sub-task a report adds to a task that has count, unless it has the most
// a task may have.
func takeSubTaskID(ids *subTaskIDs, count int64) (int64, error) {
	if count >= MaxSubTasks {
		return 0, ErrTooManySubTasks
	}
	return ids.take()
}

// applyProgressInRow applies an agent's progress report to task t, which keeps its sub-tasks in
// its row, and moves it to state next, at time now (epoch ms): it changes only the columns
// progressParams writes, and returns the sub-tasks as the report leaves them (in rows, if it
// took them past inlineSubTasks: then the caller stores them). newID numbers a sub-task the
// report adds to the count there are.
func applyProgressInRow(t *Task, next string, rep *sms.ProgressReport, now int64, newID func(count int64) (int64, error)) ([]sms.SubTask, error) {
	var subTasks []sms.SubTask
	if err := loadJSON(t.SubTasks, &subTasks); err != nil {
		return nil, fmt.Errorf("task %s: sub_tasks: %w", t.ID, err)
	}
	i := indexOfSubTask(subTasks, *rep.SubtaskName)
	if i < 0 {
		id, err := newID(int64(len(subTasks)))
		if err != nil {
			return nil, err
		}
		name := *rep.SubtaskName
		subTasks = append(subTasks, sms.SubTask{ID: &id, Name: &name})
		i = len(subTasks) - 1
	}
	started := func() (*int64, error) { return startOf(t, subTasks), nil }
	if err := applyProgress(t, &subTasks[i], next, rep, now, started); err != nil {
		return nil, err
	}
	renderListedDynamic(t, setSubTasks(t, subTasks))
	return subTasks, nil
}

// reportOnSubTaskRow records an agent's progress report on task t, whose sub-tasks are rows, and
// moves it to state next, at time now (epoch ms): it reads and writes the sub-task row rep
// names, or adds one, and changes only the task's columns progressParams writes.
func reportOnSubTaskRow(ctx context.Context, q *Queries, t *Task, next string, rep *sms.ProgressReport, now int64, newID func(count int64) (int64, error)) error {
	row, err := q.GetSubTaskByName(ctx, GetSubTaskByNameParams{TaskSeq: *t.Seq, Name: rep.SubtaskName})
	created := errors.Is(err, sql.ErrNoRows)
	switch {
	case created:
		id, err := newID(*t.SubTaskCount)
		if err != nil {
			return err
		}
		name := *rep.SubtaskName
		row = SubTask{TaskSeq: *t.Seq, Position: *t.SubTaskCount, ID: &id, Name: &name}
		count := *t.SubTaskCount + 1
		t.SubTaskCount = &count
	case err != nil:
		return err
	}
	st := row.subTask()
	started := func() (*int64, error) { return startOfRows(ctx, q, t, &st, row.Position) }
	if err := applyProgress(t, &st, next, rep, now, started); err != nil {
		return err
	}
	row = subTaskRow(row.TaskSeq, row.Position, st)
	t.CurrentSubTask = &row.Position
	renderListedDynamic(t, nil)
	if created {
		return q.CreateSubTask(ctx, CreateSubTaskParams(row))
	}
	return q.UpdateSubTaskProgress(ctx, subTaskProgressParams(row))
}

// applyProgress records an agent's progress report on the task and on its sub-task st (the one
// the report names, found or new) at time now (epoch ms), and moves the task to state next.
// started tells when the task started (startOf), for a task that has no start date of its own.
func applyProgress(t *Task, st *sms.SubTask, next string, rep *sms.ProgressReport, now int64, started func() (*int64, error)) error {
	if err := recordOnSubTask(t, st, rep, now, started); err != nil {
		return err
	}
	recordOnTask(t, rep, now)
	return enterState(t, next, now, started)
}

// stateAfterReport returns the state the report moves the task to, or a *StateError if the
// task's state does not take it.
func stateAfterReport(t *Task, rep *sms.ProgressReport) (string, error) {
	next, err := lifecycle.Report(t.State, t.Syncing != nil && *t.Syncing, *rep.SubtaskName, *rep.Progress)
	if refusal := (*lifecycle.Refusal)(nil); errors.As(err, &refusal) {
		return "", &StateError{State: t.State, Reason: refusal.Error()}
	}
	return next, err
}

// recordOnSubTask records the report on sub-task st: its progress and trace, and its start and
// end dates.
func recordOnSubTask(t *Task, st *sms.SubTask, rep *sms.ProgressReport, now int64, started func() (*int64, error)) error {
	st.Progress = rep.Progress
	st.ProcessTrace = rep.ProcessTrace
	if rep.MigrateSpeed != nil {
		st.MigrateSpeed = rep.MigrateSpeed
	}
	if st.StartDate == nil {
		st.StartDate = &now
	}
	switch {
	case *rep.Progress == 100 && st.EndDate == nil:
		st.EndDate = &now
	case *rep.Progress < 100 && st.EndDate != nil:
		// Reported again below 100 after its end: a new run of it (a sync pass, a retry) starts.
		// A task that has no start date of its own keeps the one its sub-tasks gave it, which
		// total_time counts from, rather than take this run's.
		if t.StartDate == nil {
			start, err := started()
			if err != nil {
				return err
			}
			t.StartDate = start
		}
		st.StartDate, st.EndDate = &now, nil
	}
	return nil
}

// recordOnTask records on the task what the report says about the whole migration.
func recordOnTask(t *Task, rep *sms.ProgressReport, now int64) {
	setIfPresent(&t.MigrateSpeed, rep.MigrateSpeed)
	setIfPresent(&t.CompressRate, rep.CompressRate)
	setIfPresent(&t.TotalCpuUsage, rep.TotalCPUUsage)
	setIfPresent(&t.AgentCpuUsage, rep.AgentCPUUsage)
	setIfPresent(&t.TotalMemUsage, rep.TotalMemUsage)
	setIfPresent(&t.AgentMemUsage, rep.AgentMemUsage)
	setIfPresent(&t.TotalDiskIo, rep.TotalDiskIO)
	setIfPresent(&t.AgentDiskIo, rep.AgentDiskIO)
	setIfPresent(&t.NeedMigrationTest, rep.NeedMigrationTest)
	setIfPresent(&t.AgentTime, rep.AgentTime)
	if rep.RemainTime != nil {
		remain := *rep.RemainTime
		eta := now + remain*1000
		t.RemainSeconds = &remain
		t.EstimateCompleteTime = &eta
	}
	t.Replicatesize = rep.Replicatesize
	t.Totalsize = rep.Totalsize
	info := SubtaskInfo(*rep.SubtaskName, *rep.Progress)
	t.SubtaskInfo = &info
	t.LastReportDate = &now
}

// enterState moves the task to state next: a READY task starts now, and one whose migration
// succeeds now finishes, with its total time since it started (0 if an update set a later start).
func enterState(t *Task, next string, now int64, started func() (*int64, error)) error {
	if t.State == lifecycle.Ready && t.StartDate == nil {
		t.StartDate = &now
	}
	if next == lifecycle.MigrateSuccess && t.State != lifecycle.MigrateSuccess {
		t.FinishDate = &now
		start, err := started()
		if err != nil {
			return err
		}
		if start != nil {
			total := max(now-*start, 0)
			t.TotalTime = &total
		}
	}
	t.State = next
	return nil
}

// startOf is when the task started: its start date, or for a task imported without one, when
// its first sub-task started.
func startOf(t *Task, subTasks []sms.SubTask) *int64 {
	if t.StartDate != nil {
		return t.StartDate
	}
	var first *int64
	for _, st := range subTasks {
		if st.StartDate != nil && (first == nil || *st.StartDate < *first) {
			first = st.StartDate
		}
	}
	return first
}

// startOfRows is startOf for task t, whose sub-tasks are rows: st, at a position, as the report
// leaves it, and the others as stored. It reads all of them, which happens at most twice in a
// task's life: a rerun gives the task a start date, and it succeeds once.
func startOfRows(ctx context.Context, q *Queries, t *Task, st *sms.SubTask, position int64) (*int64, error) {
	first := startOf(t, []sms.SubTask{*st})
	if t.StartDate != nil {
		return first, nil
	}
	others, err := q.GetSubTaskStartBefore(ctx, GetSubTaskStartBeforeParams{TaskSeq: *t.Seq, Position: position})
	if err != nil {
		return nil, err
	}
	if others >= 0 && (first == nil || others < *first) {
		first = &others
	}
	return first, nil
}

// SubtaskInfo is what a task's subtask_info says: the current sub-task and its progress.
func SubtaskInfo(name string, progress int32) string {
	return fmt.Sprintf("%s %d%%", name, progress)
}

// ParseSubtaskInfo reads what SubtaskInfo writes. An imported subtask_info may be any text: one
// that does not end in " P%" (P from 0 to 100) is all name, and ok is false.
func ParseSubtaskInfo(info string) (name string, progress int32, ok bool) {
	i := strings.LastIndexByte(info, ' ')
	if i < 0 || !strings.HasSuffix(info, "%") {
		return info, 0, false
	}
	p, err := strconv.ParseInt(info[i+1:len(info)-1], 10, 32)
	if err != nil || p < 0 || p > 100 {
		return info, 0, false
	}
	return info[:i], int32(p), true
}

// highestSubTaskID returns the largest id among subTasks, 0 if none has one.
func highestSubTaskID(subTasks []sms.SubTask) int64 {
	var highest int64
	for _, st := range subTasks {
		if st.ID != nil {
			highest = max(highest, *st.ID)
		}
	}
	return highest
}

func indexOfSubTask(subTasks []sms.SubTask, name string) int {
	for i, st := range subTasks {
		if st.Name != nil && *st.Name == name {
			return i
		}
	}
	return -1
}

func setIfPresent[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// progressParams selects the columns applyProgress may change, for UpdateTaskProgress.
func progressParams(t Task) UpdateTaskProgressParams {
	return UpdateTaskProgressParams{
		State:                t.State,
		StartDate:            t.StartDate,
		FinishDate:           t.FinishDate,
		TotalTime:            t.TotalTime,
		EstimateCompleteTime: t.EstimateCompleteTime,
		MigrateSpeed:         t.MigrateSpeed,
		CompressRate:         t.CompressRate,
		TotalCpuUsage:        t.TotalCpuUsage,
		AgentCpuUsage:        t.AgentCpuUsage,
		TotalMemUsage:        t.TotalMemUsage,
		AgentMemUsage:        t.AgentMemUsage,
		TotalDiskIo:          t.TotalDiskIo,
		AgentDiskIo:          t.AgentDiskIo,
		NeedMigrationTest:    t.NeedMigrationTest,
		SubtaskInfo:          t.SubtaskInfo,
		SubTasks:             t.SubTasks,
		SubTaskCount:         t.SubTaskCount,
		CurrentSubTask:       t.CurrentSubTask,
		ListedDynamic:        t.ListedDynamic,
		ListedTail:           t.ListedTail,
		RemainSeconds:        t.RemainSeconds,
		Replicatesize:        t.Replicatesize,
		Totalsize:            t.Totalsize,
		AgentTime:            t.AgentTime,
		LastReportDate:       t.LastReportDate,
		Seq:                  t.Seq,
	}
}

// subTaskProgressParams selects the columns a report changes on a sub-task, for
// UpdateSubTaskProgress.
func subTaskProgressParams(st SubTask) UpdateSubTaskProgressParams {
	return UpdateSubTaskProgressParams{
		Progress: st.Progress, StartDate: st.StartDate, EndDate: st.EndDate, MigrateSpeed: st.MigrateSpeed,
		ProcessTrace: st.ProcessTrace, Listed: st.Listed, TaskSeq: st.TaskSeq, Position: st.Position,
	}
}

// task holds what a progress report reads or rewrites, and where the task is listed, in a Task;
// the other fields stay empty, and UpdateTaskProgress writes none of them.
func (r GetTaskProgressRow) task(seq int64) Task {
	return Task{
		Seq: &seq, ID: r.ID, CreateDate: r.CreateDate, EnterpriseProjectID: r.EnterpriseProjectID, State: r.State,
		Syncing: r.Syncing, SourceServerID: r.SourceServerID, StartDate: r.StartDate, FinishDate: r.FinishDate, TotalTime: r.TotalTime,
		EstimateCompleteTime: r.EstimateCompleteTime, MigrateSpeed: r.MigrateSpeed,
		CompressRate: r.CompressRate, TotalCpuUsage: r.TotalCpuUsage, AgentCpuUsage: r.AgentCpuUsage,
		TotalMemUsage: r.TotalMemUsage, AgentMemUsage: r.AgentMemUsage, TotalDiskIo: r.TotalDiskIo,
		AgentDiskIo: r.AgentDiskIo, NeedMigrationTest: r.NeedMigrationTest, SubtaskInfo: r.SubtaskInfo,
		SubTasks: r.SubTasks, SubTaskCount: r.SubTaskCount, RemainSeconds: r.RemainSeconds, Replicatesize: r.Replicatesize,
		Totalsize: r.Totalsize, AgentTime: r.AgentTime, LastReportDate: r.LastReportDate,
	}
}
