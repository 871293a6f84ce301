package handlers_test

import (
	"net/http"
	"slices"
	"testing"

	smsv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3/model"

	"smslab/lifecycle"
)

// sdkTask is the CreateTask body an automation script sends for a registered source, from a
// template, leaving the target's disks to SMS.
func sdkTask(name, sourceID, templateID string) *model.PostTask {
	return &model.PostTask{
		Name: name, Type: model.GetPostTaskTypeEnum().MIGRATE_FILE, OsType: ptr(model.GetPostTaskOsTypeEnum().LINUX),
		SourceServer: &model.SourceServerByTask{Id: sourceID}, TargetServer: &model.TargetServerByTask{},
		RegionName: "region-1", RegionId: "region-1", ProjectName: "region-1", ProjectId: "p1",
		VmTemplateId: ptr(templateID), Syncing: ptr(true),
	}
}

func createTaskSDK(t *testing.T, c *smsv3.SmsClient, body *model.PostTask) string {
	t.Helper()
	resp, err := c.CreateTask(&model.CreateTaskRequest{Body: body})
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	if resp.Id == nil || !uuidPattern.MatchString(*resp.Id) {
		t.Fatalf("CreateTask answered id %v", resp.Id)
	}
	return *resp.Id
}

func showTaskSDK(t *testing.T, c *smsv3.SmsClient, id string) *model.ShowTaskResponse {
	t.Helper()
	resp, err := c.ShowTask(&model.ShowTaskRequest{TaskId: id})
	if err != nil {
		t.Fatalf("ShowTask %s: %v", id, err)
	}
	return resp
}

func wantState(t *testing.T, c *smsv3.SmsClient, id, want string) *model.ShowTaskResponse {
	t.Helper()
	task := showTaskSDK(t, c, id)
	if task.State == nil || task.State.Value() != want {
		t.Fatalf("task %s is %v, want %s", id, task.State, want)
	}
	return task
}

func action(t *testing.T, c *smsv3.SmsClient, id string, op model.UpdateTaskStatusReqOperation) {
	t.Helper()
	if _, err := c.UpdateTaskStatus(&model.UpdateTaskStatusRequest{TaskId: id, Body: &model.UpdateTaskStatusReq{Operation: op}}); err != nil {
		t.Fatalf("UpdateTaskStatus %s %s: %v", id, op.Value(), err)
	}
}

// pollSDK is the agent's ShowCommand; it wants the command name (and its task, if any).
func pollSDK(t *testing.T, c *smsv3.SmsClient, source, wantName, wantTask string) {
	t.Helper()
	resp, err := c.ShowCommand(&model.ShowCommandRequest{ServerId: source})
	if err != nil {
		t.Fatalf("ShowCommand: %v", err)
	}
	name, task := "", ""
	if resp.CommandName != nil {
		name = *resp.CommandName
	}
	if resp.CommandParam != nil && resp.CommandParam.TaskId != nil {
		task = *resp.CommandParam.TaskId
	}
	if name != wantName || task != wantTask {
		t.Fatalf("ShowCommand: %q for task %q, want %q for %q", name, task, wantName, wantTask)
	}
}

func answerSDK(t *testing.T, c *smsv3.SmsClient, source, cmd, result string, detail any) {
	t.Helper()
	body := &model.CommandBody{CommandName: cmd, Result: result}
	if detail != nil {
		body.ResultDetail = &detail
	}
	if _, err := c.UpdateCommandResult(&model.UpdateCommandResultRequest{ServerId: source, Body: body}); err != nil {
		t.Fatalf("UpdateCommandResult %s %s: %v", cmd, result, err)
	}
}

func reportSDK(t *testing.T, c *smsv3.SmsClient, id string, sub model.UpdateTaskSpeedReqSubtaskName, progress int32) {
	t.Helper()
	_, err := c.UpdateTaskSpeed(&model.UpdateTaskSpeedRequest{TaskId: id, Body: &model.UpdateTaskSpeedReq{
		SubtaskName: sub, Progress: progress, Replicatesize: int64(progress), Totalsize: 100, ProcessTrace: "lab",
	}})
	if err != nil {
		t.Fatalf("UpdateTaskSpeed %s %d: %v", sub.Value(), progress, err)
	}
}

