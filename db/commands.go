package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"

	"smslab/lifecycle"
	"smslab/sms"
)

// A task's life over the API (CreateTask, UpdateTaskStatus, CollectLog, DeleteTask(s)) and the
// agent's command channel (ShowCommand, UpdateCommandResult): every write goes through the
// committer and lifecycle's state table; commands and the tasks' timelines are rows of
// migration 0008 (queries/commands.sql). docs/api.md says what each does.

// The timeline's events.
const (
	eventCreated   = "created"
	eventAction    = "action"
	eventQueued    = "queued"
	eventDelivered = "delivered"
	eventResult    = "result"
	eventState     = "state"
)

// TimelineLength is how many of a task's newest events ShowTask and the status page show.
const TimelineLength = 200

func addEvent(ctx context.Context, q *Queries, taskID string, at int64, event, name, detail string) error {
	return q.CreateTaskEvent(ctx, CreateTaskEventParams{TaskID: taskID, At: at, Event: event, Name: name, Detail: detail})
}

// queueCommand queues the command for the source's agent, about the task, and notes it on the
// task's timeline.
func queueCommand(ctx context.Context, q *Queries, sourceID, taskID, name string, param sms.CommandParam, now int64) error {
	params, err := marshalJSON(param)
	if err != nil {
		return err
	}
	err = q.CreateCommand(ctx, CreateCommandParams{SourceID: sourceID, TaskID: &taskID, Name: name,
		Params: string(params), QueuedAt: now})
	if err != nil || name == lifecycle.CmdDelete {
		return err // a DELETE's task is gone, and its timeline with it
	}
	return addEvent(ctx, q, taskID, now, eventQueued, name, "")
}

// saveTask writes a task an action or a result changed, its source in step, and notes its new
// index key; a change of state goes on its timeline.
func saveTask(ctx context.Context, tx *writeTx, t *Task, formerState string, now int64) error {
	seq, err := tx.UpsertTask(ctx, UpsertTaskParams(*t))
	if err != nil {
		return err
	}
	t.Seq = seq
	tx.sourcesChanged = true
	if err := linkTaskSource(ctx, tx.Queries, t, nil, now); err != nil {
		return err
	}
	tx.noteIndexChange(*t)
	if t.State != formerState {
		return addEvent(ctx, tx.Queries, t.ID, now, eventState, t.State, "")
	}
	return nil
}

