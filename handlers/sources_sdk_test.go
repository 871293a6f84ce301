package handlers_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/go-json-experiment/json"

	smsv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3/model"

	"smslab/lifecycle"
	"smslab/sms"
)

// The demo's RUNNING task db-orders and its source, which cannot be deleted while it runs.
const (
	runningSource = "5c1a7e0b-4d2f-4a8e-9b1c-000000000003"
	runningTask   = "3f6e1d2c-8b4a-4c5d-9e7f-000000000003"
)

// linuxAgent is what an agent on a Linux server registers, as the SDK sends it.
func linuxAgent(name, ip string) *model.PostSourceServerBody {
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	return &model.PostSourceServerBody{
		Ip: str(ip), Name: name, Hostname: str(name + ".lab"),
		OsType: model.GetPostSourceServerBodyOsTypeEnum().LINUX, OsVersion: "CENTOS_7_6_64BIT",
		Firmware: ptr(model.GetPostSourceServerBodyFirmwareEnum().BIOS), CpuQuantity: ptr[int32](4),
		Memory: i64(8192), AgentVersion: "24.3.0", KernelVersion: str("3.10.0-1160"),
		HasRsync: ptr(true), Paravirtualization: ptr(false), BootLoader: str("GRUB"),
		Disks: &[]model.ServerDisk{
			{Name: str("/dev/vda"), PartitionStyle: str("MBR"), DeviceUse: str("BOOT"), Size: i64(42949672960),
				UsedSize: i64(8589934592), OsDisk: ptr(true), PhysicalVolumes: &[]model.PhysicalVolume{
					{Name: str("/dev/vda1"), DeviceUse: str("BOOT"), FileSystem: str("xfs"), MountPoint: str("/boot"),
						Size: i64(1073741824), UsedSize: i64(209715200), Index: ptr[int32](0)},
					{Name: str("/dev/vda2"), DeviceUse: str("OS"), FileSystem: str("xfs"), MountPoint: str("/"),
						Size: i64(41875931136), UsedSize: i64(8380219392), Index: ptr[int32](1)},
				}},
			{Name: str("/dev/vdb"), PartitionStyle: str("GPT"), DeviceUse: str("NORMAL"), Size: i64(107374182400),
				UsedSize: i64(53687091200), PhysicalVolumes: &[]model.PhysicalVolume{}},
		},
		VolumeGroups: &[]model.VolumeGroups{{Name: str("vgdata"), Components: str("/dev/vdb"), Size: i64(107374182400),
			FreeSize: i64(0), LogicalVolumes: &[]model.LogicalVolumes{{Name: str("/dev/mapper/vgdata-lv0"),
				FileSystem: str("ext4"), MountPoint: str("/data"), Size: i64(107374182400), UsedSize: i64(53687091200),
				FreeSize: i64(53687091200), InodeSize: ptr[int32](256)}}}},
		BtrfsList: &[]model.BtrfsFileSystem{},
		Networks:  []model.NetWork{{Name: str("eth0"), Ip: str(ip), Netmask: str("255.255.255.0"), Gateway: str("10.0.0.1"), Mac: "fa:16:3e:00:00:01", Mtu: ptr[int32](1500)}},
	}
}

// rawSource is ShowServer's answer as smslab's own type, with what the SDK's model lacks.
func rawSource(t *testing.T, url, id string) sms.Source {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/v3/sources/"+id, nil)
	req.Header.Set("X-Auth-Token", labToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s sms.Source
	if err := json.UnmarshalRead(resp.Body, &s); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v3/sources/%s: %d %v", id, resp.StatusCode, err)
	}
	return s
}

