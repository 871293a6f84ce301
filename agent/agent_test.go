package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/auth"
	"smslab/db"
	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

// lab is smslab's app over a real SQLite file, served over loopback, recording every write it
// answers.
type lab struct {
	url   string
	store *db.Store

	mu     sync.Mutex
	writes []write
	// calls are every request served, in order.
	calls []call
	// before, when set, runs before each request is served.
	before func(r *http.Request, body []byte)
}

type write struct {
	path   string
	body   []byte
	status int
}

func newLab(t *testing.T, cfg auth.Config, tasks ...sms.Task) *lab {
	t.Helper()
	store, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "smslab.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Import(context.Background(), tasks); err != nil {
		t.Fatal(err)
	}
	authn, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app := handlers.New(handlers.Config{Store: store, Auth: authn, Logger: slog.New(slog.DiscardHandler)})
	l := &lab{store: store}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		l.mu.Lock()
		before := l.before
		l.mu.Unlock()
		if before != nil {
			before(r, body)
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		app.ServeHTTP(rec, r)
		l.mu.Lock()
		if r.Method == http.MethodPut {
			l.writes = append(l.writes, write{r.URL.Path, body, rec.status})
		}
		l.calls = append(l.calls, call{r.Method, r.URL.Path, string(body), rec.status})
		l.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	l.url = srv.URL
	return l
}