// CreateTask stores a new READY task for a registered source server and returns its id, starting
// it at once when req asks (auto_start). The source must exist (a *SourceNotFoundError), have no
// task and be connected (a *ConflictError); vm_template_id must name a template (a
// *TemplateNotFoundError).
func (s *Store) CreateTask(ctx context.Context, req *sms.CreateTaskRequest) (string, error) {
	now := s.Now().UnixMilli()
	id := sms.NewID()
	err := s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		src, err := loadSource(ctx, tx.Queries, *req.SourceServer.ID)
		if err != nil {
			return err
		}
		if src.TaskID != nil {
			return conflict("The source server %s already has a task, %s: delete that task first, or create the new one for another source.", src.ID, *src.TaskID)
		}
		if connected, _ := s.connection(src); !connected {
			return conflict("The source server %s is not connected: its agent has not called SMS for %s; start the agent on the server (smslab agent), then create the task.", src.ID, ConnectedTimeout)
		}
		target, err := newTarget(ctx, tx.Queries, req, src)
		if err != nil {
			return err
		}
		v := createdTask(id, req, src, now)
		task, err := importedTask(v, now)
		if err != nil {
			return err
		}
		if task.TargetServer, err = objectJSON(target); err != nil {
			return err
		}
		task.RegionID, task.RegionName = req.RegionID, req.RegionName
		task.ProjectID, task.ProjectName = req.ProjectID, req.ProjectName
		task.VmTemplateID, task.ExistServer = req.VMTemplateID, req.ExistServer
		task.UseIpv6, task.UsePublicIp = req.UseIPv6, req.UsePublicIP
		if err := saveTask(ctx, tx, &task, task.State, now); err != nil {
			return err
		}
		if err := addEvent(ctx, tx.Queries, id, now, eventCreated, lifecycle.Ready, "for source server "+src.ID); err != nil {
			return err
		}
		if valueOf(req.AutoStart) {
			return act(ctx, tx, &task, lifecycle.ActStart, "auto_start", now)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// createdTask is the new task a CreateTask body makes, in the ListTasks shape, with the defaults
// docs/api.md lists.
func createdTask(id string, req *sms.CreateTaskRequest, src Source, now int64) sms.Task {
	state := lifecycle.Ready
	v := sms.Task{
		ID: &id, Name: req.Name, Type: req.Type, OsType: req.OsType, State: &state, CreateDate: &now,
		Priority: req.Priority, SpeedLimit: req.SpeedLimit, StartTargetServer: req.StartTargetServer,
		MigrationIP: req.MigrationIP, EnterpriseProjectID: &src.EnterpriseProjectID, Syncing: req.Syncing,
		NeedMigrationTest: req.NeedMigrationTest,
		SourceServer: &sms.TaskSourceServer{ID: &src.ID, IP: src.Ip, Name: &src.Name, OsType: src.OsType,
			OsVersion: src.OsVersion, OemSystem: src.OemSystem},
		TargetServer: &sms.TaskTargetServer{VMID: nonEmpty(deref(req.TargetServer.VMID)), Name: nonEmpty(deref(req.TargetServer.Name))},
	}
	if v.OsType == nil {
		v.OsType = src.OsType
	}
	if v.Priority == nil {
		v.Priority = new(int32(1))
	}
	if v.StartTargetServer == nil {
		v.StartTargetServer = new(true)
	}
	if v.Syncing == nil {
		v.Syncing = new(false)
	}
	return v
}

// newTarget is the target server of a new task: the body's, with the template's server name when
// it names none, and the source's recommended disks and volume groups when it gives no disks.
func newTarget(ctx context.Context, q *Queries, req *sms.CreateTaskRequest, src Source) (*sms.TargetServer, error) {
	body := req.TargetServer
	t := &sms.TargetServer{Name: body.Name, VMID: body.VMID, Disks: body.Disks, VolumeGroups: body.VolumeGroups,
		BtrfsList: body.BtrfsList}
	if req.VMTemplateID != nil {
		tpl, err := loadTemplate(ctx, q, *req.VMTemplateID)
		if err != nil {
			return nil, err
		}
		if deref(t.Name) == "" {
			t.Name = tpl.Template.TargetServerName
		}
	}
	if deref(t.Name) == "" {
		t.Name = new(src.Name)
	}
	if t.Disks == nil {
		var init sms.InitTargetServer
		if err := loadJSON(&src.InitTargetServer, &init); err != nil {
			return nil, err
		}
		t.Disks = []sms.TargetDisk{}
		for _, d := range init.Disks {
			disk := sms.TargetDisk{Name: new(d.Name), Size: new(d.Size), UsedSize: d.UsedSize, DeviceUse: d.DeviceUse}
			for _, p := range d.PhysicalVolumes {
				disk.PhysicalVolumes = append(disk.PhysicalVolumes, sms.TargetPhysicalVolume{DeviceUse: p.DeviceUse,
					FileSystem: p.FileSystem, Index: p.Index, MountPoint: p.MountPoint, Name: p.Name, Size: p.Size,
					UsedSize: p.UsedSize, UUID: p.UUID})
			}
			t.Disks = append(t.Disks, disk)
		}
		if t.VolumeGroups == nil {
			for _, vg := range init.VolumeGroups {
				group := sms.VolumeGroup{Components: vg.Components, FreeSize: vg.FreeSize, Name: vg.Name, Size: vg.Size}
				for _, lv := range vg.LogicalVolumes {
					group.LogicalVolumes = append(group.LogicalVolumes, sms.LogicalVolume{FileSystem: lv.FileSystem,
						MountPoint: lv.MountPoint, Name: lv.Name, Size: lv.Size, UsedSize: lv.UsedSize, FreeSize: lv.FreeSize})
				}
				t.VolumeGroups = append(t.VolumeGroups, group)
			}
		}
	}
	return t, nil
}

// TaskAction applies an action (UpdateTaskStatus' operation) to the task with the given id, as
// the state table says: a *StateError when its state does not take it.
func (s *Store) TaskAction(ctx context.Context, id string, req *sms.UpdateTaskStatusRequest) error {
	detail := ""
	if req.TemplateID != nil {
		detail = "template " + *req.TemplateID
	}
	return s.actOn(ctx, id, *req.Operation, detail)
}

// CollectLog asks the task's agent to upload its logs to the bucket: log_collect_status becomes
// UPLOADING and UPLOAD_LOG is queued.
func (s *Store) CollectLog(ctx context.Context, id, bucket string) error {
	return s.actOn(ctx, id, lifecycle.ActCollectLog, "bucket "+bucket)
}

// actOn applies the action to the task with the given id in a write of its own, with detail for
// its timeline.
func (s *Store) actOn(ctx context.Context, id, action, detail string) error {
	now := s.Now().UnixMilli()
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		task, err := loadTask(ctx, tx.Queries, id)
		if err != nil {
			return err
		}
		return act(ctx, tx, &task, action, detail, now)
	})
}

