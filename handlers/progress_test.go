package handlers_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/sms"
)

const progressTaskID = "7a9a9540-ff28-4869-b9e4-855fbe12xxxx" // READY; the task of the progress example

// The seed's example report, as sent.
const exampleReport = `{
  "subtask_name" : "ATTACH_AGENT_IMAGE",
  "progress" : 100,
  "replicatesize" : 1000,
  "totalsize" : 100000,
  "process_trace" : ""
}`

func storedSubTasks(t *testing.T, app *testApp, id string) []sms.SubTask {
	t.Helper()
	row := app.storedTask(t, id)
	var subTasks []sms.SubTask
	if row.SubTasks != nil {
		if err := json.Unmarshal([]byte(*row.SubTasks), &subTasks); err != nil {
			t.Fatal(err)
		}
	}
	return subTasks
}

func TestUpdateTaskSpeedAcceptsTheSeedExample(t *testing.T) {
	app := newTestApp(t)
	rec := app.put("/v3/tasks/"+progressTaskID+"/progress", exampleReport)
	if rec.Code != http.StatusOK || rec.Body.String() != "{}" {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	now := testNow.UnixMilli()
	row := app.storedTask(t, progressTaskID)
	if row.State != "RUNNING" {
		t.Errorf("state %s, want RUNNING after the first report of a READY task", row.State)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"start_date", row.StartDate, &now},
		{"last_report_date", row.LastReportDate, &now},
		{"replicatesize", row.Replicatesize, ptr(int64(1000))},
		{"totalsize", row.Totalsize, ptr(int64(100000))},
		{"subtask_info", row.SubtaskInfo, ptr("ATTACH_AGENT_IMAGE 100%")},
		{"migrate_speed", row.MigrateSpeed, (*float64)(nil)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("stored %s = %v, want %v", c.field, show(c.got), show(c.want))
		}
	}
	subTasks := app.task(t, progressTaskID).SubTasks
	if len(subTasks) != 1 {
		t.Fatalf("%d sub-tasks, want 1", len(subTasks))
	}
	st := subTasks[0]
	if *st.Name != "ATTACH_AGENT_IMAGE" || *st.Progress != 100 || *st.StartDate != now || *st.EndDate != now || *st.ProcessTrace != "" {
		t.Errorf("sub-task %s", mustJSON(t, st))
	}
	// New sub-tasks are numbered above every id the demo import holds.
	var maxImported int64
	for _, task := range demoTasks(t) {
		for _, imported := range task.SubTasks {
			maxImported = max(maxImported, *imported.ID)
		}
	}
	if *st.ID <= maxImported {
		t.Errorf("new sub-task id %d is not above the imported ids (up to %d)", *st.ID, maxImported)
	}
}

