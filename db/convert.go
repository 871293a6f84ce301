package db

import (
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"smslab/sms"
)

// taskView projects a stored task into the ListTasks shape, its sub-tasks included if it keeps
// them in its row (not if they are rows of their own). Nested objects are stored in the form
// they were accepted in; decoding them into the ListTasks types keeps just that shape.
func taskView(t Task) (sms.Task, error) {
	v := sms.Task{
		ID:                   &t.ID,
		Name:                 &t.Name,
		Type:                 t.Type,
		OsType:               t.OsType,
		State:                &t.State,
		EstimateCompleteTime: t.EstimateCompleteTime,
		CreateDate:           &t.CreateDate,
		Priority:             narrow(t.Priority),
		SpeedLimit:           narrow(t.SpeedLimit),
		MigrateSpeed:         t.MigrateSpeed,
		CompressRate:         t.CompressRate,
		StartTargetServer:    t.StartTargetServer,
		ErrorJSON:            t.ErrorJson,
		TotalTime:            t.TotalTime,
		MigrationIP:          t.MigrationIp,
		EnterpriseProjectID:  t.EnterpriseProjectID,
		LogCollectStatus:     t.LogCollectStatus,
		Syncing:              t.Syncing,
		TotalCPUUsage:        t.TotalCpuUsage,
		AgentCPUUsage:        t.AgentCpuUsage,
		TotalMemUsage:        t.TotalMemUsage,
		AgentMemUsage:        t.AgentMemUsage,
		TotalDiskIO:          t.TotalDiskIo,
		AgentDiskIO:          t.AgentDiskIo,
		NeedMigrationTest:    t.NeedMigrationTest,
		SubtaskInfo:          t.SubtaskInfo,
	}
	err := firstError(
		loadJSON(t.SubTasks, &v.SubTasks),
		loadJSON(t.SourceServer, &v.SourceServer),
		loadJSON(t.TargetServer, &v.TargetServer),
		loadJSON(t.CloneServer, &v.CloneServer),
		loadJSON(t.NetworkCheckInfo, &v.NetworkCheckInfo),
		loadJSON(t.SpecialConfig, &v.SpecialConfig),
	)
	if err != nil {
		return sms.Task{}, fmt.Errorf("task %s: %w", t.ID, err)
	}
	return v, nil
}

// importedTask turns a task from a seed file into a stored task; if its sub-tasks are to be
// rows, the caller stores them (storeSubTaskRows). A task without a creation date gets now; a
// task without a name gets the empty one.
func importedTask(v sms.Task, now int64) (Task, error) {
	t := Task{
		ID:                   *v.ID,
		Name:                 deref(v.Name),
		Type:                 v.Type,
		OsType:               v.OsType,
		State:                *v.State,
		EstimateCompleteTime: v.EstimateCompleteTime,
		CreateDate:           now,
		Priority:             widen(v.Priority),
		SpeedLimit:           widen(v.SpeedLimit),
		MigrateSpeed:         v.MigrateSpeed,
		CompressRate:         v.CompressRate,
		StartTargetServer:    v.StartTargetServer,
		ErrorJson:            v.ErrorJSON,
		TotalTime:            v.TotalTime,
		MigrationIp:          v.MigrationIP,
		EnterpriseProjectID:  v.EnterpriseProjectID,
		LogCollectStatus:     v.LogCollectStatus,
		Syncing:              v.Syncing,
		TotalCpuUsage:        v.TotalCPUUsage,
		AgentCpuUsage:        v.AgentCPUUsage,
		TotalMemUsage:        v.TotalMemUsage,
		AgentMemUsage:        v.AgentMemUsage,
		TotalDiskIo:          v.TotalDiskIO,
		AgentDiskIo:          v.AgentDiskIO,
		NeedMigrationTest:    v.NeedMigrationTest,
		SubtaskInfo:          v.SubtaskInfo,
	}
	if v.CreateDate != nil {
		t.CreateDate = *v.CreateDate
	}
	if v.SourceServer != nil {
		t.SourceServerID = v.SourceServer.ID
	}
	setSubTasks(&t, importedSubTasks(v.SubTasks))
	// Every task lists a name and a creation date, those the import gave it included.
	v.Name, v.CreateDate = &t.Name, &t.CreateDate
	if err := renderListing(&t, v); err != nil {
		return Task{}, err
	}
	var err error
	if t.SourceServer, err = objectJSON(v.SourceServer); err != nil {
		return Task{}, err
	}
	if t.TargetServer, err = objectJSON(v.TargetServer); err != nil {
		return Task{}, err
	}
	if t.CloneServer, err = objectJSON(v.CloneServer); err != nil {
		return Task{}, err
	}
	if t.NetworkCheckInfo, err = objectJSON(v.NetworkCheckInfo); err != nil {
		return Task{}, err
	}
	t.SpecialConfig, err = arrayJSON(v.SpecialConfig)
	return t, err
}

