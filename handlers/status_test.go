package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/handlers"
	"smslab/lifecycle"
	"smslab/seed"
	"smslab/sms"
)

// statusNow is the pinned clock of the status tests: 2026-11-23T10:00:00Z.
var statusNow = time.UnixMilli(1795428000000)

const statusSeed = `{"tasks": [
 {"id": "t-ready", "name": "ready-1", "state": "READY", "create_date": 1795420000000,
  "type": "MIGRATE_FILE", "os_type": "LINUX",
  "source_server": {"id": "s1", "name": "web-01", "ip": "10.0.0.1"}},
 {"id": "t-run", "name": "<img src=x onerror=alert(1)>", "state": "RUNNING", "create_date": 1795410000000,
  "type": "MIGRATE_BLOCK", "os_type": "WINDOWS", "migrate_speed": 412.5,
  "estimate_complete_time": 1795428090500, "subtask_info": "MIGRATE_WINDOWS_BLOCK 40%",
  "source_server": {"id": "s2", "name": "db-01", "ip": "10.0.0.2"},
  "sub_tasks": [
   {"id": 1, "name": "CREATE_CLOUD_SERVER", "progress": 100, "start_date": 1795410001000, "end_date": 1795410002000, "process_trace": ""},
   {"id": 2, "name": "MIGRATE_WINDOWS_BLOCK", "progress": 40, "start_date": 1795410002000, "process_trace": "40% of C:"},
   {"id": 3, "name": "CONFIGURE_WINDOWS", "progress": 0}
  ]},
 {"id": "t-fail", "name": "failed-1", "state": "MIGRATE_FAIL", "create_date": 1795400000000,
  "error_json": "{\"error_code\":\"SMS.1805\",\"error_msg\":\"disk full\"}",
  "sub_tasks": [{"id": 4, "name": "CREATE_CLOUD_SERVER", "progress": 100}]},
 {"id": "t-done", "name": "done-1", "state": "MIGRATE_SUCCESS", "create_date": 1795430000000, "error_json": ""}
]}`

// newStatusApp serves statusSeed on a fresh database with the clock pinned at statusNow.
func newStatusApp(t *testing.T) (*echo.Echo, *db.Store) {
	t.Helper()
	store, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "smslab.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	store.Now = func() time.Time { return statusNow }
	f, err := seed.Parse(sms.NewDecoder(), []byte(statusSeed))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Import(context.Background(), f.Tasks); err != nil {
		t.Fatal(err)
	}
	e := handlers.New(handlers.Config{
		Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Status: handlers.StatusInfo{Addr: "127.0.0.1:8080", DBPath: "lab.db", AuthMode: "open",
			Started: statusNow.Add(-90 * time.Second)},
	})
	return e, store
}

