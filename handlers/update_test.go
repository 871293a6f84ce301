package handlers_test

import (
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"smslab/sms"
)

const (
	exampleTaskID  = "ef3b9722-07a0-40ae-89b0-889ee96dxxxx" // the task of the UpdateTask example
	dbOrdersTaskID = "3f6e1d2c-8b4a-4c5d-9e7f-000000000003" // a demo task with everything set
)

func TestUpdateTaskAcceptsTheSeedExample(t *testing.T) {
	app := newTestApp(t)
	body, err := os.ReadFile("testdata/update_task_example.json")
	if err != nil {
		t.Fatal(err)
	}
	rec := app.put("/v3/tasks/"+exampleTaskID, string(body))
	if rec.Code != http.StatusOK || rec.Body.String() != `{"id":"`+exampleTaskID+`"}` {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}

	row := app.storedTask(t, exampleTaskID)
	checks := []struct {
		field     string
		got, want any
	}{
		{"name", row.Name, "MigrationTask"},
		{"state", row.State, "RUNNING"},
		{"create_date", row.CreateDate, int64(1598435778000)},
		{"start_date", row.StartDate, ptr(int64(1598435784000))},
		{"finish_date", row.FinishDate, (*int64)(nil)},
		{"total_time", row.TotalTime, ptr(int64(115))},
		{"region_id", row.RegionID, ptr("region id")},
		{"region_name", row.RegionName, ptr("region name")},
		{"project_id", row.ProjectID, ptr("xxxxxxxxxxxxxxxxxxxxxxxx00000001")},
		{"project_name", row.ProjectName, ptr("project name")},
		{"vm_template_id", row.VmTemplateID, ptr("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx0001")},
		{"float_ip", row.FloatIp, (*string)(nil)},
		{"migration_ip", row.MigrationIp, (*string)(nil)},
		{"clone_server", row.CloneServer, (*string)(nil)},
		{"source_server_id", row.SourceServerID, ptr("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx0001")},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("stored %s = %v, want %v", c.field, show(c.got), show(c.want))
		}
	}
	// The whole target server is stored, disks and volumes included...
	for _, want := range []string{`"system_dir":"Y:\\Windows\\System32"`, `"name":"Disk 1"`, `"uuid":"\\\\?\\Volume{586b7157-0000-0000-0000-501f00000000}\\"`} {
		if !strings.Contains(*row.TargetServer, want) {
			t.Errorf("stored target_server lacks %s: %s", want, *row.TargetServer)
		}
	}
	if !strings.Contains(*row.SubTasks, `"user_op":"REPLICATE"`) {
		t.Errorf("stored sub_tasks lack user_op: %s", *row.SubTasks)
	}
	// ...while ListTasks shows the documented shape.
	listed := mustJSON(t, app.task(t, exampleTaskID))
	for _, want := range []string{
		`"target_server":{"id":"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx0001","vm_id":"","name":"","os_type":"WINDOWS","os_version":"WINDOWS2016_64BIT"}`,
		`"source_server":{"id":"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx0001","ip":"192.168.0.154","name":"name-win16","os_type":"WINDOWS","os_version":"WINDOWS2016_64BIT","oem_system":false,"state":"initialize"}`,
		`{"id":7278,"name":"CREATE_CLOUD_SERVER","progress":0,"start_date":1598435802000}`,
	} {
		if !strings.Contains(listed, want) {
			t.Errorf("listed task lacks %s:\n%s", want, listed)
		}
	}
}

func show(v any) any {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return v
}

