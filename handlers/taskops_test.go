package handlers_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"smslab/lifecycle"
)

// taskBody is a CreateTask body for the source, with extra members (a fragment starting with a
// comma).
func taskBody(source, extra string) string {
	return `{"name":"lab-task","type":"MIGRATE_FILE","source_server":{"id":"` + source + `"},"target_server":{"name":"","vm_id":""},` +
		`"region_name":"r","region_id":"r","project_name":"r","project_id":"p"` + extra + `}`
}

// newTaskFor registers a source (named name) and creates a task for it; it returns both ids.
func (a *testApp) newTaskFor(t *testing.T, name string) (source, task string) {
	t.Helper()
	source = a.registered(t, agentBody(name, "10.8.0.1", `,"disks":[{"name":"/dev/vda","size":100,"used_size":10,"device_use":"BOOT","physical_volumes":[]}]`))
	rec := a.post("/v3/tasks", taskBody(source, ""))
	if rec.Code != http.StatusOK {
		t.Fatalf("CreateTask: %d %s", rec.Code, rec.Body)
	}
	return source, decode[struct {
		ID string `json:"id"`
	}](t, rec).ID
}

// TestEveryActionInEveryState sends every action to a task in every state, syncing or not, and
// checks it is taken (and where it leads, and what it queues) or refused with 400 SMS.2009 and a
// message naming the state, the action and what the state takes, as docs/api.md's table says;
// a refused action changes nothing. The expectations are written out here, not read from the
// code.
func TestEveryActionInEveryState(t *testing.T) {
	// state -> action -> "next state/queued command" for a task with syncing; absent: refused.
	common := map[string]string{"network_check": "/", "collect_log": "/UPLOAD_LOG"}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range common {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	done := map[string]string{"test": "/", "clone_test": "/", "cutover": "/", "clear": "/", "delete": "/", "start": "/SYNC"}
	taken := map[string]map[string]string{
		"READY":                   with(map[string]string{"start": "/START", "delete": "/"}),
		"RUNNING":                 with(map[string]string{"stop": "ABORTING/STOP", "skip": "SKIPPING/SKIP"}),
		"SYNCING":                 with(map[string]string{"stop": "ABORTING/STOP", "test": "/", "clone_test": "/", "cutover": "SYNC_SUCCESS/"}),
		"MIGRATE_SUCCESS":         with(map[string]string{"restart": "READY/START"}),
		"SYNC_SUCCESS":            with(nil),
		"MIGRATE_FAIL":            with(map[string]string{"restart": "READY/START", "delete": "/"}),
		"SYNC_FAIL":               with(map[string]string{"restart": "READY/START", "delete": "/", "sync_failed_rollback": "SYNC_F_ROLLBACK_SUCCESS/"}),
		"ABORTING":                with(nil),
		"ABORT":                   with(map[string]string{"start": "/START", "restart": "READY/START", "delete": "/"}),
		"SKIPPING":                with(nil),
		"DELETING":                {},
		"RESETING":                with(nil),
		"SYNC_F_ROLLBACKING":      with(nil),
		"SYNC_F_ROLLBACK_SUCCESS": with(map[string]string{"start": "/START", "delete": "/"}),
	}
	for k, v := range done {
		taken["MIGRATE_SUCCESS"][k], taken["SYNC_SUCCESS"][k] = v, v
	}
	if len(taken) != len(lifecycle.States()) {
		t.Fatalf("%d rows for %d states", len(taken), len(lifecycle.States()))
	}
	app := newTestApp(t)
	for _, state := range lifecycle.States() {
		for _, syncing := range []bool{true, false} {
			for _, action := range lifecycle.Actions {
				name := fmt.Sprintf("%s syncing=%v %s", state, syncing, action)
				want, ok := taken[state][action]
				if !syncing && want == "/SYNC" {
					ok = false // start on a migrated task that does not sync
				}
				id := stateTask(t, app, state, syncing)
				before := app.storedTask(t, id)
				var rec = app.post("/v3/tasks/"+id+"/action", `{"operation":"`+action+`"}`)
				switch action {
				case "collect_log":
					rec = app.post("/v3/tasks/"+id+"/log", `{"log_bucket":"b"}`)
				case "delete":
					rec = app.del("/v3/tasks/" + id)
				}
				if !ok {
					msg := wantError(t, rec, http.StatusBadRequest, "SMS.2009", "The task ")
					if !strings.Contains(msg, state) || (action != "delete" && !strings.Contains(msg, action)) {
						t.Errorf("%s: %q does not name the state and the action", name, msg)
					}
					if after := app.storedTask(t, id); !reflect.DeepEqual(after, before) {
						t.Errorf("%s: a refused action changed the task", name)
					}
					continue
				}
				if rec.Code != http.StatusOK {
					t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
					continue
				}
				if action == "delete" {
					if rec := app.get("/v3/tasks/" + id); rec.Code != http.StatusNotFound {
						t.Errorf("%s: the task is still there", name)
					}
					continue
				}
				next, queued, _ := strings.Cut(want, "/")
				if next == "" {
					next = state
				}
				if got := app.storedTask(t, id).State; got != next {
					t.Errorf("%s: state %s, want %s", name, got, next)
				}
				source := *app.storedTask(t, id).SourceServerID
				cmd := decode[struct {
					Name string `json:"command_name"`
				}](t, app.get("/v3/sources/"+source+"/command"))
				if queued != "" && cmd.Name != queued {
					t.Errorf("%s: the agent got %q, want %s", name, cmd.Name, queued)
				}
				if queued == "" && slices.Contains([]string{"START", "STOP", "SYNC", "SKIP", "UPLOAD_LOG"}, cmd.Name) {
					t.Errorf("%s: the agent got %s, want no command", name, cmd.Name)
				}
			}
		}
	}
}

// The operations smslab does not emulate are refused in any state, saying so and what to do.
func TestOperationsNotEmulated(t *testing.T) {
	app := newTestApp(t)
	id := stateTask(t, app, "RUNNING", false)
	for op, msg := range map[string]string{
		"migration_test":      "Invalid parameter: operation is migration_test: the migration drill is not emulated by smslab; use test or clone_test to try the target server",
		"error_for_overspeed": "Invalid parameter: operation is error_for_overspeed: SMS itself suspends a task that runs over its speed limit, and smslab does not emulate it; use stop to suspend the task",
		"collect_log":         "Invalid parameter: operation must be one of start, stop, test, clone_test, restart, network_check, clear, skip, migration_test, cutover, error_for_overspeed, sync_failed_rollback",
	} {
		rec := app.post("/v3/tasks/"+id+"/action", `{"operation":"`+op+`"}`)
		if got := wantError(t, rec, http.StatusBadRequest, "SMS.9001", msg); got != msg {
			t.Errorf("%s: %q, want %q", op, got, msg)
		}
	}
}

// The documented limits of the new bodies, each at and past its bound: a refused body is 400
// with the code and message given, and changes nothing.
func TestTaskOperationLimits(t *testing.T) {
	app := newTestApp(t)
	source, task := app.newTaskFor(t, "limits")
	other := app.registered(t, agentBody("limits-2", "10.8.0.2", ""))
	third := app.registered(t, agentBody("limits-3", "10.8.0.3", ""))
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, method, target, body string
		status                     int
		code, msg                  string
	}{
		// CreateTask
		{"create: region_id 255, name 64", "POST", "/v3/tasks", strings.Replace(strings.Replace(taskBody(third, ""), "lab-task", long(64), 1), `"region_id":"r"`, `"region_id":"`+long(255)+`"`, 1), 200, "", ""},
		{"create: name 65", "POST", "/v3/tasks", strings.Replace(taskBody(other, ""), "lab-task", long(65), 1), 400, "SMS.9001", "Invalid parameter: name must be at most 64 characters"},
		{"create: name empty", "POST", "/v3/tasks", strings.Replace(taskBody(other, ""), "lab-task", "", 1), 400, "SMS.9001", "Invalid parameter: name must be at least 1 character"},
		{"create: name with a space", "POST", "/v3/tasks", strings.Replace(taskBody(other, ""), "lab-task", "lab task", 1), 400, "SMS.9001", "Invalid parameter: name may hold only"},
		{"create: type", "POST", "/v3/tasks", strings.Replace(taskBody(other, ""), "MIGRATE_FILE", "MIGRATE_DISK", 1), 400, "SMS.9001", "Invalid parameter: type must be one of MIGRATE_FILE, MIGRATE_BLOCK"},
		{"create: mandatory members", "POST", "/v3/tasks", `{"name":"x"}`, 400, "SMS.9001", "Invalid parameter: type, source_server, target_server, region_name, region_id, project_name and project_id are required"},
		{"create: priority 3", "POST", "/v3/tasks", taskBody(other, `,"priority":3`), 400, "SMS.9001", "Invalid parameter: priority must be at most 2"},
		{"create: speed_limit", "POST", "/v3/tasks", taskBody(other, `,"speed_limit":65536`), 400, "SMS.9001", "Invalid parameter: speed_limit must be at most 65535"},
		{"create: over_speed_threshold", "POST", "/v3/tasks", taskBody(other, `,"over_speed_threshold":100.5`), 400, "SMS.9001", "Invalid parameter: over_speed_threshold must be at most 100"},
		{"create: region_id 256", "POST", "/v3/tasks", strings.Replace(taskBody(other, ""), `"region_id":"r"`, `"region_id":"`+long(256)+`"`, 1), 400, "SMS.9001", "Invalid parameter: region_id must be at most 255 characters"},
		{"create: unknown source", "POST", "/v3/tasks", taskBody("no-such-source", ""), 404, "SMS.9005", "The source server does not exist: no-such-source"},
		{"create: unknown template", "POST", "/v3/tasks", taskBody(other, `,"vm_template_id":"no-such-template"`), 404, "SMS.9007", "The template does not exist: no-such-template"},
		{"create: a source with a task", "POST", "/v3/tasks", taskBody(source, ""), 400, "SMS.9008", "The source server " + source + " already has a task, " + task},
		{"create: a disk without a name", "POST", "/v3/tasks", strings.Replace(taskBody(other, ""), `"vm_id":""`, `"vm_id":"","disks":[null]`, 1), 400, "SMS.9001", "Invalid parameter: target_server.disks[0] must be an object"},
		// UpdateTaskStatus
		{"action: no operation", "POST", "/v3/tasks/" + task + "/action", `{}`, 400, "SMS.9001", "Invalid parameter: operation is required"},
		{"action: template_id 256", "POST", "/v3/tasks/" + task + "/action", `{"operation":"network_check","template_id":"` + long(256) + `"}`, 400, "SMS.9001", "Invalid parameter: template_id must be at most 255 characters"},
		{"action: template_id 255", "POST", "/v3/tasks/" + task + "/action", `{"operation":"network_check","template_id":"` + long(255) + `","switch_hce":true,"is_need_consistency_check":false}`, 200, "", ""},
		{"action: unknown task", "POST", "/v3/tasks/no-such-task/action", `{"operation":"start"}`, 404, "SMS.9002", "The task does not exist: no-such-task"},
		// CollectLog
		{"log: bucket empty", "POST", "/v3/tasks/" + task + "/log", `{"log_bucket":""}`, 400, "SMS.9001", "Invalid parameter: log_bucket must be at least 1 character"},
		{"log: bucket 256", "POST", "/v3/tasks/" + task + "/log", `{"log_bucket":"` + long(256) + `"}`, 400, "SMS.9001", "Invalid parameter: log_bucket must be at most 255 characters"},
		// DeleteTasks
		{"delete: no ids", "POST", "/v3/tasks/delete", `{"ids":[]}`, 400, "SMS.9001", "Invalid parameter: ids must have at least 1 items"},
		{"delete: bad id", "POST", "/v3/tasks/delete", `{"ids":["a/b"]}`, 400, "SMS.9001", "Invalid parameter: ids[0]"},
		{"delete: unknown", "POST", "/v3/tasks/delete", `{"ids":["no-such-task"]}`, 404, "SMS.9002", "The task does not exist: no-such-task"},
		// UpdateCommandResult
		{"result: name", "POST", "/v3/sources/" + source + "/command_result", `{"command_name":"RUN","result":"success"}`, 400, "SMS.9001", "Invalid parameter: command_name must be one of START, STOP, DELETE, SYNC, UPLOAD_LOG, RSET_LOG_ACL, SKIP"},
		{"result: result", "POST", "/v3/sources/" + source + "/command_result", `{"command_name":"START","result":"ok"}`, 400, "SMS.9001", "Invalid parameter: result must be one of success, fail"},
		{"result: detail too long", "POST", "/v3/sources/" + source + "/command_result", `{"command_name":"START","result":"success","result_detail":"` + long(65534) + `"}`, 400, "SMS.9001", "Invalid parameter: result_detail must be at most 65535 bytes of JSON"},
		{"result: nothing delivered", "POST", "/v3/sources/" + source + "/command_result", `{"command_name":"START","result":"success","result_detail":"` + long(65533) + `"}`, 400, "SMS.2009", "The command reported differs from the server's: no START was delivered"},
		{"result: unknown source", "POST", "/v3/sources/no-such-source/command_result", `{"command_name":"START","result":"success"}`, 404, "SMS.9005", "The source server does not exist: no-such-source"},
		{"poll: unknown source", "GET", "/v3/sources/no-such-source/command", ``, 404, "SMS.9005", "The source server does not exist: no-such-source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := app.snapshot(t)
			req := newRequest(tt.method, tt.target, tt.body)
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := app.serve(req)
			if tt.status == http.StatusOK {
				if rec.Code != http.StatusOK {
					t.Fatalf("%d %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, tt.status, tt.code, tt.msg)
			if app.snapshot(t) != before {
				t.Error("a refused request changed something")
			}
		})
	}
}