func register(t *testing.T, c *smsv3.SmsClient, body *model.PostSourceServerBody) string {
	t.Helper()
	resp, err := c.RegisterServer(&model.RegisterServerRequest{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Id == nil || *resp.Id == "" {
		t.Fatal("RegisterServer answered no id")
	}
	return *resp.Id
}

func showServer(t *testing.T, c *smsv3.SmsClient, id string) *model.ShowServerResponse {
	t.Helper()
	resp, err := c.ShowServer(&model.ShowServerRequest{SourceId: id})
	if err != nil {
		t.Fatalf("ShowServer %s: %v", id, err)
	}
	return resp
}

// listIDs is ListServers' page of ids and its count.
func listIDs(t *testing.T, c *smsv3.SmsClient, req *model.ListServersRequest) ([]string, int32) {
	t.Helper()
	resp, err := c.ListServers(req)
	if err != nil {
		t.Fatalf("ListServers: %v", err)
	}
	var ids []string
	for _, s := range *resp.SourceServers {
		ids = append(ids, *s.Id)
	}
	return ids, *resp.Count
}

// The official Go SDK drives every source-server operation against a real server on a real
// SQLite file, holding the demo set, signing each request as against a strict-mode smslab.
func TestSourcesThroughTheSDK(t *testing.T) {
	cfg := strictConfig()
	cfg.Now = nil // the SDK signs with the real clock
	url, _ := newSDKServer(t, cfg)
	c := newSDKClient(t, url, labAK, labSK)

	var web, db2 string
	t.Run("register twice gives the same id", func(t *testing.T) {
		web = register(t, c, linuxAgent("lab-web-01", "10.9.0.11"))
		if again := register(t, c, linuxAgent("lab-web-01", "10.9.0.11")); again != web {
			t.Errorf("the same agent registered again: id %s, want %s", again, web)
		}
		// By id, renamed and with more memory: the same source, refreshed.
		body := linuxAgent("lab-web-01-renamed", "10.9.0.12")
		body.Id, body.Memory = &web, ptr[int64](16384)
		if again := register(t, c, body); again != web {
			t.Errorf("registered by its id: %s, want %s", again, web)
		}
		// An id no source has is the new source's.
		body = linuxAgent("db-02", "10.9.0.21")
		body.Id = ptr("db-02-from-agent")
		if db2 = register(t, c, body); db2 != "db-02-from-agent" {
			t.Errorf("registered with a new id: %s", db2)
		}
		if ids, n := listIDs(t, c, &model.ListServersRequest{Name: ptr("lab-web-01-renamed")}); n != 1 || ids[0] != web {
			t.Errorf("sources named web-01-renamed: %v", ids)
		}
		if _, n := listIDs(t, c, &model.ListServersRequest{Name: ptr("lab-web-01")}); n != 0 {
			t.Errorf("%d sources keep the old name", n)
		}
	})

	t.Run("show", func(t *testing.T) {
		s := showServer(t, c, web)
		if *s.Name != "lab-web-01-renamed" || *s.Ip != "10.9.0.12" || *s.Memory != 16384 || *s.OsType != "LINUX" ||
			*s.Hostname != "lab-web-01-renamed.lab" || *s.AgentVersion != "24.3.0" || s.Firmware.Value() != "BIOS" {
			t.Errorf("ShowServer: %v", s)
		}
		if s.State.Value() != lifecycle.SourceWaiting || s.MigrationCycle.Value() != lifecycle.CycleSetting || !*s.Connected || s.CurrentTask != nil {
			t.Errorf("state %s, cycle %s, connected %v, task %v", s.State.Value(), s.MigrationCycle.Value(), *s.Connected, s.CurrentTask)
		}
		// init_target_server mirrors the disks, one target disk per source disk, as Huawei's
		// Terraform provider builds its target from it.
		its := s.InitTargetServer
		if len(its.Disks) != 2 || its.Disks[0].Name != "/dev/vda" || its.Disks[0].Size != 42949672960 ||
			*its.Disks[0].UsedSize != 8589934592 || its.Disks[0].DeviceUse.Value() != "BOOT" ||
			len(*its.Disks[0].PhysicalVolumes) != 2 || *(*its.Disks[0].PhysicalVolumes)[1].MountPoint != "/" ||
			its.Disks[1].Name != "/dev/vdb" || len(*its.VolumeGroups) != 1 || *(*its.VolumeGroups)[0].Name != "vgdata" {
			t.Errorf("init_target_server: %v", its)
		}
		if n := len(*s.Disks); n != 2 || len(*s.Networks) != 1 || len(*s.Checks) == 0 {
			t.Errorf("disks %d, networks %d, checks %d", n, len(*s.Networks), len(*s.Checks))
		}
		for _, ch := range *s.Checks {
			if ch.Result.Value() != "OK" {
				t.Errorf("check %s: %s", ch.Name, ch.Result.Value())
			}
		}
		// A source made for a demo task shows it.
		s = showServer(t, c, runningSource)
		if s.CurrentTask == nil || *s.CurrentTask.Id != runningTask || *s.CurrentTask.State != "RUNNING" ||
			s.State.Value() != "replicate" || s.MigrationCycle.Value() != "replicating" {
			t.Errorf("the running task's source: state %s, task %v", s.State.Value(), s.CurrentTask)
		}
	})

	t.Run("list with each filter and paging", func(t *testing.T) {
		all, total := listIDs(t, c, &model.ListServersRequest{})
		if int(total) != len(all) || !slices.Contains(all, web) || !slices.Contains(all, runningSource) {
			t.Fatalf("all sources: %d of %d", len(all), total)
		}
		if all[0] != db2 || all[1] != web {
			t.Errorf("newest first: %v", all[:2])
		}
		for _, page := range []struct{ limit, offset int32 }{{3, 0}, {3, 3}, {5, total - 2}, {200, 0}} {
			ids, n := listIDs(t, c, &model.ListServersRequest{Limit: &page.limit, Offset: &page.offset})
			end := min(int(page.offset+page.limit), len(all))
			if n != total || !slices.Equal(ids, all[page.offset:end]) {
				t.Errorf("limit %d offset %d: %v (count %d), want %v", page.limit, page.offset, ids, n, all[page.offset:end])
			}
		}
		waiting := model.GetListServersRequestStateEnum().WAITING
		replicating := model.GetListServersRequestMigrationCycleEnum().REPLICATING
		project := *showServer(t, c, web).EnterpriseProjectId
		filters := []struct {
			name string
			req  model.ListServersRequest
			want func(id string) bool
		}{
			{"id", model.ListServersRequest{Id: &web}, func(id string) bool { return id == web }},
			{"ip", model.ListServersRequest{Ip: ptr("10.9.0.21")}, func(id string) bool { return id == db2 }},
			{"state", model.ListServersRequest{State: &waiting}, func(id string) bool { return showServer(t, c, id).State.Value() == "waiting" }},
			{"migration_cycle", model.ListServersRequest{MigrationCycle: &replicating}, func(id string) bool {
				return showServer(t, c, id).MigrationCycle.Value() == "replicating"
			}},
			{"connected", model.ListServersRequest{Connected: ptr(true)}, func(id string) bool { return id == web || id == db2 }},
			{"enterprise_project_id", model.ListServersRequest{EnterpriseProjectId: ptr("ep-retail")}, func(id string) bool {
				return *showServer(t, c, id).EnterpriseProjectId == "ep-retail"
			}},
			{"enterprise_project_id of agents", model.ListServersRequest{EnterpriseProjectId: &project}, func(id string) bool {
				return *showServer(t, c, id).EnterpriseProjectId == project
			}},
			{"is_consistency_result_exist", model.ListServersRequest{IsConsistencyResultExist: ptr(true)}, func(string) bool { return false }},
			{"vm_id", model.ListServersRequest{VmId: ptr("a3c5e7f9-1b3d-4f5a-8c7e-000000000003")}, func(id string) bool { return id == runningSource }},
		}
		for _, f := range filters {
			ids, n := listIDs(t, c, &f.req)
			var want []string
			for _, id := range all {
				if f.want(id) {
					want = append(want, id)
				}
			}
			if !slices.Equal(ids, want) || int(n) != len(want) {
				t.Errorf("%s: %v (count %d), want %v", f.name, ids, n, want)
			}
		}
		if _, n := listIDs(t, c, &model.ListServersRequest{Connected: ptr(false)}); n != total-2 {
			t.Errorf("connected=false: %d, want %d", n, total-2)
		}
	})

	t.Run("rename, move, adjust the target", func(t *testing.T) {
		p, err := c.CreateMigproject(&model.CreateMigprojectRequest{Body: &model.PostMigProjectBody{
			Name: "wave-2", Region: "r", Type: model.GetPostMigProjectBodyTypeEnum().MIGRATE_FILE}})
		if err != nil {
			t.Fatal(err)
		}
		// The SDK's models lack the ids of disks, which Huawei's Terraform provider reads.
		disk := *rawSource(t, url, web).InitTargetServer.Disks[1].ID
		_, err = c.UpdateServerName(&model.UpdateServerNameRequest{SourceId: web, Body: &model.PutSourceServerBody{
			Name: ptr("web-01-prod"), Migprojectid: p.Id,
			Disks: &[]model.PutDisk{{Id: &disk, AdjustSize: ptr[int64](214748364800), NeedMigration: ptr(true)}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		s := showServer(t, c, web)
		if *s.Name != "web-01-prod" || s.InitTargetServer.Disks[1].Size != 107374182400 {
			t.Errorf("after UpdateServerName: %s, target disk %v", *s.Name, s.InitTargetServer.Disks[1])
		}
		if d := rawSource(t, url, web).InitTargetServer.Disks[1]; *d.AdjustSize != 214748364800 || !*d.NeedMigration {
			t.Errorf("the adjusted target disk: %+v", d)
		}
		if ids, _ := listIDs(t, c, &model.ListServersRequest{Migproject: p.Id}); !slices.Equal(ids, []string{web}) {
			t.Errorf("sources in wave-2: %v", ids)
		}
		_, err = c.UpdateServerName(&model.UpdateServerNameRequest{SourceId: web, Body: &model.PutSourceServerBody{
			Disks: &[]model.PutDisk{{Id: ptr("no-such-disk"), AdjustSize: ptr[int64](1)}}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: disks[0].id names no disk or volume of the source server: no-such-disk")
		_, err = c.UpdateServerName(&model.UpdateServerNameRequest{SourceId: web, Body: &model.PutSourceServerBody{Migprojectid: ptr("nope")}})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9006", "The migration project does not exist: nope")
		_, err = c.UpdateServerName(&model.UpdateServerNameRequest{SourceId: runningSource, Body: &model.PutSourceServerBody{
			Disks: &[]model.PutDisk{{Id: &disk}}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008",
			"The source server "+runningSource+" is replicate: its disks and volume groups can be changed only while it is waiting.")
	})

	t.Run("disk info", func(t *testing.T) {
		str := func(s string) *string { return &s }
		_, err := c.UpdateDiskInfo(&model.UpdateDiskInfoRequest{SourceId: db2, Body: &model.PutDiskInfoReq{
			Disks: &[]model.ServerDisk{{Name: str("/dev/sda"), DeviceUse: str("OS"), Size: ptr[int64](1 << 30), UsedSize: ptr[int64](1 << 20)}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		s := showServer(t, c, db2)
		if len(*s.Disks) != 1 || *(*s.Disks)[0].Name != "/dev/sda" || len(s.InitTargetServer.Disks) != 1 ||
			s.InitTargetServer.Disks[0].Size != 1<<30 || len(*s.VolumeGroups) != 1 {
			t.Errorf("after UpdateDiskInfo: disks %v, target %v, volume groups %v", *s.Disks, s.InitTargetServer.Disks, *s.VolumeGroups)
		}
		_, err = c.UpdateDiskInfo(&model.UpdateDiskInfoRequest{SourceId: runningSource, Body: &model.PutDiskInfoReq{Disks: &[]model.ServerDisk{}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008",
			"The source server "+runningSource+" is replicate: its disk information can be changed only while it is waiting.")
	})

	t.Run("change state", func(t *testing.T) {
		// Case-insensitive, as the SDK says; init is the state initialize.
		_, err := c.UpdateCopyState(&model.UpdateCopyStateRequest{SourceId: db2, Body: &model.PutCopyStateReq{
			Copystate: model.GetPutCopyStateReqCopystateEnum().INIT, Migrationcycle: model.GetPutCopyStateReqMigrationcycleEnum().REPLICATING,
		}})
		if err != nil {
			t.Fatal(err)
		}
		if s := showServer(t, c, db2); s.State.Value() != "initialize" || s.MigrationCycle.Value() != "replicating" {
			t.Errorf("after UpdateCopyState: %s %s", s.State.Value(), s.MigrationCycle.Value())
		}
		_, err = c.UpdateCopyState(&model.UpdateCopyStateRequest{SourceId: db2, Body: &model.PutCopyStateReq{
			Copystate: model.GetPutCopyStateReqCopystateEnum().WAITING, Migrationcycle: model.GetPutCopyStateReqMigrationcycleEnum().CUTOVERED,
		}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001",
			"Invalid parameter: copystate waiting does not go with migrationcycle cutovered, which takes copystate finished, deleting, stopping, error, stopped")
		_, err = c.UpdateCopyState(&model.UpdateCopyStateRequest{SourceId: db2, Body: &model.PutCopyStateReq{
			Copystate: model.GetPutCopyStateReqCopystateEnum().STOPPED, Migrationcycle: model.GetPutCopyStateReqMigrationcycleEnum().REPLICATING,
		}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UpdateCopyState(&model.UpdateCopyStateRequest{SourceId: db2, Body: &model.PutCopyStateReq{
			Copystate: model.GetPutCopyStateReqCopystateEnum().WAITING, Migrationcycle: model.GetPutCopyStateReqMigrationcycleEnum().SETTING,
		}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008",
			"The source server db-02-from-agent is stopped: its migration state cannot be changed in that state.")
	})

	t.Run("overview counts what the list counts", func(t *testing.T) {
		checkOverviewMatchesList(t, c)
	})

	t.Run("errors list the failed", func(t *testing.T) {
		resp, err := c.ListErrorServers(&model.ListErrorServersRequest{})
		if err != nil {
			t.Fatal(err)
		}
		failed, n := listIDs(t, c, &model.ListServersRequest{State: ptr(model.GetListServersRequestStateEnum().ERROR)})
		var got []string
		for _, e := range *resp.MigrationErrors {
			got = append(got, *e.SourceId)
			if e.ErrorJson == nil || *e.ErrorJson == "" {
				t.Errorf("%s: no error_json", *e.SourceId)
			}
		}
		if int(*resp.Count) != len(got) || n == 0 || !slices.Equal(got, failed) {
			t.Errorf("ListErrorServers: %v (count %d), want the sources in error %v", got, *resp.Count, failed)
		}
	})

	t.Run("delete one and many", func(t *testing.T) {
		_, err := c.DeleteServer(&model.DeleteServerRequest{SourceId: runningSource})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008", "The source server "+runningSource+
			" has a task in progress: "+runningTask+" (sms_task_db-orders) is RUNNING; stop it before deleting the source.")
		_, total := listIDs(t, c, &model.ListServersRequest{})
		// All or nothing: an unknown id, or one refused, deletes none.
		_, err = c.DeleteServers(&model.DeleteServersRequest{Body: &model.DeleteIds{Ids: []string{web, "nope"}}})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9005", "The source server does not exist: nope")
		_, err = c.DeleteServers(&model.DeleteServersRequest{Body: &model.DeleteIds{Ids: []string{web, runningSource}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008", "The source server "+runningSource+
			" has a task in progress: "+runningTask+" (sms_task_db-orders) is RUNNING; stop it before deleting the source.")
		if _, n := listIDs(t, c, &model.ListServersRequest{}); n != total {
			t.Fatalf("a refused batch deleted %d sources", total-n)
		}
		// A source with a finished task goes with it.
		finished, _ := listIDs(t, c, &model.ListServersRequest{State: ptr(model.GetListServersRequestStateEnum().FINISHED), Limit: ptr[int32](1)})
		task := *showServer(t, c, finished[0]).CurrentTask.Id
		if _, err := c.DeleteServers(&model.DeleteServersRequest{Body: &model.DeleteIds{Ids: []string{web, finished[0], web}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteServer(&model.DeleteServerRequest{SourceId: db2}); err != nil {
			t.Fatal(err)
		}
		if _, n := listIDs(t, c, &model.ListServersRequest{}); n != total-3 {
			t.Errorf("%d sources after deleting 3 of %d", n, total)
		}
		for _, id := range []string{web, db2, finished[0]} {
			_, err = c.ShowServer(&model.ShowServerRequest{SourceId: id})
			wantServiceError(t, err, http.StatusNotFound, "SMS.9005", "The source server does not exist: "+id)
		}
		if resp, err := c.ListTasks(&model.ListTasksRequest{Id: &task}); err != nil || *resp.Count != 0 {
			t.Errorf("the deleted source's task is still listed: %v %v", resp, err)
		}
		_, err = c.DeleteServers(&model.DeleteServersRequest{Body: &model.DeleteIds{Ids: []string{}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: ids must have at least 1 items")
	})

	t.Run("validation errors", func(t *testing.T) {
		body := linuxAgent("", "10.9.9.9")
		_, err := c.RegisterServer(&model.RegisterServerRequest{Body: body})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: name must be at least 1 characters long")
		body = linuxAgent("x", "10.9.9.300")
		_, err = c.RegisterServer(&model.RegisterServerRequest{Body: body})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: ip must be an IPv4 address")
		_, err = c.ListServers(&model.ListServersRequest{Limit: ptr[int32](201)})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: limit must be at most 200")
	})
}

// checkOverviewMatchesList holds ShowOverview to ListServers: each state's count is the number of
// sources ListServers finds in it, and unconfigured the number without a task.
func checkOverviewMatchesList(t *testing.T, c *smsv3.SmsClient) {
	t.Helper()
	o, err := c.ShowOverview(&model.ShowOverviewRequest{})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]*int32{"waiting": o.Waiting, "replicate": o.Replicate, "syncing": o.Syncing,
		"stopped": o.Stopped, "deleting": o.Deleting, "cutovering": o.Cutovering, "unavailable": o.Unavailable,
		"stopping": o.Stopping, "skipping": o.Skipping, "finished": o.Finished, "initialize": o.Initialize,
		"error": o.Error, "cloning": o.Cloning}
	for state, got := range counts {
		s := model.ListServersRequestState{}
		if err := s.UnmarshalJSON([]byte(`"` + state + `"`)); err != nil {
			t.Fatal(err)
		}
		_, want := listIDs(t, c, &model.ListServersRequest{State: &s, Limit: ptr[int32](1)})
		if got == nil || *got != want {
			t.Errorf("overview %s = %v, ListServers counts %d", state, got, want)
		}
	}
	all, _ := listIDs(t, c, &model.ListServersRequest{})
	without := 0
	for _, id := range all {
		if showServer(t, c, id).CurrentTask == nil {
			without++
		}
	}
	if o.Unconfigured == nil || int(*o.Unconfigured) != without {
		t.Errorf("overview unconfigured = %v, %d sources have no task", o.Unconfigured, without)
	}
}
