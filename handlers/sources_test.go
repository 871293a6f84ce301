package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smslab/sms"
)

// agentBody is a RegisterServer body with extra members (a JSON fragment starting with a comma).
func agentBody(name, ip, extra string) string {
	return `{"name":"` + name + `","ip":"` + ip + `","os_type":"LINUX","os_version":"CENTOS_7_6_64BIT","agent_version":"24.3.0"` + extra + `}`
}

// registered registers body and returns the id.
func (a *testApp) registered(t *testing.T, body string) string {
	t.Helper()
	return decode[struct {
		ID string `json:"id"`
	}](t, a.post("/v3/sources", body)).ID
}

// source is ShowServer's answer.
func (a *testApp) source(t *testing.T, id string) sms.Source {
	t.Helper()
	return decode[sms.Source](t, a.get("/v3/sources/"+id))
}

// sourceIDs lists ListServers' ids for query, and the count.
func (a *testApp) sourceIDs(t *testing.T, query string) ([]string, int64) {
	t.Helper()
	resp := decode[sms.ListServersResponse](t, a.get("/v3/sources?"+query))
	var ids []string
	for _, s := range resp.SourceServers {
		ids = append(ids, s.ID)
	}
	return ids, resp.Count
}

// Every documented limit and enum of RegisterServer, each in a request of its own; a refused one
// changes nothing.
func TestRegisterServerLimits(t *testing.T) {
	app := newTestApp(t)
	const ok = ""
	long := func(n int) string { return strings.Repeat("a", n) }
	disk := func(member string) string { return `,"disks":[{"name":"/dev/vda",` + member + `}]` }
	tests := []struct{ name, body, want string }{
		{"minimal", agentBody("r1", "10.1.0.1", ""), ok},
		{"ipv6 only", `{"name":"r2","ipv6":"fd00::2","os_type":"WINDOWS","os_version":"WINDOWS2019_64BIT"}`, ok},
		{"no address", `{"name":"r3","os_type":"LINUX","os_version":"x"}`, "ip is required when ipv6 is not given"},
		{"ip not IPv4", agentBody("r4", "fd00::4", ""), "ip must be an IPv4 address"},
		{"ipv6 not IPv6", `{"name":"r5","ipv6":"10.0.0.1","os_type":"LINUX","os_version":"x"}`, "ipv6 must be an IPv6 address"},
		{"name 64", agentBody(long(64), "10.1.0.6", ""), ok},
		{"name 65", agentBody(long(65), "10.1.0.7", ""), "name must be at most 64 characters long"},
		{"name empty", agentBody("", "10.1.0.8", ""), "name must be at least 1 characters long"},
		{"no name", `{"ip":"10.1.0.9","os_type":"LINUX","os_version":"x"}`, "name is required"},
		{"hostname 65", agentBody("r10", "10.1.0.10", `,"hostname":"`+long(65)+`"`), "hostname must be at most 64 characters long"},
		{"hostname empty", agentBody("r11", "10.1.0.11", `,"hostname":""`), "hostname must be at least 1 characters long"},
		{"no os_type", `{"name":"r12","ip":"10.1.0.12","os_version":"x"}`, "os_type is required"},
		{"os_type", `{"name":"r13","ip":"10.1.0.13","os_type":"linux","os_version":"x"}`, "os_type must be LINUX (values are case-sensitive)"},
		{"no os_version", `{"name":"r14","ip":"10.1.0.14","os_type":"LINUX"}`, "os_version is required"},
		{"os_version empty (the SDK's unset)", `{"name":"r15","ip":"10.1.0.15","os_type":"LINUX","os_version":""}`, ok},
		{"os_version 256", agentBody("r16", "10.1.0.16", "")[:0] + `{"name":"r16","ip":"10.1.0.16","os_type":"LINUX","os_version":"` + long(256) + `"}`, "os_version must be at most 255 characters long"},
		{"firmware", agentBody("r17", "10.1.0.17", `,"firmware":"EFI"`), "firmware must be one of BIOS, UEFI"},
		{"cpu_quantity -1", agentBody("r18", "10.1.0.18", `,"cpu_quantity":-1`), "cpu_quantity must be at least 0"},
		{"memory -1", agentBody("r19", "10.1.0.19", `,"memory":-1`), "memory must be at least 0"},
		{"memory a string", agentBody("r20", "10.1.0.20", `,"memory":"8G"`), "memory must be a Long"},
		{"boot_loader", agentBody("r21", "10.1.0.21", `,"boot_loader":"SYSLINUX"`), "boot_loader must be one of GRUB, LILO"},
		{"platform default", agentBody("r22", "10.1.0.22", `,"platform":"default"`), ok},
		{"platform", agentBody("r23", "10.1.0.23", `,"platform":"ibm"`), "platform must be one of"},
		{"state", agentBody("r24", "10.1.0.24", `,"state":"AVAILABLE"`), "state must be one of unavailable, waiting, initialize, replicate, syncing, stopping, stopped, skipping, deleting, error, cloning, cutovering, finished, clearing, cleared, clearfailed, premigready, premiging, premiged, premigfailed"},
		{"migration_cycle", agentBody("r25", "10.1.0.25", `,"migration_cycle":"done"`), "migration_cycle must be one of"},
		{"io_read_wait", agentBody("r26", "10.1.0.26", `,"io_read_wait":10000.5`), "io_read_wait must be at most 10000"},
		{"start_type is free", agentBody("r27", "10.1.0.27", `,"start_type":"AUTO"`), ok},
		{"id 36", agentBody("r28", "10.1.0.28", `,"id":"`+long(36)+`"`), ok},
		{"id 37", agentBody("r29", "10.1.0.29", `,"id":"`+long(37)+`"`), "id must be at most 36 characters long"},
		{"id with a slash", agentBody("r30", "10.1.0.30", `,"id":"a/b"`), "id must not contain '/'"},
		{"id overview", agentBody("r31", "10.1.0.31", `,"id":"overview"`), "id must not be overview or delete"},
		{"id empty", agentBody("r32", "10.1.0.32", `,"id":""`), "id must be at least 1 characters long"},
		{"disk size -1", agentBody("r33", "10.1.0.33", disk(`"size":-1`)), "disks[0].size must be at least 0"},
		{"disk name 256", agentBody("r34", "10.1.0.34", `,"disks":[{"name":"`+long(256)+`"}]`), "disks[0].name must be at most 255 characters long"},
		{"disk null", agentBody("r35", "10.1.0.35", `,"disks":[null]`), "disks[0] must be an object"},
		{"partition size", agentBody("r36", "10.1.0.36", disk(`"physical_volumes":[{"size":-2}]`)), "disks[0].physical_volumes[0].size must be at least 0"},
		{"lv used_size", agentBody("r37", "10.1.0.37", `,"volume_groups":[{"logical_volumes":[{"used_size":-1}]}]`), "volume_groups[0].logical_volumes[0].used_size must be at least 0"},
		{"btrfs sectorsize", agentBody("r38", "10.1.0.38", `,"btrfs_list":[{"sectorsize":-1}]`), "btrfs_list[0].sectorsize must be at least 0"},
		{"btrfs subvolume", agentBody("r39", "10.1.0.39", `,"btrfs_list":[{"subvolumn":[{"uuid":"`+long(256)+`"}]}]`), "btrfs_list[0].subvolumn[0].uuid must be at most 255 characters long"},
		{"networks null (the SDK's unset)", agentBody("r40", "10.1.0.40", `,"networks":null`), ok},
		{"first NIC without MAC", agentBody("r41", "10.1.0.41", `,"networks":[{"name":"eth0","mac":""}]`), "networks[0].mac is required: the first NIC must have a MAC address"},
		{"NIC mtu", agentBody("r42", "10.1.0.42", `,"networks":[{"mac":"m","mtu":-1}]`), "networks[0].mtu must be at least 0"},
		{"unknown project", agentBody("r43", "10.1.0.43", `,"migprojectid":"nope"`), "nope"},
		{"control character", agentBody(`r\u0001`, "10.1.0.44", ""), "name must not contain control characters"},
		{"duplicate member", `{"name":"a","name":"b","ip":"10.1.0.45","os_type":"LINUX","os_version":"x"}`, "name appears more than once"},
		{"not an object", `["x"]`, "request body must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, before := app.sourceIDs(t, "")
			rec := app.post("/v3/sources", tt.body)
			switch {
			case tt.want == ok:
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			case tt.want == "nope":
				wantError(t, rec, http.StatusNotFound, "SMS.9006", "The migration project does not exist: nope")
			default:
				wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.want)
			}
			if _, after := app.sourceIDs(t, ""); after != before {
				t.Errorf("a refused registration changed the sources: %d -> %d", before, after)
			}
		})
	}
}