func TestUpdateTaskSpeedUpdatesTheNamedSubTask(t *testing.T) {
	app := newTestApp(t)
	before := storedSubTasks(t, app, dbOrdersTaskID)
	rec := app.put("/v3/tasks/"+dbOrdersTaskID+"/progress", `{
		"subtask_name": "MIGRATE_LINUX_BLOCK", "progress": 70, "replicatesize": 448000000000,
		"totalsize": 640000000000, "process_trace": "Migrated 70%", "migrate_speed": 500.5,
		"compress_rate": 2.5, "remain_time": 3600, "total_cpu_usage": 41.5, "agent_cpu_usage": 9.5,
		"total_mem_usage": 12000, "agent_mem_usage": 640, "total_disk_io": 420, "agent_disk_io": 300,
		"need_migration_test": true, "agent_time": "2026-11-23 18:00:00"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	now := testNow.UnixMilli()
	got := app.task(t, dbOrdersTaskID)
	if *got.State != "RUNNING" || *got.MigrateSpeed != 500.5 || *got.CompressRate != 2.5 ||
		*got.EstimateCompleteTime != now+3600_000 || *got.TotalCPUUsage != 41.5 || *got.AgentCPUUsage != 9.5 ||
		*got.TotalMemUsage != 12000 || *got.AgentMemUsage != 640 || *got.TotalDiskIO != 420 ||
		*got.AgentDiskIO != 300 || !*got.NeedMigrationTest || *got.SubtaskInfo != "MIGRATE_LINUX_BLOCK 70%" {
		t.Errorf("task after the report: %s", mustJSON(t, got))
	}
	row := app.storedTask(t, dbOrdersTaskID)
	if *row.RemainSeconds != 3600 || *row.AgentTime != "2026-11-23 18:00:00" || *row.Replicatesize != 448000000000 || *row.Totalsize != 640000000000 {
		t.Errorf("stored remain %v, agent_time %v, sizes %v/%v", show(row.RemainSeconds), show(row.AgentTime), show(row.Replicatesize), show(row.Totalsize))
	}

	after := storedSubTasks(t, app, dbOrdersTaskID)
	if len(after) != len(before) {
		t.Fatalf("%d sub-tasks, want %d", len(after), len(before))
	}
	want := before[4]
	want.Progress = ptr(int32(70))
	want.ProcessTrace = ptr("Migrated 70%")
	want.MigrateSpeed = ptr(500.5)
	for i := range after {
		w := before[i]
		if i == 4 {
			w = want
		}
		if !reflect.DeepEqual(after[i], w) {
			t.Errorf("sub-task %d: %s, want %s", i, mustJSON(t, after[i]), mustJSON(t, w))
		}
	}

	// Optional figures left out keep their values; reaching 100 ends the sub-task, a report
	// below 100 reopens it.
	rec = app.put("/v3/tasks/"+dbOrdersTaskID+"/progress", `{"subtask_name":"MIGRATE_LINUX_BLOCK","progress":100,"replicatesize":640000000000,"totalsize":640000000000,"process_trace":"done"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	got = app.task(t, dbOrdersTaskID)
	if *got.MigrateSpeed != 500.5 || *got.SubTasks[4].EndDate != now {
		t.Errorf("after 100: speed %v, end_date %v", show(got.MigrateSpeed), show(got.SubTasks[4].EndDate))
	}
	// Reopened, it is a new run (a sync pass, say) that starts now; a further report keeps that.
	reopened := testNow.Add(time.Minute)
	for _, at := range []time.Time{reopened, reopened.Add(time.Minute)} {
		app.store.Now = func() time.Time { return at }
		app.put("/v3/tasks/"+dbOrdersTaskID+"/progress", `{"subtask_name":"MIGRATE_LINUX_BLOCK","progress":99,"replicatesize":1,"totalsize":2,"process_trace":""}`)
		if st := app.task(t, dbOrdersTaskID).SubTasks[4]; st.EndDate != nil || *st.StartDate != reopened.UnixMilli() {
			t.Errorf("a report below 100 at %v: start_date %v, end_date %v; want %d and none", at, show(st.StartDate), show(st.EndDate), reopened.UnixMilli())
		}
	}
}

func TestUpdateTaskSpeedErrors(t *testing.T) {
	app := newTestApp(t)
	wantError(t, app.put("/v3/tasks/no-such-task/progress", exampleReport), 404, "SMS.9002", "The task does not exist: no-such-task")
	wantError(t, app.put("/v3/tasks/"+strings.Repeat("x", 37)+"/progress", exampleReport), 400, "SMS.9001", "task_id must be at most 36 characters long")
	wantError(t, app.put("/v3/tasks/"+strings.Repeat("x", 36)+"/progress", exampleReport), 404, "SMS.9002", "")
}

// report returns a valid progress body with field set to value (raw JSON), or without the field
// when value is "-".
func report(field, value string) string {
	fields := map[string]string{
		"subtask_name": `"MIGRATE_LINUX_BLOCK"`, "progress": "50", "replicatesize": "10",
		"totalsize": "20", "process_trace": `""`,
	}
	if value == "-" {
		delete(fields, field)
	} else {
		fields[field] = value
	}
	var parts []string
	for k, v := range fields {
		parts = append(parts, `"`+k+`":`+v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestUpdateTaskSpeedLimits(t *testing.T) {
	tests := []struct {
		field, value string
		wantMsg      string
	}{
		{"subtask_name", "-", "subtask_name is required"},
		{"progress", "-", "progress is required"},
		{"replicatesize", "-", "replicatesize is required"},
		{"totalsize", "-", "totalsize is required"},
		{"process_trace", "-", "process_trace is required"},
		{"progress", "null", "progress is required"},
		{"subtask_name", `""`, "subtask_name must be one of the 19 documented values: CREATE_CLOUD_SERVER, SSL_CONFIG, ATTACH_AGENT_IMAGE, DETTACH_AGENT_IMAGE, FORMAT_DISK_LINUX, FORMAT_DISK_LINUX_FILE, FORMAT_DISK_LINUX_BLOCK, FORMAT_DISK_WINDOWS and 11 more"},
		{"subtask_name", `"migrate_linux_block"`, "subtask_name must be MIGRATE_LINUX_BLOCK (values are case-sensitive)"},
		{"subtask_name", `"MIGRATE"`, "subtask_name must be one of the 19 documented values: CREATE_CLOUD_SERVER, SSL_CONFIG, ATTACH_AGENT_IMAGE, DETTACH_AGENT_IMAGE, FORMAT_DISK_LINUX, FORMAT_DISK_LINUX_FILE, FORMAT_DISK_LINUX_BLOCK, FORMAT_DISK_WINDOWS and 11 more"},
		{"subtask_name", `"CONFIGURE_WINDOWS"`, ""},
		{"progress", "0", ""},
		{"progress", "100", ""},
		{"progress", "101", "progress must be at most 100"},
		{"progress", "-1", "progress must be at least 0"},
		{"progress", "50.5", "progress must be an Integer"},
		{"progress", "2147483648", "progress must be an Integer"},
		{"progress", `"50"`, "progress must be an Integer"},
		{"replicatesize", "0", ""},
		{"replicatesize", "9223372036854775807", ""},
		{"replicatesize", "9223372036854775808", "replicatesize must be a Long"},
		{"replicatesize", "-1", "replicatesize must be at least 0"},
		{"totalsize", "-1", "totalsize must be at least 0"},
		{"totalsize", "1e3", "totalsize must be a Long"},
		{"process_trace", `"` + strings.Repeat("轨", 2048) + `"`, ""},
		{"process_trace", `"` + strings.Repeat("t", 2049) + `"`, "process_trace must be at most 2048 characters long"},
		{"process_trace", `"line one\nline two"`, ""},
		{"process_trace", `"bell\u0007"`, "process_trace must not contain control characters"},
		{"migrate_speed", "10000", ""},
		{"migrate_speed", "10000.01", "migrate_speed must be at most 10000"},
		{"migrate_speed", "-1", "migrate_speed must be at least 0"},
		{"migrate_speed", `"fast"`, "migrate_speed must be a Double"},
		{"compress_rate", "10001", "compress_rate must be at most 10000"},
		{"remain_time", "2147483647", ""},
		{"remain_time", "2147483648", "remain_time must be at most 2147483647"},
		{"remain_time", "-5", "remain_time must be at least 0"},
		{"total_cpu_usage", "100", ""},
		{"total_cpu_usage", "100.1", "total_cpu_usage must be at most 100"},
		{"agent_cpu_usage", "-0.5", "agent_cpu_usage must be at least 0"},
		{"total_mem_usage", "1048576", ""},
		{"total_mem_usage", "1048577", "total_mem_usage must be at most 1048576"},
		{"agent_mem_usage", "1048576.5", "agent_mem_usage must be at most 1048576"},
		{"total_disk_io", "10000.5", "total_disk_io must be at most 10000"},
		{"agent_disk_io", "-1", "agent_disk_io must be at least 0"},
		{"need_migration_test", `"yes"`, "need_migration_test must be a Boolean"},
		{"agent_time", `"` + strings.Repeat("9", 30) + `"`, ""},
		{"agent_time", `"` + strings.Repeat("9", 31) + `"`, "agent_time must be at most 30 characters long"},
		{"unknown_field", `{"deep":[[[1]]]}`, "unknown_field is not a field of the UpdateTaskSpeed request body"},
		{"name", `"a field of UpdateTask"`, "name is not a field of the UpdateTaskSpeed request body"},
	}
	app := newTestApp(t)
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			wantLimit(t, app, "/v3/tasks/"+dbOrdersTaskID+"/progress", dbOrdersTaskID, report(tt.field, tt.value), tt.wantMsg)
		})
	}
}

// Once an update has stored the largest sub-task id, a report that would create a sub-task is
// refused as a limit of its subtask_name and changes nothing; the store says why in its own
// terms, and the answer is the API's.
func TestReportOnceSubTaskIDsAreUsedUp(t *testing.T) {
	app := newTestApp(t)
	if rec := app.put("/v3/tasks/"+dbOrdersTaskID, `{"sub_tasks":[{"id":9223372036854775807,"name":"CREATE_CLOUD_SERVER","progress":100}]}`); rec.Code != http.StatusOK {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	if n := len(storedSubTasks(t, app, progressTaskID)); n != 0 {
		t.Fatalf("task %s has %d sub-tasks, want none for the report to create one", progressTaskID, n)
	}
	wantLimit(t, app, "/v3/tasks/"+progressTaskID+"/progress", progressTaskID, exampleReport,
		"subtask_name names a new sub-task, but sub-task ids are used up to 9223372036854775807, the largest")
}

// A report missing several mandatory fields names them all, in the documented order, before any
// other fault; one missing field is named alone, as before.
func TestUpdateTaskSpeedNamesEveryMissingField(t *testing.T) {
	app := newTestApp(t)
	for _, tt := range []struct{ body, want string }{
		{`{}`, "Invalid parameter: subtask_name, progress, replicatesize, totalsize and process_trace are required"},
		{`{"subtask_name":"CREATE_CLOUD_SERVER","progress":101,"replicatesize":0}`, "Invalid parameter: totalsize and process_trace are required"},
		{`{"subtask_name":"CREATE_CLOUD_SERVER","progress":101,"replicatesize":0,"totalsize":0}`, "Invalid parameter: process_trace is required"},
	} {
		rec := app.put("/v3/tasks/"+dbOrdersTaskID+"/progress", tt.body)
		if msg := wantError(t, rec, http.StatusBadRequest, "SMS.9001", ""); msg != tt.want {
			t.Errorf("%s: error_msg %q, want %q", tt.body, msg, tt.want)
		}
	}
}
