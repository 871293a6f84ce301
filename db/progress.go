package db

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// reportProgress is the write that records rep on the task with the given id, at the time now
// gives, and notes the call in calls as one of the task's source's agent. It needs no savepoint:
// a refused report changes nothing, and the only changes before UpdateTaskProgress are a
// sub-task id taken, which may be skipped, and, when the state changes, the source's state,
// which follows it (a failing UpdateTaskProgress fails the batch's storage as a whole).
func reportProgress(id string, rep *sms.ProgressReport, now func() time.Time, calls *agentCalls) writeFunc {
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
		if err := applyProgress(&task, rep, at, tx.subTaskIDs.take); err != nil {
			return err
		}
		if task.State != state {
			tx.noteIndexChange(task)
			tx.sourcesChanged = true
			if err := tx.UpdateTaskProgress(ctx, progressParams(task)); err != nil {
				return err
			}
			// The report has no savepoint: a failure here, after the task is written, must end
			// the whole batch, as a storage failure does, or half the report would commit.
			if err := linkTaskSource(ctx, tx.Queries, &task, nil, at); err != nil {
				return fmt.Errorf("%w: the source of task %s: %v", ErrUnavailable, task.ID, err)
			}
			return nil
		}
		return tx.UpdateTaskProgress(ctx, progressParams(task))
	}
}

// applyProgress applies an agent's progress report to a stored task at time now (epoch ms),
// changing only the columns progressParams writes. takeSubTaskID numbers a sub-task the report
// creates, at least the smallest id the task's own sub-tasks leave free.
func applyProgress(t *Task, rep *sms.ProgressReport, now int64, takeSubTaskID func(atLeast int64) (int64, error)) error {
	next, err := stateAfterReport(t, rep)
	if err != nil {
		return err
	}
	var subTasks []sms.SubTask
	if err := loadJSON(t.SubTasks, &subTasks); err != nil {
		return fmt.Errorf("task %s: sub_tasks: %w", t.ID, err)
	}
	subTasks, i, err := findOrAddSubTask(subTasks, *rep.SubtaskName, takeSubTaskID)
	if err != nil {
		return err
	}
	recordOnSubTask(t, subTasks, i, rep, now)
	listedSubTasks := setSubTasks(t, subTasks)
	recordOnTask(t, rep, now)
	enterState(t, next, subTasks, now)
	t.ListedDynamic = renderListedDynamic(t, listedSubTasks)
	return nil
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

// findOrAddSubTask returns the index of the sub-task named name, adding it with the next id if
// the task has none of that name.
func findOrAddSubTask(subTasks []sms.SubTask, name string, takeSubTaskID func(atLeast int64) (int64, error)) ([]sms.SubTask, int, error) {
	if i := indexOfSubTask(subTasks, name); i >= 0 {
		return subTasks, i, nil
	}
	if len(subTasks) >= MaxSubTasks {
		return nil, 0, ErrTooManySubTasks
	}
	highest := highestSubTaskID(subTasks)
	if highest == math.MaxInt64 {
		return nil, 0, ErrNoSubTaskID
	}
	id, err := takeSubTaskID(highest + 1)
	if err != nil {
		return nil, 0, err
	}
	return append(subTasks, sms.SubTask{ID: &id, Name: &name}), len(subTasks), nil
}

// recordOnSubTask records the report on sub-task i: its progress and trace, and its start and
// end dates.
func recordOnSubTask(t *Task, subTasks []sms.SubTask, i int, rep *sms.ProgressReport, now int64) {
	st := &subTasks[i]
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
			t.StartDate = startOf(t, subTasks)
		}
		st.StartDate, st.EndDate = &now, nil
	}
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
func enterState(t *Task, next string, subTasks []sms.SubTask, now int64) {
	if t.State == lifecycle.Ready && t.StartDate == nil {
		t.StartDate = &now
	}
	if next == lifecycle.MigrateSuccess && t.State != lifecycle.MigrateSuccess {
		t.FinishDate = &now
		if start := startOf(t, subTasks); start != nil {
			total := max(now-*start, 0)
			t.TotalTime = &total
		}
	}
	t.State = next
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
		ListedDynamic:        t.ListedDynamic,
		RemainSeconds:        t.RemainSeconds,
		Replicatesize:        t.Replicatesize,
		Totalsize:            t.Totalsize,
		AgentTime:            t.AgentTime,
		LastReportDate:       t.LastReportDate,
		Seq:                  t.Seq,
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
		SubTasks: r.SubTasks, RemainSeconds: r.RemainSeconds, Replicatesize: r.Replicatesize,
		Totalsize: r.Totalsize, AgentTime: r.AgentTime, LastReportDate: r.LastReportDate,
	}
}
