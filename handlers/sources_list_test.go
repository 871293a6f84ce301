package handlers_test

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/sms"
)

// ListServers assembles its items in SQL from stored listings and the tasks' columns; ShowServer
// decodes the row. Both show a source alike: every field the list item has, the same value.
func TestListServersShowsWhatShowServerShows(t *testing.T) {
	app := newTestApp(t)
	// A task with every kind of value the assembly writes: Doubles whole, short and long,
	// Booleans false, a target server with only a name, a clone server, text to escape.
	if rec := app.put("/v3/tasks/"+readyTask, `{"name":"q\"uote\\ <&> 名","migrate_speed":100,"exist_server":false,
		"use_public_ip":false,"start_target_server":false,"vm_template_id":"tpl","region_id":"r","project_name":"p",
		"project_id":"pid","remain_seconds":7,"clone_server":{"vm_id":"c1","clone_state":"READY"},
		"target_server":{"name":"only-a-name","disks":[]}}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	if rec := app.put("/v3/tasks/"+readyTask+"/progress", `{"subtask_name":"CREATE_CLOUD_SERVER","progress":3,
		"replicatesize":10,"totalsize":20,"process_trace":"","migrate_speed":33.333333333333336,"compress_rate":0.1}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	app.registered(t, agentBody("list-vs-show", "10.9.9.1", `,"memory":3,"has_tc":true,"start_type":"MANUAL"`))

	rec := app.get("/v3/sources?limit=200")
	if body := rec.Body.String(); strings.Contains(body, ":null") {
		t.Errorf("a listing shows a null, which ShowServer leaves out: %.300s", body[strings.Index(body, ":null")-200:])
	}
	resp := decode[sms.ListServersResponse](t, rec)
	if int(resp.Count) != len(resp.SourceServers) || resp.Count < 20 {
		t.Fatalf("%d of %d sources listed", len(resp.SourceServers), resp.Count)
	}
	sawTask := false
	for _, item := range resp.SourceServers {
		show := app.source(t, item.ID)
		var checks []sms.EnvironmentCheck
		var target sms.InitTargetServer
		if err := json.Unmarshal(item.Checks, &checks); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(item.InitTargetServer, &target); err != nil {
			t.Fatal(err)
		}
		memory := show.Memory
		if memory != nil {
			memory = ptr(*memory << 20)
		}
		want := sms.SourceListItem{
			ID: *show.ID, IP: show.IP, Name: *show.Name, EnterpriseProjectID: show.EnterpriseProjectID,
			Migproject: *show.Migproject, AddDate: *show.AddDate, OsType: show.OsType, OsVersion: show.OsVersion,
			OemSystem: show.OemSystem, State: *show.State, Connected: *show.Connected, CPUQuantity: show.CPUQuantity,
			Memory: memory, CurrentTask: show.CurrentTask, Checks: item.Checks, InitTargetServer: item.InitTargetServer,
			Replicatesize: show.Replicatesize, StageActionTime: *show.StageActionTime, Totalsize: show.Totalsize,
			LastVisitTime: show.LastVisitTime, MigrationCycle: *show.MigrationCycle, StateActionTime: *show.StateActionTime,
			IsConsistencyResultExist: *show.IsConsistencyResultExist, HasTc: show.HasTc, StartType: show.StartType,
			AgentVersion: show.AgentVersion,
		}
		if !reflect.DeepEqual(item, want) || !reflect.DeepEqual(checks, show.Checks) || !reflect.DeepEqual(&target, show.InitTargetServer) {
			t.Errorf("source %s:\nlisted %s\nshown  %s", item.ID, mustJSON(t, item), mustJSON(t, want))
		}
		if item.CurrentTask != nil && *item.CurrentTask.ID == readyTask {
			sawTask = true
			if c := item.CurrentTask; *c.MigrateSpeed != 33.333333333333336 || *c.CompressRate != 0.1 || c.TargetServer.VMID != nil ||
				*c.TargetServer.Name != "only-a-name" || *c.CloneServer.VMID != "c1" || *c.StartTargetServer {
				t.Errorf("the task's members: %s", mustJSON(t, c))
			}
		}
	}
	if !sawTask {
		t.Error("the updated task's source was not listed")
	}
}

// The source index pages as SQL does: every page of a listing served by the index equals the
// page of the same listing through SQL (a filter every source matches takes the SQL path).
func TestSourceIndexAgreesWithSQL(t *testing.T) {
	app := newTestApp(t)
	for i := range 30 {
		app.registered(t, agentBody("agree-"+strconv.Itoa(i), "10.10.0."+strconv.Itoa(i), ""))
	}
	// Move some: a state set, a task started, a source deleted.
	for _, rec := range []interface{ Result() *http.Response }{
		app.put("/v3/sources/"+runningSource+"/changestate", `{"copystate":"error","migrationcycle":"replicating"}`),
		app.put("/v3/tasks/"+readyTask+"/progress", exampleReport),
		app.del("/v3/sources/" + app.registered(t, agentBody("agree-0", "10.10.0.0", ""))),
	} {
		if code := rec.Result().StatusCode; code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	for _, filter := range []string{"", "&state=waiting", "&state=replicate", "&enterprise_project_id=ep-finance",
		"&state=waiting&enterprise_project_id=0", "&state=cloning"} {
		for _, page := range []string{"limit=7&offset=0", "limit=7&offset=5", "limit=200&offset=0", "limit=3&offset=40"} {
			index := app.get("/v3/sources?" + page + filter).Body.String()
			sql := app.get("/v3/sources?" + page + filter + "&is_consistency_result_exist=false").Body.String()
			if index != sql {
				t.Errorf("%s%s:\nindex %.300s\nSQL   %.300s", page, filter, index, sql)
			}
		}
	}
}
