package handlers_test

import (
	stdjson "encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	smsv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3/model"

	"smslab/auth"
	"smslab/sms"
)

// newSDKServer serves the API over HTTP on a demo-seeded database, checking credentials per cfg
// on the real clock: the SDK signs with time.Now.
func newSDKServer(t *testing.T, cfg auth.Config) (string, *authLog) {
	t.Helper()
	e, _, log := newAuthTestApp(t, cfg)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL, log
}

// newSDKClient is the official Go SDK's SMS client, configured as its users configure it, with
// nothing changed but the endpoint.
func newSDKClient(t *testing.T, endpoint, ak, sk string) *smsv3.SmsClient {
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

// taskIDs lists the ids of a ListTasks response, in order.
func taskIDs(t *testing.T, resp *model.ListTasksResponse) []string {
	t.Helper()
	if resp.Tasks == nil {
		t.Fatal("ListTasks: no tasks array")
	}
	var ids []string
	for _, task := range *resp.Tasks {
		ids = append(ids, *task.Id)
	}
	return ids
}

func getTask(t *testing.T, c *smsv3.SmsClient, id string) model.TasksResponseBody {
	t.Helper()
	resp, err := c.ListTasks(&model.ListTasksRequest{Id: &id})
	if err != nil {
		t.Fatalf("ListTasks id=%s: %v", id, err)
	}
	if resp.Count == nil || *resp.Count != 1 || len(*resp.Tasks) != 1 {
		t.Fatalf("ListTasks id=%s: %d tasks", id, len(*resp.Tasks))
	}
	return (*resp.Tasks)[0]
}

// wantServiceError checks that err is the SDK's ServiceResponseError with this status, code and
// message, and a request id.
func wantServiceError(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("err = %T %v, want *sdkerr.ServiceResponseError", err, err)
	}
	if se.StatusCode != status || se.ErrorCode != code || se.ErrorMessage != msg {
		t.Errorf("got %d %s %q, want %d %s %q", se.StatusCode, se.ErrorCode, se.ErrorMessage, status, code, msg)
	}
	if se.RequestId == "" {
		t.Error("the SDK saw no request id")
	}
}

