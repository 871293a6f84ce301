package db

import (
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"smslab/sms"
)

// TaskPage is a page of ListTasks: the number of tasks matching the filters, and the tasks of the
// page as their ListTasks JSON objects separated by commas, ready to go between [ and ].
type TaskPage struct {
	Count int64
	Tasks []byte
}

// renderView renders the part of a task's ListTasks JSON that only imports and updates change:
// every field but those appendListed takes from their columns.
func renderView(v sms.Task) (string, error) {
	v.State, v.EstimateCompleteTime, v.MigrateSpeed, v.CompressRate, v.TotalTime = nil, nil, nil, nil, nil
	v.SubTasks, v.SubtaskInfo, v.NeedMigrationTest = nil, nil, nil
	v.TotalCPUUsage, v.AgentCPUUsage, v.TotalMemUsage, v.AgentMemUsage, v.TotalDiskIO, v.AgentDiskIO = nil, nil, nil, nil, nil, nil
	b, err := json.Marshal(v)
	return string(b), err
}

// setSubTasks stores a task's sub-tasks both as accepted and in the ListTasks shape.
func setSubTasks(t *Task, subTasks []sms.SubTask) error {
	var err error
	if t.SubTasks, err = arrayJSON(subTasks); err != nil || subTasks == nil {
		t.SubTasksView = nil
		return err
	}
	listed := make([]sms.TaskSubTask, len(subTasks))
	for i, st := range subTasks {
		listed[i] = sms.TaskSubTask{ID: st.ID, Name: st.Name, Progress: st.Progress, StartDate: st.StartDate,
			EndDate: st.EndDate, ProcessTrace: st.ProcessTrace}
	}
	t.SubTasksView, err = arrayJSON(listed)
	return err
}

// listedOf selects from a stored task what ListTasks shows.
func listedOf(t Task) ListTaskViewsBySeqsRow {
	return ListTaskViewsBySeqsRow{
		Seq: t.Seq, ID: t.ID, View: t.View, State: t.State, EstimateCompleteTime: t.EstimateCompleteTime,
		MigrateSpeed: t.MigrateSpeed, CompressRate: t.CompressRate, TotalTime: t.TotalTime,
		SubTasksView: t.SubTasksView, TotalCpuUsage: t.TotalCpuUsage, AgentCpuUsage: t.AgentCpuUsage,
		TotalMemUsage: t.TotalMemUsage, AgentMemUsage: t.AgentMemUsage, TotalDiskIo: t.TotalDiskIo,
		AgentDiskIo: t.AgentDiskIo, NeedMigrationTest: t.NeedMigrationTest, SubtaskInfo: t.SubtaskInfo,
	}
}

// appendListed appends a task's ListTasks JSON: its view, with the fields a progress report may
// change added from their columns. Every value was validated on the way in, so it encodes.
func appendListed(b []byte, r ListTaskViewsBySeqsRow) []byte {
	b = append(b, r.View[:len(r.View)-1]...)
	first := r.View == "{}"
	name := func(n string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, n...)
		b = append(b, '"', ':')
	}
	text := func(n string, v *string) {
		if v != nil {
			name(n)
			b, _ = jsontext.AppendQuote(b, *v)
		}
	}
	integer := func(n string, v *int64) {
		if v != nil {
			name(n)
			b = strconv.AppendInt(b, *v, 10)
		}
	}
	number := func(n string, v *float64) {
		if v != nil {
			name(n)
			b = strconv.AppendFloat(b, *v, 'f', -1, 64)
		}
	}
	text("state", &r.State)
	integer("estimate_complete_time", r.EstimateCompleteTime)
	number("migrate_speed", r.MigrateSpeed)
	number("compress_rate", r.CompressRate)
	integer("total_time", r.TotalTime)
	if r.SubTasksView != nil {
		name("sub_tasks")
		b = append(b, *r.SubTasksView...)
	}
	number("total_cpu_usage", r.TotalCpuUsage)
	number("agent_cpu_usage", r.AgentCpuUsage)
	number("total_mem_usage", r.TotalMemUsage)
	number("agent_mem_usage", r.AgentMemUsage)
	number("total_disk_io", r.TotalDiskIo)
	number("agent_disk_io", r.AgentDiskIo)
	if r.NeedMigrationTest != nil {
		name("need_migration_test")
		b = strconv.AppendBool(b, *r.NeedMigrationTest)
	}
	text("subtask_info", r.SubtaskInfo)
	return append(b, '}')
}