func TestUpdateTaskLeavesAbsentFieldsAlone(t *testing.T) {
	app := newTestApp(t)
	before := app.storedTask(t, dbOrdersTaskID)
	rec := app.put("/v3/tasks/"+dbOrdersTaskID, `{"name":"orders-db wave 2","priority":2}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := app.storedTask(t, dbOrdersTaskID)
	want := before
	want.Name = "orders-db wave 2"
	want.Priority = ptr(int64(2))
	want.ListedStatic = got.ListedStatic // the rendered ListTasks JSON; what it shows is checked below
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored\n%+v\nwant\n%+v", got, want)
	}
	if listed := app.task(t, dbOrdersTaskID); *listed.Name != "orders-db wave 2" || *listed.Priority != 2 {
		t.Errorf("listed name %q priority %d", *listed.Name, *listed.Priority)
	}
}

// subtask_info names a sub-task and its progress: new sub_tasks give it that sub-task's new
// progress, or clear it when they do not hold that sub-task.
func TestUpdateTaskKeepsSubtaskInfoInStep(t *testing.T) {
	app := newTestApp(t)
	steps := []struct {
		subTasks string
		want     *string
	}{
		{`[{"name":"CREATE_CLOUD_SERVER","progress":100},{"name":"MIGRATE_LINUX_BLOCK","progress":77}]`, ptr("MIGRATE_LINUX_BLOCK 77%")},
		{`[{"name":"CREATE_CLOUD_SERVER","progress":100}]`, nil},
		{`[{"name":"MIGRATE_LINUX_BLOCK","progress":5}]`, nil}, // nothing left to name it
	}
	if got := app.task(t, dbOrdersTaskID).SubtaskInfo; got == nil || *got != "MIGRATE_LINUX_BLOCK 63%" {
		t.Fatalf("seeded subtask_info %v", show(got))
	}
	for _, step := range steps {
		if rec := app.put("/v3/tasks/"+dbOrdersTaskID, `{"sub_tasks":`+step.subTasks+`}`); rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if got := app.task(t, dbOrdersTaskID).SubtaskInfo; !reflect.DeepEqual(got, step.want) {
			t.Errorf("sub_tasks %s: subtask_info %v, want %v", step.subTasks, show(got), show(step.want))
		}
	}
}

func TestUpdateTaskNullClearsAndObjectsReplaceWhole(t *testing.T) {
	app := newTestApp(t)
	rec := app.put("/v3/tasks/"+dbOrdersTaskID, `{
		"migrate_speed": null, "estimate_complete_time": null, "sub_tasks": null, "clone_server": null,
		"source_server": {"id": "ss-new", "name": "orders-db-new"},
		"use_ipv6": true, "use_public_ip": false, "exist_server": true, "enterprise_project": "ep",
		"target_disk_ids": "d1 d2", "snapshot_ids": "s1;s2", "cutovered_snapshot_ids": "c1", "image_disk_id": "img"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := app.task(t, dbOrdersTaskID)
	if got.MigrateSpeed != nil || got.EstimateCompleteTime != nil || got.SubTasks != nil || got.CloneServer != nil {
		t.Errorf("cleared fields still listed: %s", mustJSON(t, got))
	}
	if s := mustJSON(t, got.SourceServer); s != `{"id":"ss-new","name":"orders-db-new"}` {
		t.Errorf("source_server %s, want the new object whole and alone", s)
	}
	if n := app.list(t, "source_server_id=5c1a7e0b-4d2f-4a8e-9b1c-000000000003").Count; n != 0 {
		t.Errorf("old source server still matches %d tasks", n)
	}
	if n := app.list(t, "source_server_id=ss-new").Count; n != 1 {
		t.Errorf("new source server matches %d tasks, want 1", n)
	}
	row := app.storedTask(t, dbOrdersTaskID)
	sdk := []struct {
		field     string
		got, want any
	}{
		{"use_ipv6", row.UseIpv6, ptr(true)},
		{"use_public_ip", row.UsePublicIp, ptr(false)},
		{"exist_server", row.ExistServer, ptr(true)},
		{"enterprise_project", row.EnterpriseProject, ptr("ep")},
		{"target_disk_ids", row.TargetDiskIds, ptr("d1 d2")},
		{"snapshot_ids", row.SnapshotIds, ptr("s1;s2")},
		{"cutovered_snapshot_ids", row.CutoveredSnapshotIds, ptr("c1")},
		{"image_disk_id", row.ImageDiskID, ptr("img")},
	}
	for _, c := range sdk {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("stored %s = %v, want %v", c.field, show(c.got), show(c.want))
		}
	}
}

func TestUpdateTaskErrors(t *testing.T) {
	app := newTestApp(t)
	wantError(t, app.put("/v3/tasks/no-such-task", `{"name":"x"}`), 404, "SMS.9002", "The task does not exist: no-such-task")
	wantError(t, app.put("/v3/tasks/"+dbOrdersTaskID, `{"id":"another-task"}`), 400, "SMS.9001", "Invalid parameter: id must be the task_id of the path")
	if rec := app.put("/v3/tasks/"+dbOrdersTaskID, `{"id":"`+dbOrdersTaskID+`"}`); rec.Code != http.StatusOK {
		t.Errorf("body id equal to the path: status %d", rec.Code)
	}
	wantError(t, app.put("/v3/tasks/"+strings.Repeat("a", 37), `{}`), 400, "SMS.9001", "task_id must be at most 36 characters long")
}

// updateLimitCases are UpdateTask bodies at and beyond the seed's limits. A wantMsg of "" means
// the body is valid.
var updateLimitCases = []struct {
	name    string
	body    string
	wantMsg string
}{
	{"name of 255 characters", `{"name":"` + strings.Repeat("名", 255) + `"}`, ""},
	{"name of 256 characters", `{"name":"` + strings.Repeat("n", 256) + `"}`, "name must be at most 255 characters long"},
	{"empty name", `{"name":""}`, ""},
	{"null name", `{"name":null}`, "name must not be null"},
	{"null state", `{"state":null}`, "state must not be null"},
	{"null create_date", `{"create_date":null}`, "create_date must not be null"},
	{"name with a control character", `{"name":"a\u0007b"}`, "name must not contain control characters"},
	{"name with invalid UTF-8", "{\"name\":\"a\xffb\"}", "request body is not valid JSON"},
	{"duplicate name", `{"name":"a","name":"b"}`, "name appears more than once"},
	{"type", `{"type":"MIGRATE_BLOCK"}`, ""},
	{"type outside the enum", `{"type":"MIGRATE_DISK"}`, "type must be one of MIGRATE_FILE, MIGRATE_BLOCK"},
	{"os_type lower case", `{"os_type":"linux"}`, "os_type must be LINUX (values are case-sensitive)"},
	{"os_type outside the enum", `{"os_type":"UNIX"}`, "os_type must be one of WINDOWS, LINUX"},
	{"state outside the enum", `{"state":"DONE"}`, "state must be one of"},
	{"rollback state", `{"state":"SYNC_F_ROLLBACKING"}`, ""},
	{"priority 2", `{"priority":2}`, ""},
	{"priority 3", `{"priority":3}`, "priority must be at most 2"},
	{"priority -1", `{"priority":-1}`, "priority must be at least 0"},
	{"priority as a string", `{"priority":"1"}`, "priority must be an Integer"},
	{"priority as a fraction", `{"priority":1.5}`, "priority must be an Integer"},
	{"speed_limit 10000", `{"speed_limit":10000}`, ""},
	{"speed_limit 10001", `{"speed_limit":10001}`, "speed_limit must be at most 10000"},
	{"migrate_speed 10000.5", `{"migrate_speed":10000.5}`, "migrate_speed must be at most 10000"},
	{"migrate_speed negative", `{"migrate_speed":-0.1}`, "migrate_speed must be at least 0"},
	{"largest Long", `{"estimate_complete_time":9223372036854775807}`, ""},
	{"Long overflow", `{"estimate_complete_time":9223372036854775808}`, "estimate_complete_time must be a Long"},
	{"negative date", `{"start_date":-1}`, "start_date must be at least 0"},
	{"error_json of 1024", `{"error_json":"` + strings.Repeat("e", 1024) + `"}`, ""},
	{"error_json of 1025", `{"error_json":"` + strings.Repeat("e", 1025) + `"}`, "error_json must be at most 1024 characters long"},
	{"boolean as a string", `{"start_target_server":"true"}`, "start_target_server must be a Boolean"},
	{"object as a string", `{"source_server":"x"}`, "source_server must be an object"},
	{"array as an object", `{"sub_tasks":{}}`, "sub_tasks must be an array"},
	{"source os_type", `{"source_server":{"os_type":"OS2"}}`, "source_server.os_type must be one of WINDOWS, LINUX"},
	{"source firmware", `{"source_server":{"firmware":"EFI"}}`, "source_server.firmware must be one of BIOS, UEFI"},
	{"source cpu_quantity", `{"source_server":{"cpu_quantity":65536}}`, "source_server.cpu_quantity must be at most 65535"},
	{"source state outside the enum", `{"source_server":{"state":"AVAILABLE"}}`, "source_server.state must be one of the 20 documented values: unavailable, waiting, initialize, replicate, syncing, stopping, stopped, skipping, deleting, error, cloning, cutovering, finished, clearing, cleared, clearfailed and 4 more"},
	{"source state premiging", `{"source_server":{"state":"premiging"}}`, ""},
	{"source platform", `{"source_server":{"platform":"ibm"}}`, "source_server.platform must be one of"},
	{"source start_type empty", `{"source_server":{"start_type":""}}`, ""},
	{"source start_type", `{"source_server":{"start_type":"AUTO"}}`, "source_server.start_type must be one of MANUAL, MGC, "},
	{"source migration_cycle", `{"source_server":{"migration_cycle":"done"}}`, "source_server.migration_cycle must be one of"},
	{"source io_read_wait", `{"source_server":{"io_read_wait":10000.1}}`, "source_server.io_read_wait must be at most 10000"},
	{"source disk", `{"source_server":{"disks":[{"name":"sda","device_use":"OS","size":1,"used_size":0,"physical_volumes":[]}]}}`, ""},
	{"source disk without name", `{"source_server":{"disks":[{"device_use":"OS","size":1,"used_size":0,"physical_volumes":[]}]}}`, "source_server.disks[0].name is required"},
	{"source disk without volumes", `{"source_server":{"disks":[{"name":"sda","device_use":"OS","size":1,"used_size":0}]}}`, "source_server.disks[0].physical_volumes is required"},
	{"source disk device_use", `{"source_server":{"disks":[{"name":"sda","device_use":"DATA","size":1,"used_size":0,"physical_volumes":[]}]}}`, "source_server.disks[0].device_use must be one of"},
	{"source disk size", `{"source_server":{"disks":[{"name":"sda","device_use":"OS","size":-1,"used_size":0,"physical_volumes":[]}]}}`, "source_server.disks[0].size must be at least 0"},
	{"source volume index", `{"source_server":{"disks":[{"name":"sda","device_use":"OS","size":1,"used_size":0,"physical_volumes":[{"index":-2}]}]}}`, "source_server.disks[0].physical_volumes[0].index must be at least 0"},
	{"btrfs without subvolumes", `{"source_server":{"btrfs_list":[{"name":"b","label":"","uuid":"u","device":"/dev/sdb","size":1,"nodesize":1,"sectorsize":1,"data_profile":"d","system_profile":"s","metadata_profile":"m","global_reserve1":"g","g_vol_used_size":1,"default_subvolid":"5","default_subvol_name":"n","default_subvol_mountpath":"/"}]}}`, "source_server.btrfs_list[0].subvolumn is required"},
	{"network without mac", `{"source_server":{"networks":[{"name":"eth0","ip":"10.0.0.1","netmask":"255.0.0.0","gateway":"10.0.0.254"}]}}`, "source_server.networks[0].mac is required"},
	{"logical volume block_size", `{"source_server":{"volume_groups":[{"logical_volumes":[{"block_size":1048577,"file_system":"ext4","inode_size":256,"mount_point":"/","name":"lv","size":1,"used_size":1,"free_size":0}]}]}}`, "source_server.volume_groups[0].logical_volumes[0].block_size must be at most 1048576"},
	{"logical volume without mount point", `{"source_server":{"volume_groups":[{"logical_volumes":[{"file_system":"ext4","inode_size":256,"name":"lv","size":1,"used_size":1,"free_size":0}]}]}}`, "source_server.volume_groups[0].logical_volumes[0].mount_point is required"},
	{"target without disks", `{"target_server":{"name":"t"}}`, "target_server.disks is required"},
	{"target without name", `{"target_server":{"disks":[]}}`, "target_server.name is required"},
	{"target with null ip", `{"target_server":{"name":"t","ip":null,"disks":[]}}`, ""},
	{"target disk device_use", `{"target_server":{"name":"t","disks":[{"device_use":"SWAP"}]}}`, "target_server.disks[0].device_use must be one of"},
	{"target volume size", `{"target_server":{"name":"t","disks":[{"physical_volumes":[{"size":-5}]}]}}`, "target_server.disks[0].physical_volumes[0].size must be at least 0"},
	{"sub-task without progress", `{"sub_tasks":[{"name":"SSL_CONFIG"}]}`, "sub_tasks[0].progress is required"},
	{"sub-task null", `{"sub_tasks":[null]}`, "sub_tasks[0] must be an object"},
	{"target disk null", `{"target_server":{"name":"t","disks":[{"name":"a"},null]}}`, "target_server.disks[1] must be an object"},
	{"target volume group null", `{"target_server":{"name":"t","disks":[],"volume_groups":[null]}}`, "target_server.volume_groups[0] must be an object"},
	{"source network null", `{"source_server":{"networks":[null]}}`, "source_server.networks[0] must be an object"},
	{"source physical volume null", `{"source_server":{"disks":[{"name":"sda","device_use":"OS","size":1,"used_size":0,"physical_volumes":[null]}]}}`, "source_server.disks[0].physical_volumes[0] must be an object"},
	{"sub-task progress 0", `{"sub_tasks":[{"name":"SSL_CONFIG","progress":0}]}`, ""},
	{"sub-task progress 101", `{"sub_tasks":[{"progress":0},{"progress":101}]}`, "sub_tasks[1].progress must be at most 100"},
	{"sub-task trace of 2049", `{"sub_tasks":[{"progress":1,"process_trace":"` + strings.Repeat("t", 2049) + `"}]}`, "sub_tasks[0].process_trace must be at most 2048"},
	{"clone vm_id of 256", `{"clone_server":{"vm_id":"` + strings.Repeat("v", 256) + `"}}`, "clone_server.vm_id must be at most 255"},
	{"body an array", `[]`, "request body must be a JSON object"},
	{"body null", `null`, "request body must be a JSON object"},
	{"empty body", ``, "request body is empty"},
	{"truncated body", `{"name":"a`, "request body is not valid JSON"},
	{"trailing garbage", `{"name":"a"} x`, "request body is not valid JSON"},
}

func TestUpdateTaskLimits(t *testing.T) {
	app := newTestApp(t)
	for _, tt := range updateLimitCases {
		t.Run(tt.name, func(t *testing.T) {
			wantLimit(t, app, "/v3/tasks/"+dbOrdersTaskID, dbOrdersTaskID, tt.body, tt.wantMsg)
		})
	}
}

// Keep the sms package's view of UpdateTask and this table in step: every top-level field of the
// request type must be accepted on its own.
func TestUpdateTaskAcceptsEveryField(t *testing.T) {
	app := newTestApp(t)
	samples := map[reflect.Kind]string{
		reflect.String: `"v"`, reflect.Int32: `1`, reflect.Int64: `1`, reflect.Float64: `1.5`,
		reflect.Bool: `true`, reflect.Slice: `[]`,
	}
	rt := reflect.TypeFor[sms.UpdateTaskRequest]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		kind := f.Type.Kind()
		if kind == reflect.Pointer {
			kind = f.Type.Elem().Kind()
		}
		value, ok := samples[kind]
		switch {
		case name == "id":
			value = `"` + dbOrdersTaskID + `"`
		case name == "state":
			value = `"RUNNING"`
		case name == "type":
			value = `"MIGRATE_FILE"`
		case name == "os_type":
			value = `"LINUX"`
		case name == "target_server":
			value = `{"name":"t","disks":[]}`
		case kind == reflect.Struct:
			value = `{}`
		case !ok:
			t.Fatalf("no sample for %s (%s)", name, kind)
		}
		if rec := app.put("/v3/tasks/"+dbOrdersTaskID, `{"`+name+`":`+value+`}`); rec.Code != http.StatusOK {
			t.Errorf("%s: status %d: %s", name, rec.Code, rec.Body)
		}
	}
}