// The limits of the other source bodies, the queries and the path ids.
func TestSourceRequestLimits(t *testing.T) {
	app := newTestApp(t)
	id := app.registered(t, agentBody("limits-1", "10.2.0.1", `,"disks":[{"name":"/dev/vda","size":10}]`))
	long := func(n int) string { return strings.Repeat("a", n) }
	const ok = ""
	type req struct{ name, method, path, body, want string }
	tests := []req{
		{"rename 64", "PUT", "/v3/sources/" + id, `{"name":"` + long(64) + `"}`, ok},
		{"rename 65", "PUT", "/v3/sources/" + id, `{"name":"` + long(65) + `"}`, "name must be at most 64 characters long"},
		{"rename empty", "PUT", "/v3/sources/" + id, `{"name":""}`, "name must be at least 1 characters long"},
		{"project id 37", "PUT", "/v3/sources/" + id, `{"migprojectid":"` + long(37) + `"}`, "migprojectid must be at most 36 characters long"},
		{"adjust_size -1", "PUT", "/v3/sources/" + id, `{"disks":[{"id":"x","adjust_size":-1}]}`, "disks[0].adjust_size must be at least 0"},
		{"adjustment without id", "PUT", "/v3/sources/" + id, `{"disks":[{"adjust_size":1}]}`, "disks[0].id is required to name what to adjust"},
		{"need_migration a string", "PUT", "/v3/sources/" + id, `{"volume_groups":[{"id":"x","need_migration":"yes"}]}`, "volume_groups[0].need_migration must be a Boolean"},
		{"copystate missing", "PUT", "/v3/sources/" + id + "/changestate", `{"migrationcycle":"setting"}`, "copystate is required"},
		{"migrationcycle missing", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"waiting"}`, "migrationcycle is required"},
		{"copystate", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"running","migrationcycle":"setting"}`, "copystate must be one of the 20 documented values: unavailable, waiting, init, replicate, syncing, stopping, stopped, skipping, deleting, error, cloning, cutovering, finished, clearing"},
		{"copystate empty (the SDK's unset)", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"","migrationcycle":""}`, "copystate must be one of"},
		{"migrationcycle", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"waiting","migrationcycle":"done"}`, "migrationcycle must be one of"},
		{"a cycle no copystate goes with", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"waiting","migrationcycle":"testing"}`, "copystate waiting cannot be set with migrationcycle testing, which no copystate goes with"},
		{"skipping goes with no cycle", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"skipping","migrationcycle":"syncing"}`, "copystate skipping does not go with migrationcycle syncing"},
		{"premigready, setting", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"PremigReady","migrationcycle":"SETTING"}`, ok},
		{"waiting, setting", "PUT", "/v3/sources/" + id + "/changestate", `{"copystate":"waiting","migrationcycle":"setting"}`, ok},
		{"50 disks", "PUT", "/v3/sources/" + id + "/diskinfo", `{"disks":[` + strings.Repeat(`{"name":"d"},`, 49) + `{"name":"d"}]}`, ok},
		{"51 disks", "PUT", "/v3/sources/" + id + "/diskinfo", `{"disks":[` + strings.Repeat(`{},`, 50) + `{}]}`, "disks must have at most 50 items"},
		{"51 volume groups", "PUT", "/v3/sources/" + id + "/diskinfo", `{"volumegroups":[` + strings.Repeat(`{},`, 50) + `{}]}`, "volumegroups must have at most 50 items"},
		{"disk used_size", "PUT", "/v3/sources/" + id + "/diskinfo", `{"disks":[{"used_size":-1}]}`, "disks[0].used_size must be at least 0"},
		{"no ids", "POST", "/v3/sources/delete", `{}`, "ids is required"},
		{"ids null", "POST", "/v3/sources/delete", `{"ids":null}`, "ids is required"},
		{"51 ids", "POST", "/v3/sources/delete", `{"ids":[` + strings.Repeat(`"x",`, 50) + `"x"]}`, "ids must have at most 50 items"},
		{"id 37", "POST", "/v3/sources/delete", `{"ids":["` + long(37) + `"]}`, "ids[0] must be at most 36 characters long"},
		{"id empty", "POST", "/v3/sources/delete", `{"ids":[""]}`, "ids[0] must be at least 1 characters long"},
		{"id a number", "POST", "/v3/sources/delete", `{"ids":[1]}`, "ids[0] must be a String"},
		{"list limit 0 is 200", "GET", "/v3/sources?limit=0", "", ok},
		{"list limit 201", "GET", "/v3/sources?limit=201", "", "limit must be at most 200"},
		{"list offset 65536", "GET", "/v3/sources?offset=65536", "", "offset must be at most 65535"},
		{"list offset -1", "GET", "/v3/sources?offset=-1", "", "offset must be at least 0"},
		{"list state", "GET", "/v3/sources?state=premiging", "", "state must be one of unavailable, waiting, initialize, replicate, syncing, stopping, stopped, skipping, deleting, error, cloning, cutovering, finished, clearing, cleared, clearfailed, premigready, premiged, premigfailed"},
		{"list migration_cycle", "GET", "/v3/sources?migration_cycle=no_ready", "", "migration_cycle must be one of"},
		{"list connected", "GET", "/v3/sources?connected=yes", "", "connected must be true or false"},
		{"list is_consistency_result_exist", "GET", "/v3/sources?is_consistency_result_exist=1", "", "is_consistency_result_exist must be true or false"},
		{"list name 256", "GET", "/v3/sources?name=" + long(256), "", "name must be at most 255 characters long"},
		{"list vm_id", "GET", "/v3/sources?vm_id=" + long(256), "", "vm_id must be at most 255 characters long"},
		{"list unknown", "GET", "/v3/sources?project=x", "", "project is not a query parameter of ListServers"},
		{"list repeated", "GET", "/v3/sources?ip=a&ip=b", "", "ip appears more than once"},
		{"errors without offset", "GET", "/v3/errors", "", "offset is required"},
		{"errors limit 101", "GET", "/v3/errors?offset=0&limit=101", "", "limit must be at most 100"},
		{"errors offset 65536", "GET", "/v3/errors?offset=65536", "", "offset must be at most 65535"},
		{"errors migproject (gone from the newest page)", "GET", "/v3/errors?offset=0&migproject=x", "", "migproject is not a query parameter of ListErrorServers"},
		{"overview takes no query", "GET", "/v3/sources/overview?x=1", "", "x is not a query parameter of this endpoint"},
		{"path id 37", "GET", "/v3/sources/" + long(37), "", "source_id must be at most 36 characters long"},
		{"path id with a slash", "GET", "/v3/sources/a%2Fb", "", "the path must not hold an encoded '/' (%2F): no id holds '/'"},
		{"path id delete", "GET", "/v3/sources/delete", "", "source_id must not be overview or delete"},
		{"path id overview", "PUT", "/v3/sources/overview", `{"name":"x"}`, "source_id must not be overview or delete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := app.source(t, id)
			req := newRequest(tt.method, tt.path, tt.body)
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := app.serve(req)
			if tt.want == ok {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.want)
			after := app.source(t, id)
			if mustJSON(t, after) != mustJSON(t, before) {
				t.Errorf("a refused request changed the source")
			}
		})
	}
	wantError(t, app.get("/v3/sources/nope"), http.StatusNotFound, "SMS.9005", "The source server does not exist: nope")
	wantError(t, app.put("/v3/sources/nope", `{}`), http.StatusNotFound, "SMS.9005", "The source server does not exist: nope")
	wantError(t, app.del("/v3/sources/nope"), http.StatusNotFound, "SMS.9005", "The source server does not exist: nope")
	wantError(t, app.put("/v3/sources/nope/changestate", `{"copystate":"waiting","migrationcycle":"setting"}`), http.StatusNotFound, "SMS.9005", "nope")
	wantError(t, app.put("/v3/sources/nope/diskinfo", `{}`), http.StatusNotFound, "SMS.9005", "nope")
	// The static routes answer whatever the source ids.
	if rec := app.get("/v3/sources/overview"); rec.Code != http.StatusOK {
		t.Errorf("GET /v3/sources/overview: %d", rec.Code)
	}
	wantError(t, app.post("/v3/sources/overview", `{}`), http.StatusNotFound, "APIGW.0101", "")
}

// A registration without an id finds its source by name and IP, or by name and IPv6 address when
// it gives no IP; a different name or address is another source.
func TestRegistrationIdentity(t *testing.T) {
	app := newTestApp(t)
	v6 := `{"name":"v6-only","ipv6":"fd00::10","os_type":"LINUX","os_version":"x"}`
	a := app.registered(t, v6)
	if b := app.registered(t, v6); b != a {
		t.Errorf("by name and IPv6: %s, want %s", b, a)
	}
	if b := app.registered(t, strings.Replace(v6, "fd00::10", "fd00::11", 1)); b == a {
		t.Error("another IPv6 address found the same source")
	}
	ip := app.registered(t, agentBody("twin", "10.3.0.1", ""))
	if b := app.registered(t, agentBody("twin", "10.3.0.2", "")); b == ip {
		t.Error("another IP found the same source")
	}
	if b := app.registered(t, agentBody("twin-2", "10.3.0.1", "")); b == ip {
		t.Error("another name found the same source")
	}
	// Re-registration keeps the add date, project and task, and refreshes the facts carried.
	before := app.source(t, ip)
	app.registered(t, agentBody("twin", "10.3.0.1", `,"memory":2048`))
	after := app.source(t, ip)
	if *after.AddDate != *before.AddDate || *after.Migproject != *before.Migproject || *after.Memory != 2048 || *after.AgentVersion != "24.3.0" {
		t.Errorf("after re-registration: %s\nbefore: %s", mustJSON(t, after), mustJSON(t, before))
	}
	if _, n := app.sourceIDs(t, "ipv6=fd00::10"); n != 1 {
		t.Errorf("ipv6 filter: %d sources", n)
	}
}

// connected follows the agents' calls: a registration or a progress report on the source's task
// keeps a source connected for 60 s.
func TestConnectedFollowsAgentCalls(t *testing.T) {
	app := newTestApp(t)
	var clock atomic.Int64
	clock.Store(testNow.UnixMilli())
	app.store.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
	advance := func(d time.Duration) { clock.Add(d.Milliseconds()) }

	id := app.registered(t, agentBody("conn-1", "10.4.0.1", ""))
	if s := app.source(t, id); !*s.Connected || *s.LastVisitTime != testNow.UnixMilli() {
		t.Errorf("just registered: connected %v, last visit %v", *s.Connected, *s.LastVisitTime)
	}
	advance(59 * time.Second)
	if ids, _ := app.sourceIDs(t, "connected=true"); !slices.Equal(ids, []string{id}) {
		t.Errorf("59 s later, connected: %v", ids)
	}
	advance(time.Second)
	if ids, _ := app.sourceIDs(t, "connected=true"); len(ids) != 0 {
		t.Errorf("60 s later, connected: %v", ids)
	}
	if s := app.source(t, id); *s.Connected {
		t.Error("60 s after its last call the source is still connected")
	}
	_, all := app.sourceIDs(t, "")
	if _, n := app.sourceIDs(t, "connected=false"); n != all {
		t.Errorf("connected=false: %d of %d", n, all)
	}

	// The demo's running db-orders reports progress: its source is connected.
	if rec := app.put("/v3/tasks/"+runningTask+"/progress", exampleReport); rec.Code != http.StatusOK {
		t.Fatalf("report: %d %s", rec.Code, rec.Body)
	}
	if s := app.source(t, runningSource); !*s.Connected || *s.LastVisitTime != clock.Load() {
		t.Errorf("after a report: connected %v, last visit %v", *s.Connected, show(s.LastVisitTime))
	}
}

// Tasks and sources agree: every task names a stored source; UpdateTask's source_server makes or
// links one; a source's state follows its task, and UpdateCopyState holds until the task moves.
func TestTasksAndSourcesAgree(t *testing.T) {
	app := newTestApp(t)
	for _, task := range app.list(t, "limit=200").Tasks {
		if task.SourceServer == nil || task.SourceServer.ID == nil {
			t.Fatalf("task %s has no source id", *task.ID)
		}
		if rec := app.get("/v3/sources/" + *task.SourceServer.ID); rec.Code != http.StatusOK {
			t.Errorf("task %s: its source %s: %d", *task.ID, *task.SourceServer.ID, rec.Code)
		}
	}

	// A new source id makes a source; the former loses its task.
	old := *app.task(t, readyTask).SourceServer.ID
	if rec := app.put("/v3/tasks/"+readyTask, `{"source_server":{"id":"moved-src","name":"moved","ip":"10.5.0.1","os_type":"LINUX"}}`); rec.Code != http.StatusOK {
		t.Fatalf("UpdateTask: %d %s", rec.Code, rec.Body)
	}
	s := app.source(t, "moved-src")
	if *s.Name != "moved" || *s.IP != "10.5.0.1" || s.CurrentTask == nil || *s.CurrentTask.ID != readyTask || *s.State != "waiting" {
		t.Errorf("the new source: %s", mustJSON(t, s))
	}
	if s := app.source(t, old); s.CurrentTask != nil || *s.State != "waiting" || *s.MigrationCycle != "setting" {
		t.Errorf("the former source: %s", mustJSON(t, s))
	}
	// A source_server without an id keeps the task's source.
	if rec := app.put("/v3/tasks/"+readyTask, `{"source_server":{"name":"renamed in the task"}}`); rec.Code != http.StatusOK {
		t.Fatalf("UpdateTask: %d %s", rec.Code, rec.Body)
	}
	if got := *app.task(t, readyTask).SourceServer.ID; got != "moved-src" {
		t.Errorf("source_server without id: the task now names %s", got)
	}
	wantError(t, app.put("/v3/tasks/"+readyTask, `{"source_server":null}`), http.StatusBadRequest, "SMS.9001",
		"Invalid parameter: source_server must not be null: every task has a source server")
	wantError(t, app.put("/v3/tasks/"+readyTask, `{"source_server":{"id":"a/b"}}`), http.StatusBadRequest, "SMS.9001",
		"Invalid parameter: source_server.id must not contain '/'")

	// UpdateCopyState holds while the task stays; the task's next state overrides it.
	if rec := app.put("/v3/sources/moved-src/changestate", `{"copystate":"premigready","migrationcycle":"setting"}`); rec.Code != http.StatusOK {
		t.Fatalf("UpdateCopyState: %d %s", rec.Code, rec.Body)
	}
	if rec := app.put("/v3/tasks/"+readyTask, `{"priority":2}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	if s := app.source(t, "moved-src"); *s.State != "premigready" {
		t.Errorf("after an update that leaves the state: %s", *s.State)
	}
	if rec := app.put("/v3/tasks/"+readyTask+"/progress", exampleReport); rec.Code != http.StatusOK {
		t.Fatalf("report: %d %s", rec.Code, rec.Body)
	}
	if s := app.source(t, "moved-src"); *s.State != "replicate" || *s.MigrationCycle != "replicating" || *s.CurrentTask.State != "RUNNING" {
		t.Errorf("after the task started: %s %s", *s.State, *s.MigrationCycle)
	}
	for _, c := range []struct{ state, source, cycle string }{
		{"MIGRATE_FAIL", "error", "replicating"}, {"ABORT", "stopped", "replicating"},
		{"MIGRATE_SUCCESS", "finished", "cutovered"}, {"SYNCING", "syncing", "syncing"},
	} {
		if rec := app.put("/v3/tasks/"+readyTask, fmt.Sprintf(`{"state":%q}`, c.state)); rec.Code != http.StatusOK {
			t.Fatal(rec.Body)
		}
		if s := app.source(t, "moved-src"); *s.State != c.source || *s.MigrationCycle != c.cycle {
			t.Errorf("task %s: source %s %s, want %s %s", c.state, *s.State, *s.MigrationCycle, c.source, c.cycle)
		}
	}
}