type call struct {
	method, path, body string
	status             int
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// reports returns the progress reports the server took for the task, in order.
func (l *lab) reports(t *testing.T, id string) []sms.ProgressReport {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []sms.ProgressReport
	for _, w := range l.writes {
		if w.path == "/v3/tasks/"+id+"/progress" && w.status == http.StatusOK {
			var r sms.ProgressReport
			if err := json.Unmarshal(w.body, &r); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
	}
	return out
}

func (l *lab) stored(t *testing.T, id string) db.Task {
	t.Helper()
	row, err := l.store.GetTask(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func labTask(id, taskType, osType, state string) sms.Task {
	return sms.Task{ID: &id, Name: ptr("sms_task_" + id), State: &state, Type: &taskType, OsType: &osType}
}

// waveTasks is a small wave: four tasks to migrate, one of them limited and one syncing, and
// two that cannot run.
func waveTasks() []sms.Task {
	limited := labTask("lnx-block", "MIGRATE_BLOCK", "LINUX", "READY")
	limited.SpeedLimit = ptr(int32(300))
	syncing := labTask("lnx-sync", "MIGRATE_FILE", "LINUX", "READY")
	syncing.Syncing = ptr(true)
	return []sms.Task{
		labTask("lnx-file", "MIGRATE_FILE", "LINUX", "READY"),
		limited,
		labTask("win-block", "MIGRATE_BLOCK", "WINDOWS", "READY"),
		syncing,
		labTask("done", "MIGRATE_FILE", "LINUX", "MIGRATE_SUCCESS"),
		labTask("failed", "MIGRATE_BLOCK", "WINDOWS", "MIGRATE_FAIL"),
	}
}

var waveFaults = []string{
	"task=lnx-file,at=MIGRATE_LINUX_FILE:40,code=SMS.1805",
	"stall=lnx-block,at=MIGRATE:30,for=10m",
	"disconnect=win-block,at=MIGRATE:50,for=5m",
}

// waveConfig runs the agents as fast as the server answers, reporting every simulated minute to
// keep the test short.
func waveConfig(t *testing.T, l *lab, seed int64) Config {
	return Config{Server: l.url, Tasks: Selection{All: true}, Speedup: 1e9, Seed: seed,
		Interval: time.Minute, Poll: time.Minute, StartReady: true, Faults: mustParse(t, waveFaults...)}
}

// TestWave runs agents on a small wave through the real API and checks that every task ends as
// the fault specs say, that the server took exactly the model's reports, and that those are
// consistent.
func TestWave(t *testing.T) {
	l := newLab(t, auth.Config{}, waveTasks()...)
	outcomes, err := Run(context.Background(), waveConfig(t, l, 5))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ state, failed string }{
		"lnx-file":  {"MIGRATE_FAIL", "SMS.1805"},
		"lnx-block": {"MIGRATE_SUCCESS", ""},
		"win-block": {"MIGRATE_SUCCESS", ""},
		"lnx-sync":  {"SYNC_SUCCESS", ""},
	}
	if len(outcomes) != len(want) {
		t.Fatalf("%d agents ran, want %d (done and failed tasks are skipped): %v", len(outcomes), len(want), outcomes)
	}
	for _, o := range outcomes {
		w := want[o.Task.ID]
		if o.Err != nil || o.State != w.state || o.Failed != w.failed {
			t.Errorf("%s: %v; want %s %s", o.Task.ID, o, w.state, w.failed)
		}
		if row := l.stored(t, o.Task.ID); row.State != w.state {
			t.Errorf("%s: stored state %s, want %s", o.Task.ID, row.State, w.state)
		}
	}

	// The failed task stopped at 40% of its copy with the error a migration engineer knows.
	failed := l.stored(t, "lnx-file")
	if failed.ErrorJson == nil || *failed.ErrorJson != `{"error_code":"SMS.1805","error_msg":"Disk space on the target server is insufficient.","error_param":["/data"]}` ||
		failed.SubtaskInfo == nil || *failed.SubtaskInfo != "MIGRATE_LINUX_FILE 40%" || failed.FinishDate != nil {
		t.Errorf("lnx-file: error_json %v, subtask_info %v, finish_date %v", show(failed.ErrorJson), show(failed.SubtaskInfo), show(failed.FinishDate))
	}
	// The others finished, with their time.
	for _, id := range []string{"lnx-block", "win-block", "lnx-sync"} {
		row := l.stored(t, id)
		if row.FinishDate == nil || row.TotalTime == nil || row.StartDate == nil || *row.TotalTime != *row.FinishDate-*row.StartDate {
			t.Errorf("%s: start %v, finish %v, total_time %v", id, show(row.StartDate), show(row.FinishDate), show(row.TotalTime))
		}
	}
	for _, id := range []string{"done", "failed"} {
		if got := l.reports(t, id); len(got) != 0 {
			t.Errorf("%s got %d reports", id, len(got))
		}
	}

	for _, o := range outcomes {
		got := l.reports(t, o.Task.ID)
		if len(got) != o.Reports {
			t.Errorf("%s: the server took %d reports, the agent counts %d", o.Task.ID, len(got), o.Reports)
		}
		checkReports(t, o.Task, got)
		// What the server took is the model's series, report for report: every check of the
		// model's series holds for it.
		events := simEventsEvery(t, time.Minute, o.Task, 5, faultsFor(o.Task.ID)...)
		var model []sms.ProgressReport
		for _, ev := range events {
			if ev.Report != nil {
				model = append(model, *ev.Report)
			}
		}
		if !reflect.DeepEqual(withoutAgentTime(got), withoutAgentTime(model)) {
			t.Errorf("%s: the server took %d reports that differ from the model's %d", o.Task.ID, len(got), len(model))
		}
	}

	// The stall shows as reports at rate 0 for ten simulated minutes; the disconnection as five
	// minutes without a report.
	if d := longestRun(l.reports(t, "lnx-block"), func(r sms.ProgressReport) bool {
		return *r.SubtaskName == "MIGRATE_LINUX_BLOCK" && *r.MigrateSpeed == 0 && *r.Progress == 30
	}); d != 10*time.Minute {
		t.Errorf("lnx-block stalled for %v, want 10m", d)
	}
	if d := longestGap(l.reports(t, "win-block")); d != 5*time.Minute {
		t.Errorf("win-block's longest silence is %v, want 5m", d)
	}
}

func faultsFor(id string) []string {
	var out []string
	for _, f := range waveFaults {
		if strings.Contains(f, "="+id+",") {
			out = append(out, f)
		}
	}
	return out
}

// withoutAgentTime drops agent_time, the one figure that depends on when the run started.
func withoutAgentTime(reports []sms.ProgressReport) []sms.ProgressReport {
	out := make([]sms.ProgressReport, len(reports))
	for i, r := range reports {
		r.AgentTime = nil
		out[i] = r
	}
	return out
}

// checkReports checks a series as the server received it: progress never goes back within a
// sub-task, bytes stay within the total and grow within a copy, the remaining time is what the
// rate and the bytes left say, the rate stays under the speed limit, agent_time never goes back.
func checkReports(t *testing.T, task Task, reports []sms.ProgressReport) {
	t.Helper()
	if len(reports) == 0 {
		t.Fatalf("%s: no reports", task.ID)
	}
	progress := map[string]int32{}
	var prev *sms.ProgressReport
	for i := range reports {
		r := &reports[i]
		name := *r.SubtaskName
		if p, ok := progress[name]; ok && *r.Progress < p {
			t.Errorf("%s report %d: %s progress %d after %d", task.ID, i, name, *r.Progress, p)
		}
		progress[name] = *r.Progress
		if *r.Replicatesize > *r.Totalsize {
			t.Errorf("%s report %d: replicatesize %d over totalsize %d", task.ID, i, *r.Replicatesize, *r.Totalsize)
		}
		if task.SpeedLimit > 0 && *r.MigrateSpeed > float64(task.SpeedLimit) {
			t.Errorf("%s report %d: %v Mbit/s over the limit %d", task.ID, i, *r.MigrateSpeed, task.SpeedLimit)
		}
		if left := *r.Totalsize - *r.Replicatesize; isTransfer(name) && *r.MigrateSpeed > 0 {
			exact := float64(left) * 8 / (*r.MigrateSpeed * 1e6)
			if r.RemainTime == nil || math.Abs(float64(*r.RemainTime)-exact) > 1 {
				t.Errorf("%s report %d: remain_time %v for %d bytes at %v Mbit/s", task.ID, i, show(r.RemainTime), left, *r.MigrateSpeed)
			}
		}
		if prev != nil {
			if *r.AgentTime < *prev.AgentTime {
				t.Errorf("%s report %d: agent_time %s before %s", task.ID, i, *r.AgentTime, *prev.AgentTime)
			}
			if *prev.SubtaskName == name && isTransfer(name) && *r.Replicatesize < *prev.Replicatesize {
				t.Errorf("%s report %d: replicatesize went back", task.ID, i)
			}
		}
		prev = r
	}
}

func agentTime(t *testing.T, r sms.ProgressReport) time.Time {
	at, err := time.Parse(AgentTimeLayout, *r.AgentTime)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// longestRun is the longest stretch of agent time over consecutive reports that match, from the
// report before the first.
func longestRun(reports []sms.ProgressReport, match func(sms.ProgressReport) bool) time.Duration {
	var longest time.Duration
	from := -1
	for i, r := range reports {
		if !match(r) || i == 0 {
			from = -1
			continue
		}
		if from < 0 {
			from = i - 1
		}
		a, _ := time.Parse(AgentTimeLayout, *reports[from].AgentTime)
		b, _ := time.Parse(AgentTimeLayout, *r.AgentTime)
		longest = max(longest, b.Sub(a))
	}
	return longest
}

func longestGap(reports []sms.ProgressReport) time.Duration {
	var longest time.Duration
	for i := 1; i < len(reports); i++ {
		a, _ := time.Parse(AgentTimeLayout, *reports[i-1].AgentTime)
		b, _ := time.Parse(AgentTimeLayout, *reports[i].AgentTime)
		longest = max(longest, b.Sub(a))
	}
	return longest
}

// A seeded run is repeatable: two runs on fresh servers send the same reports (agent_time aside,
// which counts from the start of each run) and end the same.
func TestWaveIsRepeatable(t *testing.T) {
	series := func(seed int64) map[string][]sms.ProgressReport {
		l := newLab(t, auth.Config{}, waveTasks()...)
		outcomes, err := Run(context.Background(), waveConfig(t, l, seed))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]sms.ProgressReport{}
		for _, o := range outcomes {
			out[o.Task.ID+" "+o.State] = withoutAgentTime(l.reports(t, o.Task.ID))
		}
		return out
	}
	a, b := series(21), series(21)
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with seed 21 differ")
	}
	if c := series(22); reflect.DeepEqual(a, c) {
		t.Error("runs with seeds 21 and 22 are the same")
	}
}

// When a task leaves a state that takes reports (an operator stops it), its agent stops with the
// server's reason and the others carry on.
func TestAgentStopsWhenItsReportIsRefused(t *testing.T) {
	l := newLab(t, auth.Config{}, waveTasks()[:2]...)
	var n int
	l.before = func(r *http.Request, _ []byte) {
		if r.URL.Path != "/v3/tasks/lnx-file/progress" {
			return
		}
		if n++; n == 20 {
			req, err := sms.NewDecoder().DecodeUpdateTask([]byte(`{"state":"ABORT"}`))
			if err != nil {
				t.Error(err)
				return
			}
			if err := l.store.UpdateTask(r.Context(), "lnx-file", req); err != nil {
				t.Error(err)
			}
		}
	}
	outcomes, err := Run(context.Background(), Config{Server: l.url, Tasks: Selection{All: true}, Speedup: 1e9, Seed: 1, Interval: time.Minute, StartReady: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		switch o.Task.ID {
		case "lnx-file":
			var apiErr *APIError
			if !errors.As(o.Err, &apiErr) || apiErr.Code != "SMS.2009" || !strings.Contains(apiErr.Msg, "The task is ABORT") ||
				o.State != "ABORT" || o.Reports != 19 {
				t.Errorf("lnx-file: %v", o)
			}
		default:
			if o.Err != nil || o.State != "MIGRATE_SUCCESS" {
				t.Errorf("%s: %v", o.Task.ID, o)
			}
		}
	}
}

// The agent signs with an access key or sends a token, as the server's strict mode needs, and
// a wrong secret stops the run before any agent starts.
func TestAgentCredentials(t *testing.T) {
	l := newLab(t, auth.Config{AccessKeys: map[string]string{"LABAK": "lab-secret"}, Tokens: []string{"lab-token"}},
		labTask("t-1", "MIGRATE_FILE", "LINUX", "READY"), labTask("t-2", "MIGRATE_FILE", "LINUX", "READY"))
	for id, creds := range map[string]Credentials{
		"t-1": {AccessKey: "LABAK", SecretKey: "lab-secret"},
		"t-2": {Token: "lab-token"},
	} {
		outcomes, err := Run(context.Background(), Config{Server: l.url, Credentials: creds, Tasks: Selection{IDs: []string{id}},
			Speedup: 1e9, Seed: 1, Interval: 5 * time.Minute, StartReady: true})
		if err != nil || len(outcomes) != 1 || outcomes[0].Err != nil || outcomes[0].State != "MIGRATE_SUCCESS" {
			t.Errorf("%s: %v, %v", id, outcomes, err)
		}
	}
	for _, creds := range []Credentials{{AccessKey: "LABAK", SecretKey: "guess"}, {Token: "guess"}, {}} {
		_, err := Run(context.Background(), Config{Server: l.url, Credentials: creds, Tasks: Selection{All: true}, Speedup: 1e9})
		if err == nil || !strings.Contains(err.Error(), "401 APIGW.0301") {
			t.Errorf("%+v: %v, want a 401", creds, err)
		}
		if err != nil && strings.Contains(err.Error(), "guess") {
			t.Errorf("the error shows the credential: %v", err)
		}
	}
}

func TestAgentSelection(t *testing.T) {
	l := newLab(t, auth.Config{}, waveTasks()...)
	run := func(sel Selection) ([]Outcome, error) {
		return Run(context.Background(), Config{Server: l.url, Tasks: sel, Speedup: 1e9, Seed: 1, Interval: 10 * time.Minute, StartReady: true})
	}
	if _, err := run(Selection{IDs: []string{"nope"}}); err == nil || err.Error() != "task nope: no task has this id" {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := run(Selection{IDs: []string{"lnx-file", "failed"}}); err == nil ||
		err.Error() != "task failed: the task is MIGRATE_FAIL: its migration failed; restart the task before reporting again" {
		t.Errorf("a task that cannot run: %v", err)
	}
	if got := l.reports(t, "lnx-file"); len(got) != 0 {
		t.Errorf("an agent ran although the run was refused: %d reports", len(got))
	}
	outcomes, err := run(Selection{State: "READY"})
	if err != nil || len(outcomes) != 4 {
		t.Fatalf("state=READY: %d agents, %v", len(outcomes), err)
	}
	// Nothing is READY any more.
	if outcomes, err := run(Selection{State: "READY"}); err != nil || len(outcomes) != 0 {
		t.Errorf("state=READY again: %v, %v", outcomes, err)
	}

	for _, tt := range []struct{ in, want string }{
		{"all", ""}, {"state=RUNNING", ""}, {" a, b ,a", ""},
		{"state=running", `-tasks "state=running": "running" is not a task state`},
		{",", `-tasks ",": want all, none, state=STATE or task ids separated by commas`},
	} {
		if _, err := ParseSelection(tt.in); (err == nil) != (tt.want == "") || err != nil && !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseSelection(%q): %v, want %q", tt.in, err, tt.want)
		}
	}
	if sel, _ := ParseSelection(" a, b ,a"); !reflect.DeepEqual(sel.IDs, []string{"a", "b"}) {
		t.Errorf("ids %v", sel.IDs)
	}
}

// ListTasks pages no further than offset 65535: a selection of more tasks than that reaches is
// refused with the reason, rather than run on some of them or fail with the server's 400. The
// test pages by 10 up to offset 25, which reaches 30 tasks: storing the 65,601 tasks the API's
// paging needs takes half a minute under -race. TestListTasksPagingIsTheServers holds the API's
// figures to the server's.
func TestAgentSelectionBeyondListTasksPaging(t *testing.T) {
	short := paging{size: 10, maxOffset: 25}
	tasks := make([]sms.Task, short.reach()+1)
	for i := range tasks {
		tasks[i] = sms.Task{ID: ptr(fmt.Sprintf("t-%06d", i)), State: ptr("READY")}
	}
	tasks[0].State = ptr("ABORT")
	l := newLab(t, auth.Config{}, tasks...)
	_, err := Run(context.Background(), Config{Server: l.url, Tasks: Selection{All: true}, Speedup: 1e9, Seed: 1, Interval: 10 * time.Minute, paging: short})
	if want := "list tasks: 31 tasks match, but paging ListTasks (offset up to 25) reaches only 30: select fewer, by state or by id"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if n := len(l.writes); n != 0 {
		t.Errorf("%d writes, want none", n)
	}

	// As many tasks as paging reaches are listed, every one once, the last page at offset 20.
	c, err := newClient(l.url, http.DefaultClient, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	c.paging = short
	listed, err := c.listTasks(context.Background(), url.Values{"state": {"READY"}})
	ids := map[string]bool{}
	for _, task := range listed {
		ids[*task.ID] = true
	}
	if err != nil || len(listed) != short.reach() || len(ids) != short.reach() || ids["t-000000"] {
		t.Errorf("READY tasks: %d listed, %d ids (%v), want the %d READY ones", len(listed), len(ids), err, short.reach())
	}
}

// The API's paging, which the agents use, is the server's: 200 tasks a page at offsets up to
// 65535, so 65,600 tasks in reach; a larger page or offset is refused.
func TestListTasksPagingIsTheServers(t *testing.T) {
	p := listTasksPaging
	if p.reach() != 65600 {
		t.Errorf("paging by %d up to offset %d reaches %d tasks, want 65600", p.size, p.maxOffset, p.reach())
	}
	l := newLab(t, auth.Config{})
	c, err := newClient(l.url, http.DefaultClient, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		limit, offset int
		ok            bool
	}{{p.size, p.maxOffset, true}, {p.size + 1, 0, false}, {p.size, p.maxOffset + 1, false}} {
		q := url.Values{"limit": {strconv.Itoa(tt.limit)}, "offset": {strconv.Itoa(tt.offset)}}
		var page sms.ListTasksResponse
		err := c.do(context.Background(), http.MethodGet, "/v3/tasks", q, nil, &page)
		var apiErr *APIError
		refused := errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest
		if tt.ok && err != nil {
			t.Errorf("limit %d offset %d: %v, want an answer", tt.limit, tt.offset, err)
		}
		if !tt.ok && !refused {
			t.Errorf("limit %d offset %d: %v, want a 400", tt.limit, tt.offset, err)
		}
	}
}

// Stopping a run stops its agents at once, mid-migration.
func TestAgentsStopWithTheirContext(t *testing.T) {
	l := newLab(t, auth.Config{}, waveTasks()...)
	ctx, cancel := context.WithCancel(context.Background())
	l.before = func(r *http.Request, _ []byte) {
		if strings.HasSuffix(r.URL.Path, "/progress") {
			cancel() // at the first report
		}
	}
	outcomes, err := Run(ctx, Config{Server: l.url, Tasks: Selection{All: true}, Speedup: 60, Seed: 1, StartReady: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if !errors.Is(o.Err, context.Canceled) {
			t.Errorf("%s: %v, want it stopped", o.Task.ID, o)
		}
	}
}

func show[T any](p *T) any {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// The demo wave on the demo tasks: every task that can run does, and ends as the demo's faults
// say: one failure, the others succeed, the syncing task synchronizes.
func TestDemo(t *testing.T) {
	f, err := seed.Load(sms.NewDecoder(), seed.Demo)
	if err != nil {
		t.Fatal(err)
	}
	l := newLab(t, auth.Config{}, f.Tasks...)
	cfg := Demo(l.url, Credentials{}, 1e9)
	cfg.Interval = time.Minute
	outcomes, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	faults := map[FaultKind]int{}
	for _, o := range outcomes {
		if o.Err != nil {
			t.Errorf("%v", o)
		}
		states[o.State]++
		for _, f := range o.Faults {
			faults[f.Kind]++
		}
	}
	want := map[string]int{"MIGRATE_SUCCESS": 9, "MIGRATE_FAIL": 1, "SYNC_SUCCESS": 1}
	if !reflect.DeepEqual(states, want) {
		t.Errorf("the demo ends with %v, want %v", states, want)
	}
	if want := map[FaultKind]int{Fail: 1, Stall: 2, Disconnect: 1}; !reflect.DeepEqual(faults, want) {
		t.Errorf("the demo plays %v, want %v", faults, want)
	}
}

// Until halts every agent at a simulated time, its task where it is.
func TestUntil(t *testing.T) {
	l := newLab(t, auth.Config{}, waveTasks()...)
	cfg := waveConfig(t, l, 5)
	cfg.Until = 20 * time.Minute
	outcomes, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if o.Err != nil || !o.Halted || o.State != "RUNNING" || o.Simulated > cfg.Until {
			t.Errorf("%v", o)
		}
		reports := l.reports(t, o.Task.ID)
		first, last := agentTime(t, reports[0]), agentTime(t, reports[len(reports)-1])
		if last.Sub(first) > cfg.Until {
			t.Errorf("%s: reports span %v", o.Task.ID, last.Sub(first))
		}
	}
}

// Many agents share a few connections: a run keeps at most Config.Connections to the server, and
// every agent still sends exactly its model's reports, in order.
func TestAgentsShareTheirConnections(t *testing.T) {
	var tasks []sms.Task
	for i := range 150 {
		tasks = append(tasks, labTask(fmt.Sprintf("t%03d", i), "MIGRATE_FILE", "LINUX", "RUNNING"))
	}
	l := newLab(t, auth.Config{}, tasks...)
	var mu sync.Mutex
	conns := map[string]bool{}
	l.before = func(r *http.Request, _ []byte) {
		mu.Lock()
		conns[r.RemoteAddr] = true
		mu.Unlock()
	}
	until := 20 * time.Minute
	cfg := Config{Server: l.url, Tasks: Selection{All: true}, Speedup: 1e9, Seed: 3, Interval: time.Minute,
		Until: until, Connections: 3}
	outcomes, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(outcomes) != len(tasks) {
		t.Fatalf("%d outcomes, want %d", len(outcomes), len(tasks))
	}
	for _, o := range outcomes {
		if o.Err != nil {
			t.Errorf("%s: %v", o.Task.ID, o.Err)
		}
		sim, err := NewSim(o.Task, SimConfig{Seed: cfg.Seed, Interval: cfg.Interval})
		if err != nil {
			t.Fatal(err)
		}
		var want []sms.ProgressReport
		for ev, ok := sim.Next(); ok && ev.At <= until; ev, ok = sim.Next() {
			if ev.Report != nil {
				want = append(want, *ev.Report)
			}
		}
		if got := withoutAgentTime(l.reports(t, o.Task.ID)); !reflect.DeepEqual(got, withoutAgentTime(want)) {
			t.Errorf("%s: the server took %d reports, not the model's %d in order", o.Task.ID, len(got), len(want))
		}
	}
	if len(conns) > cfg.Connections {
		t.Errorf("%d connections to the server, want at most %d", len(conns), cfg.Connections)
	}
}