// act applies an action to a task that loadTask read (its sub-tasks left where they are).
func act(ctx context.Context, tx *writeTx, t *Task, action, detail string, now int64) error {
	mv, err := lifecycle.Act(t.State, valueOf(t.Syncing), action)
	if err != nil {
		return &StateError{State: t.State, Reason: err.Error()}
	}
	if err := addEvent(ctx, tx.Queries, t.ID, now, eventAction, action, detail); err != nil {
		return err
	}
	former := t.State
	upd := &sms.UpdateTaskRequest{Fields: map[string]bool{}}
	set := func(fields ...string) {
		for _, f := range fields {
			upd.Fields[f] = true
		}
	}
	if mv.Reset {
		upd.SubTasks = []sms.SubTask{}
		set("sub_tasks", "migrate_speed", "error_json", "start_date", "finish_date", "total_time",
			"remain_seconds", "estimate_complete_time")
		t.SubtaskInfo, t.Replicatesize, t.Totalsize, t.CompressRate = nil, nil, nil, nil
	}
	if mv.Next != "" {
		upd.State = &mv.Next
		set("state")
	}
	param := sms.CommandParam{TaskID: &t.ID}
	switch action {
	case lifecycle.ActCloneTest:
		var target sms.TargetServer
		if err := loadJSON(t.TargetServer, &target); err != nil {
			return err
		}
		upd.CloneServer = &sms.CloneServer{VMID: new(sms.NewID()), Name: new(deref(target.Name) + "-clone"),
			CloneState: new("FINISHED")}
		set("clone_server")
	case lifecycle.ActCutover:
		t.Syncing = new(false) // the target server takes over: no more synchronizations
	case lifecycle.ActClear:
		upd.TargetSnapshotID, upd.SnapshotIDs = nil, nil
		set("target_snapshot_id", "snapshot_ids")
	case lifecycle.ActNetworkCheck:
		info, err := objectJSON(&networkCheck)
		if err != nil {
			return err
		}
		t.NetworkCheckInfo = info
	case lifecycle.ActCollectLog:
		t.LogCollectStatus = new("UPLOADING")
		param = sms.CommandParam{Bucket: new(strings.TrimPrefix(detail, "bucket "))}
	}
	if err := applyUpdate(t, upd); err != nil {
		return err
	}
	if err := saveTask(ctx, tx, t, former, now); err != nil {
		return err
	}
	if mv.Reset {
		if err := storeSubTaskRows(ctx, tx.Queries, t, upd.SubTasks); err != nil {
			return err
		}
	}
	if mv.Queue == "" || t.SourceServerID == nil {
		return nil
	}
	return queueCommand(ctx, tx.Queries, *t.SourceServerID, t.ID, mv.Queue, param, now)
}

// networkCheck is what network_check finds: a healthy lab network.
var networkCheck = sms.NetworkCheckInfo{DomainConnectivity: new(true), DestinationConnectivity: new(true),
	NetworkDelay: new(2.5), NetworkJitter: new(0.4), MigrationSpeed: new(940.0), LossPercentage: new(0.0),
	CPUUsage: new(12.0), MemUsage: new(35.0), EvaluationResult: new("excellent")}

