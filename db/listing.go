package db

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"smslab/sms"
)

// TaskPage is a page of ListTasks: the number of tasks matching the filters, and the tasks of the
// page as their ListTasks JSON objects separated by commas, ready to go between [ and ].
type TaskPage struct {
	Count int64
	Tasks []byte
}

// A task's listing, its ListTasks JSON, is stored as fragments that SQLite joins into a page
// (see the package comment): listed_static; listed_dynamic, with the sub_tasks array of a task
// that keeps its sub-tasks in its row; the listings of the sub-task rows of one that does not;
// listed_tail. A progress report renders listed_dynamic, listed_tail and, for a sub-task row,
// its listing.

// renderListing renders the fragments of task t, whose ListTasks shape is v (taskView of t, or
// the seed task t was imported from).
func renderListing(t *Task, v sms.Task) error {
	var listedSubTasks *string
	var err error
	if !inRows(t) { // else the sub-task rows hold them
		if listedSubTasks, err = arrayJSON(v.SubTasks); err != nil {
			return err
		}
	}
	if t.ListedStatic, err = renderListedStatic(v); err != nil {
		return err
	}
	renderListedDynamic(t, listedSubTasks)
	return nil
}

// renderListedStatic renders listed_static: v's ListTasks JSON without the members
// renderListedDynamic writes and without the closing brace.
func renderListedStatic(v sms.Task) (string, error) {
	v.State, v.EstimateCompleteTime, v.MigrateSpeed, v.CompressRate, v.TotalTime = nil, nil, nil, nil, nil
	v.SubTasks, v.SubtaskInfo, v.NeedMigrationTest = nil, nil, nil
	v.TotalCPUUsage, v.AgentCPUUsage, v.TotalMemUsage, v.AgentMemUsage, v.TotalDiskIO, v.AgentDiskIO = nil, nil, nil, nil, nil, nil
	b, err := marshalJSON(v)
	if err != nil {
		return "", err
	}
	// listed_dynamic starts with a comma, so the static part must hold a member: id always is.
	if !strings.HasPrefix(string(b), `{"id":`) {
		return "", fmt.Errorf("task listing without an id: %.40s", b)
	}
	return string(b[:len(b)-1]), nil
}

// renderListedDynamic renders listed_dynamic and listed_tail from the columns of t that a
// progress report may change and the sub-tasks it keeps in its row, in the ListTasks shape
// (JSON, nil for none or for rows): the members up to sub_tasks, and those after it with the
// closing brace. Every value was validated on the way in, so it encodes.
func renderListedDynamic(t *Task, listedSubTasks *string) {
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
			b = appendFloat(b, *v)
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
	dynamic := string(b)
	t.ListedDynamic = &dynamic
	b = b[:0]
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
	tail := string(b)
	t.ListedTail = &tail
}

// appendSubTasks appends sub-tasks as the JSON array json.Marshal makes of them or, listed, of
// their ListTasks shape ([]sms.TaskSubTask). TestAppendSubTasksMarshalsLikeJSON holds it to
// json.Marshal.
func appendSubTasks(b []byte, subTasks []sms.SubTask, listed bool) []byte {
	b = append(b, '[')
	for i, st := range subTasks {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSubTask(b, st, listed)
	}
	return append(b, ']')
}

// appendSubTask appends a sub-task as the JSON object json.Marshal makes of it or, listed, of its
// ListTasks shape (sms.TaskSubTask), without reflection: each progress report renders one, in
// the single writer.
func appendSubTask(b []byte, st sms.SubTask, listed bool) []byte {
	first := true
	name := func(n string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, n...)
		b = append(b, '"', ':')
	}
	b = append(b, '{')
	if st.ID != nil {
		name("id")
		b = strconv.AppendInt(b, *st.ID, 10)
	}
	if st.Name != nil {
		name("name")
		b, _ = jsontext.AppendQuote(b, *st.Name)
	}
	switch {
	case st.Progress != nil:
		name("progress")
		b = strconv.AppendInt(b, int64(*st.Progress), 10)
	case !listed: // the stored shape has no omitzero on progress
		name("progress")
		b = append(b, "null"...)
	}
	if st.StartDate != nil {
		name("start_date")
		b = strconv.AppendInt(b, *st.StartDate, 10)
	}
	if st.EndDate != nil {
		name("end_date")
		b = strconv.AppendInt(b, *st.EndDate, 10)
	}
	if st.MigrateSpeed != nil && !listed {
		name("migrate_speed")
		b = appendFloat(b, *st.MigrateSpeed)
	}
	if st.UserOp != nil && !listed {
		name("user_op")
		b, _ = jsontext.AppendQuote(b, *st.UserOp)
	}
	if st.ProcessTrace != nil {
		name("process_trace")
		b, _ = jsontext.AppendQuote(b, *st.ProcessTrace)
	}
	return append(b, '}')
}

// appendFloat appends f as json.Marshal writes a float64: the shortest decimal that reads back
// as f, in exponent form only below 1e-6 or from 1e21 on; but -0 as 0, as marshalJSON does.
func appendFloat(b []byte, f float64) []byte {
	if f == 0 {
		f = 0 // +0 also for -0
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-07 is written e-7
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
