package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	smsv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3/model"

	"smslab/lifecycle"
)

func sdkClient(t *testing.T, endpoint, ak, sk string) *smsv3.SmsClient {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId("p1").SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := smsv3.SmsClientBuilder().WithEndpoints([]string{endpoint}).WithCredential(cred).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return smsv3.NewSmsClient(hc)
}

// With -agents, a source registered over the API gets an agent inside smslab: a task a script
// creates and starts through the official SDK runs to MIGRATE_SUCCESS with no agent process.
func TestServerAgentsRunATaskStartedOverTheSDK(t *testing.T) {
	s := startRun(t, map[string]string{"SMSLAB_ACCESS_KEYS": "LABAK:lab-secret", "SMSLAB_AGENTS": "true"},
		"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "agents.db"), "-seed", "none", "-agents-speedup", "1e5")
	c := sdkClient(t, s.url, "LABAK", "lab-secret")
	str := func(s string) *string { return &s }
	yes := true
	reg, err := c.RegisterServer(&model.RegisterServerRequest{Body: &model.PostSourceServerBody{
		Ip: str("10.9.0.21"), Name: "script-src-01", OsType: model.GetPostSourceServerBodyOsTypeEnum().LINUX,
		OsVersion: "CENTOS_7_9_64BIT", AgentVersion: "24.3.0", BootLoader: str("GRUB"), HasRsync: &yes,
		Networks: []model.NetWork{{Name: str("eth0"), Ip: str("10.9.0.21"), Mac: "fa:16:3e:09:00:21"}},
	}})
	if err != nil || reg.Id == nil {
		t.Fatalf("RegisterServer: %v, %v", reg, err)
	}
	created, err := c.CreateTask(&model.CreateTaskRequest{Body: &model.PostTask{
		Name: "script-task", Type: model.GetPostTaskTypeEnum().MIGRATE_FILE, SourceServer: &model.SourceServerByTask{Id: *reg.Id},
		TargetServer: &model.TargetServerByTask{}, RegionName: "r1", RegionId: "r1", ProjectName: "r1", ProjectId: "p1",
	}})
	if err != nil || created.Id == nil {
		t.Fatalf("CreateTask: %v, %v", created, err)
	}
	id := *created.Id
	if _, err := c.UpdateTaskStatus(&model.UpdateTaskStatusRequest{TaskId: id,
		Body: &model.UpdateTaskStatusReq{Operation: model.GetUpdateTaskStatusReqOperationEnum().START}}); err != nil {
		t.Fatal(err)
	}
	var task *model.ShowTaskResponse
	done := waitUntil(60*time.Second, func() bool {
		task, err = c.ShowTask(&model.ShowTaskRequest{TaskId: id})
		return err == nil && task.State != nil && task.State.Value() == lifecycle.MigrateSuccess
	})
	if !done {
		t.Fatalf("the task is %v (%v) after 60 s\n%s", task.State, err, s.stderr)
	}
	if task.SubTasks == nil || len(*task.SubTasks) != 7 || task.TotalTime == nil {
		t.Errorf("the migrated task: sub_tasks %v, total_time %v", task.SubTasks, task.TotalTime)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	log := s.stderr.String()
	if !strings.Contains(log, `component=agents source=`+*reg.Id) || strings.Contains(log, "lab-secret") {
		t.Errorf("log:\n%s", log)
	}
}