// DeleteTasks deletes the tasks with the given ids, all or none: an unknown id is a
// *NotFoundError, a task in progress a *StateError, the first in the order given. Each task's
// commands and timeline go with it; its source gets back to no task, and a DELETE is queued for
// the source's agent when it is connected.
func (s *Store) DeleteTasks(ctx context.Context, ids []string) error {
	now := s.Now().UnixMilli()
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		tx.sourcesChanged, tx.bulky = true, len(ids) > 1
		for _, id := range ids {
			t, err := loadTask(ctx, tx.Queries, id)
			if err != nil {
				return err
			}
			if _, err := lifecycle.Act(t.State, valueOf(t.Syncing), lifecycle.ActDelete); err != nil {
				return &StateError{State: t.State, Reason: fmt.Sprintf("The task %s is %s and cannot be deleted while it is in progress: stop it first, and delete it once it is ABORT.", t.ID, t.State)}
			}
			if err := tx.DeleteTaskCommands(ctx, &t.ID); err != nil {
				return err
			}
			if err := tx.DeleteTask(ctx, t.Seq); err != nil {
				return err
			}
			tx.noteIndexRemoval(t.ID)
			if t.SourceServerID == nil {
				continue
			}
			if err := refreshSource(ctx, tx.Queries, *t.SourceServerID, now); err != nil {
				return err
			}
			if connected, _ := s.connectionOf(*t.SourceServerID, nil); connected {
				err := queueCommand(ctx, tx.Queries, *t.SourceServerID, t.ID, lifecycle.CmdDelete, sms.CommandParam{TaskID: &t.ID}, now)
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// NextCommand answers an agent's poll (ShowCommand) for the source with the given id: its oldest
// command not delivered yet, now marked delivered, or, with none pending, the answer its task's
// state gives (lifecycle.IdleAnswer). A poll counts as the agent's call; one with nothing
// pending is a read only.
func (s *Store) NextCommand(ctx context.Context, sourceID string) (sms.Command, error) {
	st, err := s.readQueries.GetPollState(ctx, sourceID)
	if errors.Is(err, sql.ErrNoRows) {
		return sms.Command{}, &SourceNotFoundError{ID: sourceID}
	}
	if err != nil {
		return sms.Command{}, s.readError(err)
	}
	s.AgentCalled(sourceID)
	if st.Pending == 0 { // seqs start at 1
		return sms.Command{CommandName: lifecycle.IdleAnswer(valueOf(st.TaskState))}, nil
	}
	now := s.Now().UnixMilli()
	var cmd sms.Command
	err = s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		c, err := tx.GetPendingCommand(ctx, sourceID)
		if errors.Is(err, sql.ErrNoRows) { // another poll took it meanwhile
			cmd = sms.Command{CommandName: lifecycle.IdleAnswer(valueOf(st.TaskState))}
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.SetCommandDelivered(ctx, SetCommandDeliveredParams{DeliveredAt: &now, Seq: c.Seq}); err != nil {
			return err
		}
		cmd = sms.Command{CommandName: c.Name, CommandParam: &sms.CommandParam{}}
		if err := json.Unmarshal([]byte(c.Params), cmd.CommandParam); err != nil {
			return err
		}
		if c.TaskID == nil || c.Name == lifecycle.CmdDelete {
			return nil
		}
		return addEvent(ctx, tx.Queries, *c.TaskID, now, eventDelivered, c.Name, "")
	})
	return cmd, err
}

// CommandResult records the agent's result of the oldest command of that name delivered to the
// source with the given id and not answered yet, and applies it to the command's task as the
// state table says. A result for no such command is a *StateError.
func (s *Store) CommandResult(ctx context.Context, sourceID string, req *sms.CommandResultRequest) error {
	now := s.Now().UnixMilli()
	name, success := *req.CommandName, *req.Result == "success"
	var detail *string
	if len(req.ResultDetail) > 0 && string(req.ResultDetail) != "null" {
		detail = new(string(req.ResultDetail))
	}
	err := s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.GetTaskSourceState(ctx, sourceID); errors.Is(err, sql.ErrNoRows) {
			return &SourceNotFoundError{ID: sourceID}
		} else if err != nil {
			return err
		}
		c, err := tx.GetUnansweredCommand(ctx, GetUnansweredCommandParams{SourceID: sourceID, Name: name})
		if errors.Is(err, sql.ErrNoRows) {
			return &StateError{Reason: fmt.Sprintf("The command reported differs from the server's: no %s was delivered to the agent of source server %s and left unanswered; poll ShowCommand and report the result of the command it gives.", name, sourceID)}
		}
		if err != nil {
			return err
		}
		err = tx.SetCommandResult(ctx, SetCommandResultParams{Result: req.Result, ResultDetail: detail, ResultAt: &now, Seq: c.Seq})
		if err != nil || c.TaskID == nil || name == lifecycle.CmdDelete {
			return err
		}
		t, err := loadTask(ctx, tx.Queries, *c.TaskID)
		if errors.Is(err, ErrTaskNotFound) {
			return nil // deleted since: the result is kept with the command
		}
		if err != nil {
			return err
		}
		if err := addEvent(ctx, tx.Queries, t.ID, now, eventResult, name, *req.Result); err != nil {
			return err
		}
		return applyResult(ctx, tx, &t, name, success, detail, now)
	})
	if err == nil {
		s.AgentCalled(sourceID)
	}
	return err
}