// The official Go SDK drives a task's whole life against a strict-mode smslab, signing every
// request: an agent registers, a script creates a template and a task and starts it, the agent
// takes START and reports, the task migrates, is synchronized, cloned for a test, stopped and
// restarted, fails, and is deleted.
func TestTaskLifeThroughTheSDK(t *testing.T) {
	cfg := strictConfig()
	cfg.Now = nil // the SDK signs with the real clock
	url, _ := newSDKServer(t, cfg)
	c := newSDKClient(t, url, labAK, labSK)
	ops := model.GetUpdateTaskStatusReqOperationEnum()
	subs := model.GetUpdateTaskSpeedReqSubtaskNameEnum()

	src := register(t, c, linuxAgent("lab-app-01", "10.9.1.11"))
	tpl, err := c.CreateTemplate(&model.CreateTemplateRequest{Body: &model.CreateTemplateReq{Template: sdkTemplate("app-tpl", "az-1", "region-1")}})
	if err != nil {
		t.Fatal(err)
	}
	pollSDK(t, c, src, "", "") // no task: nothing to do

	id := createTaskSDK(t, c, sdkTask("app-01", src, *tpl.Id))
	task := wantState(t, c, id, "READY")
	if task.TargetServer == nil || task.TargetServer.Name == nil || *task.TargetServer.Name != "app-tpl-target" ||
		len(task.TargetServer.Disks) != 2 || task.SourceServer == nil || task.SourceServer.Name != "lab-app-01" ||
		task.Connected == nil || !*task.Connected || task.Priority == nil || task.Priority.Value() != 1 {
		t.Fatalf("the new task: %+v", task)
	}
	shown, err := c.ShowTemplate(&model.ShowTemplateRequest{Id: *tpl.Id})
	if err != nil || shown.Template == nil || shown.Template.IsTemplate == nil || *shown.Template.IsTemplate != "false" {
		t.Errorf("the template the task names: %+v, %v", shown, err)
	}
	pollSDK(t, c, src, lifecycle.TaskNotStarted, "")

	// A second task for the same source, and one for a source no agent runs, are refused.
	_, err = c.CreateTask(&model.CreateTaskRequest{Body: sdkTask("app-02", src, *tpl.Id)})
	wantServiceError(t, err, http.StatusBadRequest, "SMS.9008",
		"The source server "+src+" already has a task, "+id+": delete that task first, or create the new one for another source.")

	t.Run("start: the agent takes START, answers, reports to MIGRATE_SUCCESS", func(t *testing.T) {
		action(t, c, id, ops.START)
		wantState(t, c, id, "READY") // until the agent answers
		pollSDK(t, c, src, "START", id)
		pollSDK(t, c, src, lifecycle.TaskNotStarted, "") // delivered once
		answerSDK(t, c, src, "START", "success", map[string]string{"agent": "started"})
		task := wantState(t, c, id, "RUNNING")
		if task.StartDate == nil {
			t.Error("a started task has no start_date")
		}
		seq, _ := lifecycle.SequenceFor("MIGRATE_FILE", "LINUX", true)
		for _, name := range seq.Migration {
			reportSDK(t, c, id, subByName(t, name), 100)
		}
		wantState(t, c, id, "MIGRATE_SUCCESS")
		pollSDK(t, c, src, lifecycle.TaskHasFinished, "")
	})

	t.Run("start again synchronizes; stop and start", func(t *testing.T) {
		action(t, c, id, ops.START)
		pollSDK(t, c, src, "SYNC", id)
		answerSDK(t, c, src, "SYNC", "success", nil)
		wantState(t, c, id, "SYNCING")
		reportSDK(t, c, id, subs.SYNC_LINUX_FILE, 40)
		action(t, c, id, ops.STOP)
		wantState(t, c, id, "ABORTING")
		pollSDK(t, c, src, "STOP", id)
		answerSDK(t, c, src, "STOP", "success", nil)
		wantState(t, c, id, "ABORT")
		pollSDK(t, c, src, lifecycle.TaskHasStopped, "")
		action(t, c, id, ops.START)
		pollSDK(t, c, src, "START", id)
		answerSDK(t, c, src, "START", "success", nil)
		wantState(t, c, id, "RUNNING")
		reportSDK(t, c, id, subs.DETTACH_AGENT_IMAGE, 100)
		wantState(t, c, id, "MIGRATE_SUCCESS")
	})

	t.Run("clone_test, test, show", func(t *testing.T) {
		action(t, c, id, ops.CLONE_TEST)
		action(t, c, id, ops.TEST)
		task := wantState(t, c, id, "MIGRATE_SUCCESS")
		if task.CloneServer == nil || task.CloneServer.Name == nil || *task.CloneServer.Name != "app-tpl-target-clone" ||
			task.CloneServer.VmId == nil || task.CloneServer.CloneState == nil || task.CloneServer.CloneState.Value() != "FINISHED" {
			t.Errorf("clone_server: %+v", task.CloneServer)
		}
		if task.SubTasks == nil || len(*task.SubTasks) != 8 {
			t.Errorf("sub_tasks: %v", task.SubTasks)
		}
		if src := task.SourceServer; src == nil || src.State == nil || src.State.Value() != "finished" {
			t.Errorf("the source of a migrated task: %+v", src)
		}
	})

	t.Run("delete is refused while the task runs", func(t *testing.T) {
		action(t, c, id, ops.RESTART)
		task := wantState(t, c, id, "READY")
		if task.SubTasks != nil && len(*task.SubTasks) != 0 {
			t.Errorf("a restarted task keeps %d sub-tasks", len(*task.SubTasks))
		}
		pollSDK(t, c, src, "START", id)
		answerSDK(t, c, src, "START", "success", nil)
		wantState(t, c, id, "RUNNING")
		_, err := c.DeleteTask(&model.DeleteTaskRequest{TaskId: id})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.2009",
			"The task "+id+" is RUNNING and cannot be deleted while it is in progress: stop it first, and delete it once it is ABORT.")
	})

	t.Run("a failed command fails the task with the agent's error", func(t *testing.T) {
		action(t, c, id, ops.STOP)
		pollSDK(t, c, src, "STOP", id)
		answerSDK(t, c, src, "STOP", "fail", map[string]any{"error_code": "SMS.1502", "error_msg": "the agent could not stop", "error_param": []string{"x"}})
		task := wantState(t, c, id, "MIGRATE_FAIL")
		if want := `{"error_code":"SMS.1502","error_msg":"the agent could not stop","error_param":["x"]}`; task.ErrorJson == nil || *task.ErrorJson != want {
			t.Errorf("error_json %v, want %s", task.ErrorJson, want)
		}
		_, err := c.UpdateCommandResult(&model.UpdateCommandResultRequest{ServerId: src, Body: &model.CommandBody{CommandName: "STOP", Result: "success"}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.2009",
			"The command reported differs from the server's: no STOP was delivered to the agent of source server "+src+" and left unanswered; poll ShowCommand and report the result of the command it gives.")
	})

	t.Run("collect the log, then delete", func(t *testing.T) {
		if _, err := c.CollectLog(&model.CollectLogRequest{TaskId: id, Body: &model.UploadLogRequestBody{LogBucket: "lab-logs"}}); err != nil {
			t.Fatal(err)
		}
		resp, err := c.ShowCommand(&model.ShowCommandRequest{ServerId: src})
		if err != nil || resp.CommandName == nil || *resp.CommandName != "UPLOAD_LOG" || resp.CommandParam == nil ||
			resp.CommandParam.Bucket == nil || *resp.CommandParam.Bucket != "lab-logs" {
			t.Fatalf("ShowCommand after CollectLog: %+v, %v", resp, err)
		}
		answerSDK(t, c, src, "UPLOAD_LOG", "success", nil)
		if _, err := c.DeleteTask(&model.DeleteTaskRequest{TaskId: id}); err != nil {
			t.Fatal(err)
		}
		_, err = c.ShowTask(&model.ShowTaskRequest{TaskId: id})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9002", "The task does not exist: "+id)
		pollSDK(t, c, src, "DELETE", id) // the agent drops the task
		answerSDK(t, c, src, "DELETE", "success", nil)
		pollSDK(t, c, src, "", "")
		if s := showServer(t, c, src); s.State == nil || s.State.Value() != "waiting" {
			t.Errorf("a source whose task is deleted is %v", s.State)
		}
		// The source takes a new task, which auto_start starts.
		body := sdkTask("app-01-again", src, *tpl.Id)
		body.AutoStart = ptr(true)
		again := createTaskSDK(t, c, body)
		pollSDK(t, c, src, "START", again)
		if _, err := c.DeleteTasks(&model.DeleteTasksRequest{Body: &model.DeleteTasksReq{Ids: []string{again, "no-such-task"}}}); err == nil {
			t.Fatal("DeleteTasks with an unknown id succeeded")
		}
		wantState(t, c, again, "READY") // all or nothing
		if _, err := c.DeleteTasks(&model.DeleteTasksRequest{Body: &model.DeleteTasksReq{Ids: []string{again}}}); err != nil {
			t.Fatal(err)
		}
	})
}

// subByName is the SDK's enum value of a sub-task name.
func subByName(t *testing.T, name string) model.UpdateTaskSpeedReqSubtaskName {
	t.Helper()
	var v model.UpdateTaskSpeedReqSubtaskName
	if err := v.UnmarshalJSON([]byte(`"` + name + `"`)); err != nil || !slices.Contains(lifecycle.SubTasks(), name) {
		t.Fatalf("sub-task %s: %v", name, err)
	}
	return v
}