// The official Go SDK, configured with the lab's key and nothing else changed but the endpoint,
// drives a strict-mode smslab.
func TestOfficialSDK(t *testing.T) {
	cfg := strictConfig()
	cfg.Now = nil
	url, _ := newSDKServer(t, cfg)
	c := newSDKClient(t, url, labAK, labSK)

	t.Run("ListTasks filters and pages", func(t *testing.T) {
		ready := model.GetListTasksRequestStateEnum().READY
		resp, err := c.ListTasks(&model.ListTasksRequest{State: &ready, Limit: ptr[int32](2), Offset: ptr[int32](1)})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"3f6e1d2c-8b4a-4c5d-9e7f-000000000014", "3f6e1d2c-8b4a-4c5d-9e7f-000000000013"}
		if got := taskIDs(t, resp); *resp.Count != 6 || !slices.Equal(got, want) {
			t.Errorf("READY, limit 2, offset 1: count %d, %v; want 6, %v", *resp.Count, got, want)
		}

		resp, err = c.ListTasks(&model.ListTasksRequest{State: &ready, EnterpriseProjectId: ptr("ep-retail")})
		if err != nil {
			t.Fatal(err)
		}
		want = []string{"3f6e1d2c-8b4a-4c5d-9e7f-000000000013", readyTask}
		if got := taskIDs(t, resp); *resp.Count != 2 || !slices.Equal(got, want) {
			t.Errorf("READY in ep-retail: count %d, %v; want 2, %v", *resp.Count, got, want)
		}

		// A name the query string must percent-encode, signed over its decoded form.
		resp, err = c.ListTasks(&model.ListTasksRequest{Name: ptr("迁移任务_财务报表服务器")})
		if err != nil {
			t.Fatal(err)
		}
		if got := taskIDs(t, resp); !slices.Equal(got, []string{"3f6e1d2c-8b4a-4c5d-9e7f-000000000016"}) {
			t.Errorf("by name: %v", got)
		}
	})

	t.Run("UpdateTask then ListTasks", func(t *testing.T) {
		resp, err := c.UpdateTask(&model.UpdateTaskRequest{TaskId: readyTask, Body: &model.PutTaskReq{
			Name: ptr("cache-01 (moved) & co"), SpeedLimit: ptr[int32](100), MigrationIp: ptr("192.168.0.10"),
		}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Id == nil || *resp.Id != readyTask {
			t.Errorf("UpdateTask id = %v", resp.Id)
		}
		task := getTask(t, c, readyTask)
		if *task.Name != "cache-01 (moved) & co" || *task.SpeedLimit != 100 || *task.MigrationIp != "192.168.0.10" {
			t.Errorf("after UpdateTask: name %q, speed_limit %d, migration_ip %q", *task.Name, *task.SpeedLimit, *task.MigrationIp)
		}
	})

	t.Run("UpdateTaskSpeed then ListTasks", func(t *testing.T) {
		// The SDK sends the mandatory fields even when zero, as here.
		_, err := c.UpdateTaskSpeed(&model.UpdateTaskSpeedRequest{TaskId: readyTask, Body: &model.UpdateTaskSpeedReq{
			SubtaskName: model.GetUpdateTaskSpeedReqSubtaskNameEnum().CREATE_CLOUD_SERVER,
		}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UpdateTaskSpeed(&model.UpdateTaskSpeedRequest{TaskId: readyTask, Body: &model.UpdateTaskSpeedReq{
			SubtaskName: model.GetUpdateTaskSpeedReqSubtaskNameEnum().CREATE_CLOUD_SERVER,
			Progress:    40, Replicatesize: 400, Totalsize: 1000, ProcessTrace: "creating",
			MigrateSpeed: ptr(12.5),
		}})
		if err != nil {
			t.Fatal(err)
		}
		task := getTask(t, c, readyTask)
		if task.State.Value() != "RUNNING" || *task.MigrateSpeed != 12.5 {
			t.Errorf("after UpdateTaskSpeed: state %s, migrate_speed %v", task.State.Value(), *task.MigrateSpeed)
		}
		if task.SubTasks == nil || len(*task.SubTasks) != 1 {
			t.Fatalf("after UpdateTaskSpeed: sub_tasks %v", task.SubTasks)
		}
		st := (*task.SubTasks)[0]
		if *st.Name != "CREATE_CLOUD_SERVER" || *st.Progress != 40 || *st.ProcessTrace != "creating" {
			t.Errorf("sub-task: %s %d %q", *st.Name, *st.Progress, *st.ProcessTrace)
		}
	})

	t.Run("validation error", func(t *testing.T) {
		_, err := c.UpdateTask(&model.UpdateTaskRequest{TaskId: readyTask, Body: &model.PutTaskReq{SpeedLimit: ptr[int32](20000)}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: speed_limit must be at most 10000")
		_, err = c.ListTasks(&model.ListTasksRequest{Limit: ptr[int32](201)})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: limit must be at most 200")
	})

	t.Run("task not found", func(t *testing.T) {
		// A space in the path: the SDK and smslab must agree on its canonical form to get this far.
		_, err := c.UpdateTask(&model.UpdateTaskRequest{TaskId: "no such task", Body: &model.PutTaskReq{Name: ptr("x")}})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9002", "The task does not exist: no such task")
	})

	t.Run("wrong secret key", func(t *testing.T) {
		_, err := newSDKClient(t, url, labAK, otherSK).ListTasks(&model.ListTasksRequest{})
		wantServiceError(t, err, http.StatusUnauthorized, "APIGW.0301", auth.MsgBadSignature)
	})

	t.Run("unknown access key", func(t *testing.T) {
		_, err := newSDKClient(t, url, "OTHERAK", labSK).ListTasks(&model.ListTasksRequest{})
		wantServiceError(t, err, http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: ak OTHERAK not exist")
	})
}

// In open mode the SDK works with whatever keys it is given.
func TestOfficialSDKOpenMode(t *testing.T) {
	url, _ := newSDKServer(t, auth.Config{})
	resp, err := newSDKClient(t, url, "anything", "at-all").ListTasks(&model.ListTasksRequest{Limit: ptr[int32](1)})
	if err != nil {
		t.Fatal(err)
	}
	if *resp.Count != 19 || len(*resp.Tasks) != 1 {
		t.Errorf("count %d, %d tasks; want 19, 1", *resp.Count, len(*resp.Tasks))
	}
}

// Request bodies refuse members they have no field for, so every member the official Go SDK can
// send must be a field of smslab's body, at every depth: UpdateTask's (PutTaskReq, the newer field
// set; the seed's older one is checked by TestUpdateTaskAcceptsTheSeedExample) and the progress
// report's.
func TestSDKBodiesHoldOnlyKnownMembers(t *testing.T) {
	checkMembers(t, "UpdateTask", reflect.TypeFor[model.PutTaskReq](), reflect.TypeFor[sms.UpdateTaskRequest]())
	checkMembers(t, "UpdateTaskSpeed", reflect.TypeFor[model.UpdateTaskSpeedReq](), reflect.TypeFor[sms.ProgressReport]())
	checkMembers(t, "RegisterServer", reflect.TypeFor[model.PostSourceServerBody](), reflect.TypeFor[sms.RegisterServerRequest]())
	checkMembers(t, "UpdateServerName", reflect.TypeFor[model.PutSourceServerBody](), reflect.TypeFor[sms.UpdateServerNameRequest]())
	checkMembers(t, "UpdateCopyState", reflect.TypeFor[model.PutCopyStateReq](), reflect.TypeFor[sms.UpdateCopyStateRequest]())
	checkMembers(t, "UpdateDiskInfo", reflect.TypeFor[model.PutDiskInfoReq](), reflect.TypeFor[sms.UpdateDiskInfoRequest]())
	checkMembers(t, "DeleteServers", reflect.TypeFor[model.DeleteIds](), reflect.TypeFor[sms.DeleteServersRequest]())
	checkMembers(t, "CreateMigproject", reflect.TypeFor[model.PostMigProjectBody](), reflect.TypeFor[sms.CreateMigprojectRequest]())
	checkMembers(t, "UpdateMigproject", reflect.TypeFor[model.MigProject](), reflect.TypeFor[sms.UpdateMigprojectRequest]())
	checkMembers(t, "CreateTemplate", reflect.TypeFor[model.CreateTemplateReq](), reflect.TypeFor[sms.CreateTemplateRequest]())
	checkMembers(t, "UpdateTemplate", reflect.TypeFor[model.UpdateTemplateReq](), reflect.TypeFor[sms.UpdateTemplateRequest]())
	checkMembers(t, "DeleteTemplates", reflect.TypeFor[model.DeletetemplatesReq](), reflect.TypeFor[sms.DeleteTemplatesRequest]())
}

// checkMembers fails for each JSON member of the SDK's type sdk that ours lacks, below path.
func checkMembers(t *testing.T, path string, sdk, ours reflect.Type) {
	t.Helper()
	have := jsonFields(ours)
	n := 0
	for name, sdkType := range jsonFields(sdk) {
		n++
		ourType, ok := have[name]
		if !ok {
			t.Errorf("%s.%s: the SDK sends it; smslab's body has no such field", path, name)
			continue
		}
		// The SDK's enumerations are structs that marshal themselves as strings.
		if sdkType.Kind() == reflect.Struct && !reflect.PointerTo(sdkType).Implements(reflect.TypeFor[stdjson.Marshaler]()) {
			checkMembers(t, path+"."+name, sdkType, ourType)
		}
	}
	if n == 0 {
		t.Errorf("%s: the SDK's %s has no JSON members", path, sdk)
	}
}

// jsonFields maps the JSON member names of struct type t to their types, pointers and slices
// taken away.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		fields[name] = ft
	}
	return fields
}
