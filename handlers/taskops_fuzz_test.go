package handlers_test

import (
	"net/http"
	"testing"
)

// Fuzz targets for the task operations' bodies and the agent's result, holding them to the
// promise of fuzz_test.go: a 200, or a 4xx envelope that changed nothing.

func FuzzCreateTask(f *testing.F) {
	f.Add(taskBody(fuzzSource, ""))
	f.Add(taskBody(fuzzSource, `,"priority":2,"auto_start":true,"syncing":true,"speed_limit":100,"over_speed_threshold":10.5`))
	f.Add(taskBody(fuzzSource, `,"vm_template_id":"no-such"`))
	f.Add(`{"name":"x","type":"MIGRATE_BLOCK","source_server":{"id":"` + fuzzSource + `"},"target_server":{"name":"t","vm_id":"v","disks":[{"name":"d","size":1,"physical_volumes":[{"name":"p"}]}],"btrfs_list":[],"volume_groups":[]},"region_name":"r","region_id":"r","project_name":"r","project_id":"p"}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, app, http.MethodPost, "/v3/tasks", body)
	})
}

func FuzzUpdateTaskStatus(f *testing.F) {
	for _, op := range []string{"start", "stop", "restart", "test", "clone_test", "cutover", "skip", "clear", "network_check", "migration_test"} {
		f.Add(`{"operation":"` + op + `"}`)
	}
	f.Add(`{"operation":"start","template_id":"t","switch_hce":false,"is_need_consistency_check":true}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, app, http.MethodPost, "/v3/tasks/"+dbOrdersTaskID+"/action", body)
	})
}

func FuzzUpdateCommandResult(f *testing.F) {
	f.Add(`{"command_name":"START","result":"success","result_detail":{"k":"v"}}`)
	f.Add(`{"command_name":"STOP","result":"fail","result_detail":{"error_code":"SMS.1","error_msg":"m","error_param":["p"]}}`)
	f.Add(`{"command_name":"UPLOAD_LOG","result":"fail","result_detail":null}`)
	f.Add(`{"command_name":"SYNC","result":"success","result_detail":"text"}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, app, http.MethodPost, "/v3/sources/"+fuzzSource+"/command_result", body)
	})
}

func FuzzDeleteTasksAndCollectLog(f *testing.F) {
	f.Add(`{"ids":["no-such-task"]}`, `{"log_bucket":"b"}`)
	f.Add(`{"ids":["`+dbOrdersTaskID+`"]}`, `{"log_bucket":""}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, ids, log string) {
		fuzzRequest(t, app, http.MethodPost, "/v3/tasks/delete", ids)
		fuzzRequest(t, app, http.MethodPost, "/v3/tasks/"+dbOrdersTaskID+"/log", log)
	})
}