// applyResult changes the task as its agent's result of the command says.
func applyResult(ctx context.Context, tx *writeTx, t *Task, name string, success bool, detail *string, now int64) error {
	former := t.State
	if name == lifecycle.CmdUploadLog {
		t.LogCollectStatus = new("UPLOADED")
		if !success {
			t.LogCollectStatus = new("UPLOAD_FAIL")
		}
		if err := applyUpdate(t, &sms.UpdateTaskRequest{}); err != nil {
			return err
		}
		return saveTask(ctx, tx, t, former, now)
	}
	next, changed := lifecycle.Result(t.State, name, success)
	if !changed {
		return nil
	}
	upd := &sms.UpdateTaskRequest{State: &next, Fields: map[string]bool{"state": true}}
	if success && name == lifecycle.CmdStart && t.StartDate == nil {
		upd.StartDate = &now
		upd.Fields["start_date"] = true
	}
	if !success {
		upd.ErrorJSON = new(failureJSON(name, detail))
		upd.Fields["error_json"] = true
	}
	if err := applyUpdate(t, upd); err != nil {
		return err
	}
	return saveTask(ctx, tx, t, former, now)
}

// failureJSON is the error_json of a task whose command failed: the SMS error the agent put in
// result_detail ({"error_code", "error_msg", "error_param"}), else one that says which command
// failed. It fits error_json's 1,024 characters.
func failureJSON(name string, detail *string) string {
	var e struct {
		Code  string   `json:"error_code"`
		Msg   string   `json:"error_msg"`
		Param []string `json:"error_param,omitzero"`
	}
	if detail == nil || json.Unmarshal([]byte(*detail), &e) != nil || e.Code == "" {
		e.Code, e.Msg, e.Param = "", "the agent reported that "+name+" failed", nil
		b, _ := json.Marshal(struct {
			Msg string `json:"error_msg"`
		}{e.Msg})
		return string(b)
	}
	for {
		b, err := json.Marshal(e)
		if err == nil && len([]rune(string(b))) <= 1024 {
			return string(b)
		}
		switch {
		case len(e.Param) > 0:
			e.Param = e.Param[:len(e.Param)-1]
		case len(e.Msg) > 0:
			e.Msg = string([]rune(e.Msg)[:len([]rune(e.Msg))/2])
		default:
			e.Code = string([]rune(e.Code)[:min(len([]rune(e.Code)), 255)])
		}
	}
}

// ShowTask returns the task with the given id in ShowTask's shape, with its newest
// TimelineLength events, oldest first.
func (s *Store) ShowTask(ctx context.Context, id string) (sms.ShowTask, error) {
	t, err := s.GetTask(ctx, id)
	if err != nil {
		return sms.ShowTask{}, err
	}
	v, err := s.showTask(ctx, t)
	if err != nil {
		return sms.ShowTask{}, s.readError(err)
	}
	return v, nil
}

