package db

import (
	"fmt"
	"strconv"
	"strings"

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

// Each task's ListTasks JSON is stored in two fragments (migration 0002) that SQLite joins into a
// page: listed_static, the opening brace and the members only imports and updates change, and
// listed_dynamic, the members a progress report may change and the closing brace. A progress
// report rewrites only the second, from the columns it has read and the sub-tasks it has built.

// renderListing renders both fragments of task t, whose ListTasks shape is v (taskView of t, or
// the seed task t was imported from).
func renderListing(t *Task, v sms.Task) error {
	listedSubTasks, err := arrayJSON(v.SubTasks)
	if err != nil {
		return err
	}
	if t.ListedStatic, err = renderStatic(v); err != nil {
		return err
	}
	t.ListedDynamic = renderDynamic(t, listedSubTasks)
	return nil
}

// renderStatic renders listed_static: v's ListTasks JSON without the members renderDynamic
// writes and without the closing brace.
func renderStatic(v sms.Task) (string, error) {
	v.State, v.EstimateCompleteTime, v.MigrateSpeed, v.CompressRate, v.TotalTime = nil, nil, nil, nil, nil
	v.SubTasks, v.SubtaskInfo, v.NeedMigrationTest = nil, nil, nil
	v.TotalCPUUsage, v.AgentCPUUsage, v.TotalMemUsage, v.AgentMemUsage, v.TotalDiskIO, v.AgentDiskIO = nil, nil, nil, nil, nil, nil
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	// listed_dynamic starts with a comma, so the static part must hold a member: id always is.
	if !strings.HasPrefix(string(b), `{"id":`) {
		return "", fmt.Errorf("task listing without an id: %.40s", b)
	}
	return string(b[:len(b)-1]), nil
}

// renderDynamic renders listed_dynamic from the columns of t that a progress report may change
// and its sub-tasks in the ListTasks shape (JSON, nil for none). Every value was validated on
// the way in, so it encodes.
func renderDynamic(t *Task, listedSubTasks *string) *string {
	b := make([]byte, 0, 256+len(deref(listedSubTasks)))
	name := func(n string) {
		b = append(b, ',', '"')
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
	text("state", &t.State)
	integer("estimate_complete_time", t.EstimateCompleteTime)
	number("migrate_speed", t.MigrateSpeed)
	number("compress_rate", t.CompressRate)
	integer("total_time", t.TotalTime)
	if listedSubTasks != nil {
		name("sub_tasks")
		b = append(b, *listedSubTasks...)
	}
	number("total_cpu_usage", t.TotalCpuUsage)
	number("agent_cpu_usage", t.AgentCpuUsage)
	number("total_mem_usage", t.TotalMemUsage)
	number("agent_mem_usage", t.AgentMemUsage)
	number("total_disk_io", t.TotalDiskIo)
	number("agent_disk_io", t.AgentDiskIo)
	if t.NeedMigrationTest != nil {
		name("need_migration_test")
		b = strconv.AppendBool(b, *t.NeedMigrationTest)
	}
	text("subtask_info", t.SubtaskInfo)
	b = append(b, '}')
	s := string(b)
	return &s
}

// setSubTasks stores a task's sub-tasks as accepted, and returns them in the ListTasks shape
// (JSON, nil for none) for renderDynamic.
func setSubTasks(t *Task, subTasks []sms.SubTask) (*string, error) {
	var err error
	if t.SubTasks, err = arrayJSON(subTasks); err != nil || subTasks == nil {
		return nil, err
	}
	listed := make([]sms.TaskSubTask, len(subTasks))
	for i, st := range subTasks {
		listed[i] = sms.TaskSubTask{ID: st.ID, Name: st.Name, Progress: st.Progress, StartDate: st.StartDate,
			EndDate: st.EndDate, ProcessTrace: st.ProcessTrace}
	}
	return arrayJSON(listed)
}

// appendListed appends task t's ListTasks JSON, its two fragments joined.
func appendListed(b []byte, t Task) []byte {
	b = append(b, t.ListedStatic...)
	return append(b, deref(t.ListedDynamic)...)
}