// get sends a GET without credentials, as the page does.
func get(t *testing.T, e *echo.Echo, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func checkResponse(t *testing.T, rec *httptest.ResponseRecorder, wantStatus int, wantBody string) {
	t.Helper()
	if rec.Code != wantStatus {
		t.Errorf("status %d, want %d", rec.Code, wantStatus)
	}
	if got := rec.Body.String(); got != wantBody {
		t.Errorf("body\n%s\nwant\n%s", got, wantBody)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestStatusSummary(t *testing.T) {
	e, _ := newStatusApp(t)
	rec := get(t, e, "/status/summary")
	checkResponse(t, rec, http.StatusOK, `{"addr":"127.0.0.1:8080","db":"lab.db","auth_mode":"open",`+
		`"started":1795427910000,"now":1795428000000,"total":4,"groups":[`+
		`{"group":"running","count":1,"states":["RUNNING"]},`+
		`{"group":"syncing","count":0,"states":["SYNCING"]},`+
		`{"group":"succeeded","count":1,"states":["MIGRATE_SUCCESS","SYNC_SUCCESS"]},`+
		`{"group":"failed","count":1,"states":["MIGRATE_FAIL","SYNC_FAIL"]},`+
		`{"group":"aborted","count":0,"states":["ABORTING","ABORT"]},`+
		`{"group":"ready","count":1,"states":["READY"]},`+
		`{"group":"other","count":0,"states":["SKIPPING","DELETING","RESETING","SYNC_F_ROLLBACKING","SYNC_F_ROLLBACK_SUCCESS"]}],`+
		`"states":[{"state":"MIGRATE_FAIL","count":1},{"state":"MIGRATE_SUCCESS","count":1},`+
		`{"state":"READY","count":1},{"state":"RUNNING","count":1}],"sources":{"total":4,"connected":0}}`)
}

const (
	rowRun = `{"id":"t-run","name":"<img src=x onerror=alert(1)>","state":"RUNNING","group":"running",` +
		`"type":"MIGRATE_BLOCK","os_type":"WINDOWS","source_name":"db-01","source_ip":"10.0.0.2",` +
		`"current":{"name":"MIGRATE_WINDOWS_BLOCK","progress":40},"migrate_speed":412.5,` +
		`"replicatesize":null,"totalsize":null,"remain_seconds":91,"last_report_date":null,` +
		`"error_json":null,"create_date":1795410000000,"copying":true,"health":"","health_reason":null,` +
		`"report_interval":10000,"end_date":null,"took_seconds":null}`
	rowFail = `{"id":"t-fail","name":"failed-1","state":"MIGRATE_FAIL","group":"failed","type":null,` +
		`"os_type":null,"source_name":null,"source_ip":null,"current":{"name":"CREATE_CLOUD_SERVER","progress":100},` +
		`"migrate_speed":null,"replicatesize":null,"totalsize":null,"remain_seconds":null,"last_report_date":null,` +
		`"error_json":"{\"error_code\":\"SMS.1805\",\"error_msg\":\"disk full\"}","create_date":1795400000000,` +
		`"copying":false,"health":"","health_reason":null,"report_interval":null,"end_date":null,"took_seconds":null}`
	rowReady = `{"id":"t-ready","name":"ready-1","state":"READY","group":"ready","type":"MIGRATE_FILE",` +
		`"os_type":"LINUX","source_name":"web-01","source_ip":"10.0.0.1","current":null,"migrate_speed":null,` +
		`"replicatesize":null,"totalsize":null,"remain_seconds":null,"last_report_date":null,"error_json":null,` +
		`"create_date":1795420000000,"copying":false,"health":"","health_reason":null,"report_interval":null,` +
		`"end_date":null,"took_seconds":null}`
	rowDone = `{"id":"t-done","name":"done-1","state":"MIGRATE_SUCCESS","group":"succeeded","type":null,` +
		`"os_type":null,"source_name":null,"source_ip":null,"current":null,"migrate_speed":null,` +
		`"replicatesize":null,"totalsize":null,"remain_seconds":null,"last_report_date":null,"error_json":null,` +
		`"create_date":1795430000000,"copying":false,"health":"","health_reason":null,"report_interval":null,` +
		`"end_date":null,"took_seconds":null}`
)

func TestStatusTasks(t *testing.T) {
	e, _ := newStatusApp(t)
	page := func(count, offset, limit string, rows ...string) string {
		return `{"count":` + count + `,"offset":` + offset + `,"limit":` + limit + `,"now":1795428000000,"tasks":[` +
			strings.Join(rows, ",") + `]}`
	}
	for _, tc := range []struct {
		name, query, want string
	}{
		{"running first, then failed, ready, succeeded", "", page("4", "0", "50", rowRun, rowFail, rowReady, rowDone)},
		{"paged", "?offset=1&limit=2", page("4", "1", "2", rowFail, rowReady)},
		{"past the end", "?offset=10", page("4", "10", "50")},
		{"state group", "?state=failed", page("1", "0", "50", rowFail)},
		{"empty group", "?state=syncing", page("0", "0", "50")},
		{"name substring, any case", "?name=DoNe", page("1", "0", "50", rowDone)},
		{"hostile name is data", "?name=%3Cimg", page("1", "0", "50", rowRun)},
		{"name and group", "?name=1&state=ready", page("1", "0", "50", rowReady)},
		{"empty filters", "?state=&name=", page("4", "0", "50", rowRun, rowFail, rowReady, rowDone)},
		{"largest limit and offset", "?limit=200&offset=2147483647", page("4", "2147483647", "200")},
		{"an offset ListTasks would refuse", "?offset=65536", page("4", "65536", "50")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkResponse(t, get(t, e, "/status/tasks"+tc.query), http.StatusOK, tc.want)
		})
	}
}

func TestStatusTasksAfterProgressReport(t *testing.T) {
	e, store := newStatusApp(t)
	name, progress, size, total, trace, remain := "MIGRATE_WINDOWS_BLOCK", int32(55), int64(550), int64(1000), "55%", int64(30)
	err := store.ReportProgress(context.Background(), "t-run", &sms.ProgressReport{SubtaskName: &name,
		Progress: &progress, Replicatesize: &size, Totalsize: &total, ProcessTrace: &trace, RemainTime: &remain})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(`"progress":40`, `"progress":55`, `"replicatesize":null,"totalsize":null`,
		`"replicatesize":550,"totalsize":1000`, `"remain_seconds":91`, `"remain_seconds":30`,
		`"last_report_date":null`, `"last_report_date":1795428000000`).Replace(rowRun)
	checkResponse(t, get(t, e, "/status/tasks?limit=1"), http.StatusOK,
		`{"count":4,"offset":0,"limit":1,"now":1795428000000,"tasks":[`+want+`]}`)
}

func TestStatusTaskDetails(t *testing.T) {
	e, _ := newStatusApp(t)
	checkResponse(t, get(t, e, "/status/tasks/t-run"), http.StatusOK, strings.TrimSuffix(rowRun, "}")+
		`,"sub_tasks":[`+
		`{"id":1,"name":"CREATE_CLOUD_SERVER","progress":100,"start_date":1795410001000,"end_date":1795410002000,"process_trace":""},`+
		`{"id":2,"name":"MIGRATE_WINDOWS_BLOCK","progress":40,"start_date":1795410002000,"end_date":null,"process_trace":"40% of C:"},`+
		`{"id":3,"name":"CONFIGURE_WINDOWS","progress":0,"start_date":null,"end_date":null,"process_trace":null}],"sub_task_count":3,"timeline":[]}`)
	checkResponse(t, get(t, e, "/status/tasks/t-ready"), http.StatusOK, strings.TrimSuffix(rowReady, "}")+`,"sub_tasks":[],"sub_task_count":0,"timeline":[]}`)

	// The page asks with the id in the query.
	checkResponse(t, get(t, e, "/status/task?id=t-ready"), http.StatusOK, strings.TrimSuffix(rowReady, "}")+`,"sub_tasks":[],"sub_task_count":0,"timeline":[]}`)

	// Ids no path can address, which an older smslab took from seed files, break the id rule
	// wherever they are asked for.
	e, store := newStatusApp(t)
	if err := store.Import(context.Background(), []sms.Task{{ID: ptr("."), State: ptr("READY")}, {ID: ptr("a/b"), State: ptr("READY")}}); err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{
		"/status/task?id=.":   `id must not be \".\" or \"..\"`,
		"/status/task?id=a/b": "id must not contain '/'",
		"/status/tasks/%2E":   "the path must not hold a '.' or '..' segment, encoded or not",
		"/status/tasks/a%2Fb": "the path must not hold an encoded '/' (%2F): no id holds '/'",
	} {
		checkResponse(t, get(t, e, target), http.StatusBadRequest, `{"error_code":"SMS.9001","error_msg":"Invalid parameter: `+want+`"}`)
	}
}

// An expanded row gets a task's first 200 sub-tasks and their number, and a row shows the
// sub-task the last report named even when it is past the first 200.
func TestStatusTaskDetailsOfATaskWithManySubTasks(t *testing.T) {
	e, store := newStatusApp(t)
	subTasks := make([]sms.TaskSubTask, 250)
	for i := range subTasks {
		subTasks[i] = sms.TaskSubTask{ID: ptr(int64(1000 + i)), Name: ptr(fmt.Sprintf("S%03d", i)), Progress: ptr(int32(0))}
	}
	ctx := context.Background()
	if err := store.Import(ctx, []sms.Task{{ID: ptr("t-many"), Name: ptr("many"), State: ptr("RUNNING"), SubTasks: subTasks}}); err != nil {
		t.Fatal(err)
	}
	err := store.ReportProgress(ctx, "t-many", &sms.ProgressReport{SubtaskName: ptr("S240"), Progress: ptr(int32(50)),
		Replicatesize: ptr(int64(0)), Totalsize: ptr(int64(0))})
	if err != nil {
		t.Fatal(err)
	}
	var detail struct {
		Current struct {
			Name     string
			Progress int32
		} `json:"current"`
		SubTasks     []struct{ Name string } `json:"sub_tasks"`
		SubTaskCount int                     `json:"sub_task_count"`
	}
	rec := get(t, e, "/status/task?id=t-many")
	if err := json.Unmarshal(rec.Body.Bytes(), &detail, json.MatchCaseInsensitiveNames(true)); err != nil {
		t.Fatalf("%s: %v", rec.Body, err)
	}
	if n := len(detail.SubTasks); n != 200 || detail.SubTasks[0].Name != "S000" || detail.SubTasks[n-1].Name != "S199" ||
		detail.SubTaskCount != 250 || detail.Current.Name != "S240" || detail.Current.Progress != 50 {
		t.Errorf("detail: %d sub-tasks, count %d, current %+v", n, detail.SubTaskCount, detail.Current)
	}
	if rec := get(t, e, "/status/tasks?name=many"); !strings.Contains(rec.Body.String(), `"current":{"name":"S240","progress":50}`) {
		t.Errorf("row: %s", rec.Body)
	}
}

// The status page of a database made before migration 0005 moved sub-tasks into rows of their
// own is what that smslab served from it, byte for byte (db/testdata/makev4 made both).
func TestStatusPageOfADatabaseMadeBeforeSubTaskRows(t *testing.T) {
	dump, err := os.ReadFile("../db/testdata/v4.sql")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../db/testdata/v4-status.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v4.db")
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(string(dump)); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	store.Now = func() time.Time { return time.UnixMilli(1795429000000) }
	e := handlers.New(handlers.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	// The members the page has learnt since (health, end and duration) are left out.
	rec := get(t, e, "/status/tasks?limit=200")
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, task := range got["tasks"].([]any) {
		for _, name := range []string{"copying", "health", "health_reason", "report_interval", "end_date", "took_seconds"} {
			delete(task.(map[string]any), name)
		}
	}
	body, err := json.Marshal(got, json.Deterministic(true))
	if err != nil {
		t.Fatal(err)
	}
	rec.Body.Reset()
	rec.Body.Write(body)
	var wantJSON any
	if err := json.Unmarshal(want, &wantJSON); err != nil {
		t.Fatal(err)
	}
	if want, _ = json.Marshal(wantJSON, json.Deterministic(true)); rec.Body.String() != string(want) {
		t.Errorf("body\n%s\nwant\n%s", rec.Body, want)
	}
}

func TestStatusBadInput(t *testing.T) {
	e, _ := newStatusApp(t)
	invalid := func(msg string) string {
		return `{"error_code":"SMS.9001","error_msg":"Invalid parameter: ` + msg + `"}`
	}
	long := strings.Repeat("é", 256)
	for _, tc := range []struct {
		name, target string
		wantStatus   int
		wantBody     string
	}{
		{"unknown parameter", "/status/tasks?page=2", 400, invalid("page is not a query parameter of this endpoint")},
		{"repeated parameter", "/status/tasks?state=failed&state=ready", 400, invalid("state appears more than once")},
		{"unknown state group", "/status/tasks?state=RUNNING", 400,
			invalid("state must be one of running, syncing, succeeded, failed, aborted, ready, other")},
		{"limit zero", "/status/tasks?limit=0", 400, invalid("limit must be at least 1")},
		{"limit too large", "/status/tasks?limit=201", 400, invalid("limit must be at most 200")},
		{"limit not a number", "/status/tasks?limit=ten", 400, invalid("limit must be a whole number")},
		{"limit overflows", "/status/tasks?limit=99999999999999999999", 400, invalid("limit must be a whole number")},
		{"negative offset", "/status/tasks?offset=-1", 400, invalid("offset must be at least 0")},
		{"offset too large", "/status/tasks?offset=2147483648", 400, invalid("offset must be at most 2147483647")},
		{"name too long", "/status/tasks?name=" + long, 400, invalid("name must be at most 255 characters long")},
		{"name with a control character", "/status/tasks?name=a%00b", 400, invalid("name must not contain control characters")},
		{"name not UTF-8", "/status/tasks?name=%ff", 400, invalid("name must be valid UTF-8")},
		{"bad escape", "/status/tasks?name=%zz", 400, invalid(`query string is not valid: invalid URL escape \"%zz\"`)},
		{"odd parameter name", "/status/tasks?%ff=1", 400, invalid(`\"\\xff\" is not a query parameter of this endpoint`)},
		{"summary takes no parameters", "/status/summary?x=1", 400, invalid("x is not a query parameter of this endpoint")},
		{"details take no parameters", "/status/tasks/t-run?x=1", 400, invalid("x is not a query parameter of this endpoint")},
		{"unknown task", "/status/tasks/nope", 404, `{"error_code":"SMS.9002","error_msg":"The task does not exist: nope"}`},
		{"task id too long", "/status/tasks/" + strings.Repeat("a", 37), 400, invalid("task_id must be at most 36 characters long")},
		{"query id too long", "/status/task?id=" + strings.Repeat("a", 37), 400, invalid("id must be at most 36 characters long")},
		{"query id missing", "/status/task", 400, invalid("id must be at least 1 characters long")},
		{"query id with a control character", "/status/task?id=a%01", 400, invalid("id must not contain control characters")},
		{"other query parameter", "/status/task?id=t-ready&x=1", 400, invalid("x is not a query parameter of this endpoint")},
		{"unknown task by query", "/status/task?id=nope", 404, `{"error_code":"SMS.9002","error_msg":"The task does not exist: nope"}`},
		{"unknown status route", "/status/nope", 404,
			`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`},
		{"missing asset", "/assets/nope.js", 404,
			`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`},
		{"asset path escape", "/assets/..%2findex.html", 400, invalid("the path must not hold an encoded '/' (%2F): no id holds '/'")},
		{"asset dot-dot", "/assets/../index.html", 400, invalid("the path must not hold a '.' or '..' segment, encoded or not")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkResponse(t, get(t, e, tc.target), tc.wantStatus, tc.wantBody)
		})
	}
}

// The summary's groups, the page's chips, hold every task state once.
func TestStatusGroupsHoldEveryStateOnce(t *testing.T) {
	e, _ := newStatusApp(t)
	var summary struct {
		Groups []struct {
			Group  string   `json:"group"`
			States []string `json:"states"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(get(t, e, "/status/summary").Body.Bytes(), &summary); err != nil {
		t.Fatal(err)
	}
	var grouped []string
	for _, g := range summary.Groups {
		grouped = append(grouped, g.States...)
	}
	slices.Sort(grouped)
	if want := slices.Sorted(slices.Values(lifecycle.States())); !slices.Equal(grouped, want) {
		t.Errorf("states in the groups %v, want each of %v once", grouped, want)
	}
}

func TestStatusRoutesAreReadOnly(t *testing.T) {
	e, _ := newStatusApp(t)
	for _, target := range []string{"/", "/status/summary", "/status/tasks", "/status/tasks/t-run", "/status/task?id=t-run"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, target, strings.NewReader("{}")))
		checkResponse(t, rec, http.StatusNotFound,
			`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`)
	}
}

func TestStatusPageIsServedWithoutCredentials(t *testing.T) {
	e, _ := newStatusApp(t)
	const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	for _, tc := range []struct{ target, contentType, contains string }{
		{"/", "text/html; charset=utf-8", `<script src="/assets/app.js" defer></script>`},
		{"/assets/app.js", "text/javascript; charset=utf-8", `"use strict";`},
		{"/assets/style.css", "text/css; charset=utf-8", `prefers-color-scheme: dark`},
		{"/status/summary", "application/json", `"total":4`},
	} {
		rec := get(t, e, tc.target)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", tc.target, rec.Code)
		}
		h := rec.Header()
		if h.Get("Content-Type") != tc.contentType || h.Get("Content-Security-Policy") != csp ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: headers %v", tc.target, h)
		}
		if !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("%s: body lacks %q", tc.target, tc.contains)
		}
	}
	// The page itself carries no inline script or style for the CSP to block.
	page := get(t, e, "/").Body.String()
	for _, bad := range []string{"<script>", "style=", "<style", " on", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("index.html contains %q", bad)
		}
	}
}