func (s *Store) showTask(ctx context.Context, t Task) (sms.ShowTask, error) {
	v := sms.ShowTask{
		Name: &t.Name, Type: t.Type, OsType: t.OsType, ID: &t.ID, Priority: narrow(t.Priority),
		SpeedLimit: narrow(t.SpeedLimit), RegionID: t.RegionID, StartTargetServer: t.StartTargetServer,
		EnterpriseProjectID: t.EnterpriseProjectID, MigrationIP: t.MigrationIp, RegionName: t.RegionName,
		ProjectName: t.ProjectName, ProjectID: t.ProjectID, VMTemplateID: t.VmTemplateID, State: &t.State,
		EstimateCompleteTime: t.EstimateCompleteTime, CreateDate: &t.CreateDate, StartDate: t.StartDate,
		FinishDate: t.FinishDate, MigrateSpeed: t.MigrateSpeed, CompressRate: t.CompressRate,
		ErrorJSON: t.ErrorJson, TotalTime: t.TotalTime, FloatIP: t.FloatIp, RemainSeconds: t.RemainSeconds,
		TargetSnapshotID: t.TargetSnapshotID, TotalCPUUsage: t.TotalCpuUsage, AgentCPUUsage: t.AgentCpuUsage,
		TotalMemUsage: t.TotalMemUsage, AgentMemUsage: t.AgentMemUsage, TotalDiskIO: t.TotalDiskIo,
		AgentDiskIO: t.AgentDiskIo, NeedMigrationTest: t.NeedMigrationTest, SubtaskInfo: t.SubtaskInfo,
		UsePublicIP: t.UsePublicIp, UseIPv6: t.UseIpv6, Syncing: t.Syncing, LogCollectStatus: t.LogCollectStatus,
	}
	var target sms.TargetServer
	err := firstError(loadJSON(t.TargetServer, &target), loadJSON(t.CloneServer, &v.CloneServer),
		loadJSON(t.NetworkCheckInfo, &v.NetworkCheckInfo), loadJSON(t.SubTasks, &v.SubTasks))
	if err != nil {
		return v, fmt.Errorf("task %s: %w", t.ID, err)
	}
	for i := range v.SubTasks {
		if v.SubTasks[i].Progress == nil {
			v.SubTasks[i].Progress = new(int32(0))
		}
	}
	if t.TargetServer != nil {
		v.TargetServer = &sms.ShowTaskTarget{ID: target.ID, VMID: target.VMID, Name: target.Name, IP: target.IP,
			OsType: target.OsType, OsVersion: target.OsVersion, SystemDir: target.SystemDir,
			Disks: target.Disks, VolumeGroups: target.VolumeGroups, BtrfsList: []string{},
			ImageDiskID: target.ImageDiskID, CutoveredSnapshotIDs: target.CutoveredSnapshotIDs}
		if v.TargetServer.Disks == nil {
			v.TargetServer.Disks = []sms.TargetDisk{}
		}
		for _, b := range target.BtrfsList {
			v.TargetServer.BtrfsList = append(v.TargetServer.BtrfsList, deref(b.Name))
		}
	}
	if t.SourceServerID != nil {
		src, err := loadSource(ctx, s.readQueries, *t.SourceServerID)
		if err != nil {
			return v, err
		}
		connected, _ := s.connection(src)
		v.Connected = &connected
		v.SourceServer = &sms.ShowTaskSource{ID: &src.ID, IP: deref(src.Ip), Name: src.Name, OsType: deref(src.OsType),
			OsVersion: src.OsVersion, OemSystem: src.OemSystem, State: &src.State, MigrationCycle: &src.MigrationCycle}
	}
	v.Timeline, err = s.timeline(ctx, t.ID)
	return v, err
}

// TaskTimeline returns the newest TimelineLength events of the task with the given id, oldest
// first (the status page's task details).
func (s *Store) TaskTimeline(ctx context.Context, id string) ([]sms.TimelineEvent, error) {
	timeline, err := s.timeline(ctx, id)
	if err != nil {
		return nil, s.readError(err)
	}
	return timeline, nil
}

// timeline reads the newest TimelineLength events of the task with the given id, oldest first.
func (s *Store) timeline(ctx context.Context, id string) ([]sms.TimelineEvent, error) {
	events, err := s.readQueries.ListTaskEvents(ctx, ListTaskEventsParams{TaskID: id, Limit: TimelineLength})
	if err != nil {
		return nil, err
	}
	timeline := []sms.TimelineEvent{}
	for _, e := range slices.Backward(events) {
		timeline = append(timeline, sms.TimelineEvent{Time: e.At, Event: e.Event, Name: e.Name, Detail: e.Detail})
	}
	return timeline, nil
}