// applyUpdate applies an UpdateTask body to a stored task: a field the body names replaces the
// stored value (null clears it; a nested object or array is replaced whole), any other field is
// left as it is. It renders the task's listing anew; if req's sub-tasks are to be rows, the
// caller stores them (storeSubTaskRows).
func applyUpdate(t *Task, req *sms.UpdateTaskRequest) error {
	var err error
	set := func(field string, apply func()) {
		if req.Has(field) {
			apply()
		}
	}
	setJSON := func(field string, encode func() (*string, error), dst **string) {
		if req.Has(field) && err == nil {
			*dst, err = encode()
		}
	}
	// sms.Decoder refuses null for name, state and create_date.
	set("name", func() { t.Name = *req.Name })
	set("state", func() { t.State = *req.State })
	set("create_date", func() { t.CreateDate = *req.CreateDate })
	set("type", func() { t.Type = req.Type })
	set("os_type", func() { t.OsType = req.OsType })
	set("priority", func() { t.Priority = widen(req.Priority) })
	set("region_id", func() { t.RegionID = req.RegionID })
	set("start_target_server", func() { t.StartTargetServer = req.StartTargetServer })
	set("enterprise_project_id", func() { t.EnterpriseProjectID = req.EnterpriseProjectID })
	set("exist_server", func() { t.ExistServer = req.ExistServer })
	set("migration_ip", func() { t.MigrationIp = req.MigrationIP })
	set("region_name", func() { t.RegionName = req.RegionName })
	set("speed_limit", func() { t.SpeedLimit = widen(req.SpeedLimit) })
	set("project_name", func() { t.ProjectName = req.ProjectName })
	set("project_id", func() { t.ProjectID = req.ProjectID })
	set("vm_template_id", func() { t.VmTemplateID = req.VMTemplateID })
	set("estimate_complete_time", func() { t.EstimateCompleteTime = req.EstimateCompleteTime })
	set("connected", func() { t.Connected = req.Connected })
	set("start_date", func() { t.StartDate = req.StartDate })
	set("finish_date", func() { t.FinishDate = req.FinishDate })
	set("migrate_speed", func() { t.MigrateSpeed = req.MigrateSpeed })
	set("error_json", func() { t.ErrorJson = req.ErrorJSON })
	set("total_time", func() { t.TotalTime = req.TotalTime })
	set("float_ip", func() { t.FloatIp = req.FloatIP })
	set("remain_seconds", func() { t.RemainSeconds = req.RemainSeconds })
	set("target_snapshot_id", func() { t.TargetSnapshotID = req.TargetSnapshotID })
	set("use_ipv6", func() { t.UseIpv6 = req.UseIPv6 })
	set("use_public_ip", func() { t.UsePublicIp = req.UsePublicIP })
	set("enterprise_project", func() { t.EnterpriseProject = req.EnterpriseProject })
	set("image_disk_id", func() { t.ImageDiskID = req.ImageDiskID })
	set("target_disk_ids", func() { t.TargetDiskIds = req.TargetDiskIDs })
	set("snapshot_ids", func() { t.SnapshotIds = req.SnapshotIDs })
	set("cutovered_snapshot_ids", func() { t.CutoveredSnapshotIds = req.CutoveredSnapshotIDs })
	set("source_server", func() {
		t.SourceServerID = nil
		if req.SourceServer != nil {
			t.SourceServerID = req.SourceServer.ID
		}
	})
	setJSON("source_server", func() (*string, error) { return objectJSON(req.SourceServer) }, &t.SourceServer)
	setJSON("target_server", func() (*string, error) { return objectJSON(req.TargetServer) }, &t.TargetServer)
	setJSON("clone_server", func() (*string, error) { return objectJSON(req.CloneServer) }, &t.CloneServer)
	if req.Has("sub_tasks") {
		t.SubtaskInfo = subtaskInfoAmong(t.SubtaskInfo, req.SubTasks)
		setSubTasks(t, req.SubTasks)
	}
	if err != nil {
		return err
	}
	view, err := taskView(*t)
	if err != nil {
		return err
	}
	return renderListing(t, view)
}

// objectJSON encodes a nested object for storage; nil stays NULL.
func objectJSON[T any](v *T) (*string, error) {
	if v == nil {
		return nil, nil
	}
	return encodeJSON(v)
}

// arrayJSON encodes an array for storage; nil stays NULL, empty is stored as [].
func arrayJSON[T any](v []T) (*string, error) {
	if v == nil {
		return nil, nil
	}
	return encodeJSON(v)
}

func encodeJSON(v any) (*string, error) {
	b, err := marshalJSON(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// marshalJSON is json.Marshal, but writes a negative zero as 0 (appendFloat does the same): the
// API's minimums of 0 accept -0, which equals 0, and a listing should not show "-0".
func marshalJSON(v any) ([]byte, error) {
	return json.Marshal(v, json.WithMarshalers(json.MarshalToFunc(func(enc *jsontext.Encoder, f float64) error {
		if f == 0 {
			f = 0 // +0 also for -0
		}
		return enc.WriteToken(jsontext.Float(f))
	})))
}

// loadJSON decodes a stored JSON column into dst; NULL leaves dst as it is.
func loadJSON(src *string, dst any) error {
	if src == nil {
		return nil
	}
	return json.Unmarshal([]byte(*src), dst)
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func widen(p *int32) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

// narrow reverses widen; stored values came through widen, so they fit.
func narrow(p *int64) *int32 {
	if p == nil {
		return nil
	}
	v := int32(*p)
	return &v
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// subtaskInfoAmong is what subtask_info says once the task's sub-tasks are replaced by subTasks:
// the progress they give the sub-task it named ("NAME P%"), or nothing if they do not hold it.
func subtaskInfoAmong(info *string, subTasks []sms.SubTask) *string {
	if info == nil {
		return nil
	}
	name, _, _ := ParseSubtaskInfo(*info)
	if i := indexOfSubTask(subTasks, name); i >= 0 && subTasks[i].Progress != nil {
		s := SubtaskInfo(name, *subTasks[i].Progress)
		return &s
	}
	return nil
}
