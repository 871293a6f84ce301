package handlers_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/seed"
	"smslab/sms"
)

// The fuzz targets send arbitrary input through the whole app and hold it to one promise: a 200,
// or a 4xx in the SMS envelope that changed nothing. Never a 5xx, never a panic. Run one for a
// while with, e.g.:
//
//	go test ./handlers -run '^$' -fuzz '^FuzzUpdateTask$' -fuzztime 1m -fuzzminimizetime 5s
//
// (-fuzzminimizetime keeps the fuzzer from spending a minute shrinking each large JSON input.)

// checkAnswer fails unless rec is a success or a 4xx envelope leaving the task as before.
func checkAnswer(t *testing.T, app *testApp, rec *httptest.ResponseRecorder, id string, before any) {
	t.Helper()
	if rec.Code == http.StatusOK {
		return
	}
	if rec.Code < 400 || rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var env envelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env, json.RejectUnknownMembers(true)); err != nil || env.Code == "" || env.Msg == "" {
		t.Fatalf("status %d without the SMS envelope: %s", rec.Code, rec.Body)
	}
	if before != nil {
		if after := app.storedTask(t, id); !reflect.DeepEqual(after, before) {
			t.Fatalf("a %d changed the task", rec.Code)
		}
	}
}

func FuzzUpdateTaskSpeed(f *testing.F) {
	f.Add(exampleReport)
	f.Add(report("migrate_speed", "12.5"))
	f.Add(report("progress", "101"))
	f.Add(`{"subtask_name":"MIGRATE_LINUX_FILE","progress":50,"replicatesize":1,"totalsize":2,"process_trace":"x","remain_time":60,"total_cpu_usage":5,"agent_time":"12:00","need_migration_test":false}`)
	f.Add(`{"subtask_name":"","progress":0,"replicatesize":0,"totalsize":0,"process_trace":""}`)
	app := newTestApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		before := app.storedTask(t, dbOrdersTaskID)
		rec := app.put("/v3/tasks/"+dbOrdersTaskID+"/progress", body)
		checkAnswer(t, app, rec, dbOrdersTaskID, before)
	})
}

func FuzzUpdateTask(f *testing.F) {
	example, err := os.ReadFile("testdata/update_task_example.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(example))
	for _, c := range updateLimitCases {
		f.Add(c.body)
	}
	app := newTestApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		before := app.storedTask(t, dbOrdersTaskID)
		rec := app.put("/v3/tasks/"+dbOrdersTaskID, body)
		checkAnswer(t, app, rec, dbOrdersTaskID, before)
	})
}

func FuzzListTasksQuery(f *testing.F) {
	for _, q := range []string{"", "state=READY&limit=2&offset=1", "name=sms_task_db-orders", "id=a&id=b",
		"enterprise_project_id=ep-finance&state=RUNNING", "limit=201", "source_server_id=x", "name=%zz", "unknown=1"} {
		f.Add(q)
	}
	app := newTestApp(f)
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/v3/tasks", nil)
		req.URL.RawQuery = query
		req.Header.Set("X-Auth-Token", "t")
		rec := app.serve(req)
		checkAnswer(t, app, rec, "", nil)
		if rec.Code == http.StatusOK {
			var resp sms.ListTasksResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || int64(len(resp.Tasks)) > resp.Count {
				t.Fatalf("bad listing: %v %s", err, rec.Body)
			}
		}
	})
}

// FuzzSeedFile holds seed.Parse to its promise: tasks that validate, or an error naming what is
// wrong, never a panic.
func FuzzSeedFile(f *testing.F) {
	demo, err := seed.DemoAt(sms.NewDecoder(), demoSeededAt)
	if err != nil {
		f.Fatal(err)
	}
	b, _ := json.Marshal(demo.SeedFile)
	f.Add(string(b))
	f.Add(`{"tasks":[{"id":"a","state":"READY"},{"id":"a","state":"READY"}]}`)
	f.Add(`{"count":1,"tasks":[{"id":"t","state":"RUNNING","sub_tasks":[{"id":1,"progress":5}]}]}`)
	dec := sms.NewDecoder()
	f.Fuzz(func(t *testing.T, data string) {
		file, err := seed.Parse(dec, []byte(data))
		var invalid *sms.InvalidError
		if err != nil && !errors.As(err, &invalid) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if err != nil {
			return
		}
		for _, task := range file.Tasks {
			if task.ID == nil || *task.ID == "" || task.State == nil {
				t.Fatalf("accepted a task without id or state: %+v", task)
			}
		}
	})
}
