package agent

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/auth"
	"smslab/lifecycle"
	"smslab/sms"
)

// do sends a request to the lab as an operator's script would, and returns the status and body.
func (l *lab) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, l.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", "operator")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// act takes an action on a task over the API and wants it taken.
func (l *lab) act(t *testing.T, id, operation string) {
	t.Helper()
	if status, body := l.do(t, http.MethodPost, "/v3/tasks/"+id+"/action", `{"operation":"`+operation+`"}`); status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", operation, id, status, body)
	}
}

// count is how many requests served match.
func (l *lab) count(match func(c call) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.calls {
		if match(c) {
			n++
		}
	}
	return n
}

// since returns the requests served from the n-th on.
func (l *lab) since(n int) []call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls[min(n, len(l.calls)):])
}

func (l *lab) served() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func isPoll(src string) func(c call) bool {
	return func(c call) bool { return c.method == http.MethodGet && c.path == "/v3/sources/"+src+"/command" }
}

func isResult(src, command, result string) func(c call) bool {
	return func(c call) bool {
		return c.path == "/v3/sources/"+src+"/command_result" && c.status == http.StatusOK &&
			strings.Contains(c.body, `"command_name":"`+command+`"`) && strings.Contains(c.body, `"result":"`+result+`"`)
	}
}

func isReport(id string) func(c call) bool {
	return func(c call) bool { return c.path == "/v3/tasks/"+id+"/progress" && c.status == http.StatusOK }
}

// runInBackground runs agents until the test stops them; stop returns their outcomes.
func runInBackground(t *testing.T, cfg Config) (stop func() []Outcome) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Outcome, 1)
	go func() {
		out, err := Run(ctx, cfg)
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	var once sync.Once
	var out []Outcome
	stop = func() []Outcome {
		once.Do(func() {
			cancel()
			out = <-done
		})
		return out
	}
	t.Cleanup(func() { stop() })
	return stop
}

// An agent follows the protocol through a task's life, driven by an operator over the API: it
// registers and polls, takes START and migrates to MIGRATE_SUCCESS, is restarted, is stopped mid
// copy (ABORT, no report after), is started again and resumes, and drops the task on DELETE.
func TestAgentFollowsCommands(t *testing.T) {
	l := newLab(t, auth.Config{}, labTask("p-1", "MIGRATE_FILE", "LINUX", "READY"))
	src := *l.stored(t, "p-1").SourceServerID
	var mu sync.Mutex
	stopAtReport := 0 // when above 0, the task is stopped just before that report (counted from 1)
	l.before = func(r *http.Request, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != "/v3/tasks/p-1/progress" || stopAtReport == 0 {
			return
		}
		if stopAtReport--; stopAtReport == 0 {
			if err := l.store.TaskAction(r.Context(), "p-1", &sms.UpdateTaskStatusRequest{Operation: ptr(lifecycle.ActStop)}); err != nil {
				t.Error(err)
			}
		}
	}
	stop := runInBackground(t, Config{Server: l.url, Tasks: Selection{All: true}, Stay: true, Speedup: 1e9, Seed: 1,
		Interval: time.Minute, Poll: time.Minute})

	// It registers its source with the same id and polls; the READY task waits for START.
	waitFor(t, "two polls", func() bool { return l.count(isPoll(src)) >= 2 })
	if n := l.count(func(c call) bool { return c.path == "/v3/sources" && c.method == http.MethodPost && c.status == 200 }); n != 1 {
		t.Errorf("%d registrations, want 1", n)
	}
	if status, body := l.do(t, http.MethodGet, "/v3/sources/"+src, ""); status != 200 || !strings.Contains(body, `"agent_version":"`+AgentVersion+`"`) {
		t.Errorf("the source after its agent registered: %d %s", status, body)
	}
	if n := l.count(isReport("p-1")); n != 0 || l.stored(t, "p-1").State != lifecycle.Ready {
		t.Fatalf("a READY task not started got %d reports", n)
	}

	l.act(t, "p-1", lifecycle.ActStart)
	waitFor(t, "MIGRATE_SUCCESS", func() bool { return l.stored(t, "p-1").State == lifecycle.MigrateSuccess })
	calls := l.since(0)
	answered := slices.IndexFunc(calls, isResult(src, lifecycle.CmdStart, "success"))
	if first := slices.IndexFunc(calls, isReport("p-1")); answered < 0 || first < answered {
		t.Errorf("START answered at request %d, first report at %d: want the result first", answered, first)
	}

	// Restart, then stop it at its 12th report: the report is refused, the agent polls at once,
	// takes STOP and answers; the task is ABORT and hears no more.
	mu.Lock()
	stopAtReport = 12
	mu.Unlock()
	mark := l.served()
	l.act(t, "p-1", lifecycle.ActRestart)
	waitFor(t, "ABORT", func() bool { return l.stored(t, "p-1").State == lifecycle.Abort })
	waitFor(t, "the STOP result", func() bool { return l.count(isResult(src, lifecycle.CmdStop, "success")) == 1 })
	polled := l.count(isPoll(src))
	waitFor(t, "two more polls", func() bool { return l.count(isPoll(src)) >= polled+2 })
	after := l.since(mark)
	stopped := slices.IndexFunc(after, isResult(src, lifecycle.CmdStop, "success"))
	if n := len(slices.DeleteFunc(slices.Clone(after[stopped:]), func(c call) bool { return !isReport("p-1")(c) })); n != 0 {
		t.Errorf("%d reports after STOP", n)
	}
	restarted := slices.IndexFunc(after, isResult(src, lifecycle.CmdStart, "success"))
	var reports []sms.ProgressReport
	for _, c := range after[restarted:stopped] {
		if isReport("p-1")(c) {
			var r sms.ProgressReport
			if err := json.Unmarshal([]byte(c.body), &r); err != nil {
				t.Fatal(err)
			}
			reports = append(reports, r)
		}
	}
	if len(reports) != 11 {
		t.Fatalf("%d reports taken before the stop, want 11", len(reports))
	}
	last := reports[len(reports)-1]

	// Started again, it resumes where it stood and finishes.
	mark = l.served()
	l.act(t, "p-1", lifecycle.ActStart)
	waitFor(t, "MIGRATE_SUCCESS again", func() bool { return l.stored(t, "p-1").State == lifecycle.MigrateSuccess })
	resumed := l.since(mark)
	started := slices.IndexFunc(resumed, isResult(src, lifecycle.CmdStart, "success"))
	i := started + slices.IndexFunc(resumed[started:], isReport("p-1"))
	var first sms.ProgressReport
	if err := json.Unmarshal([]byte(resumed[i].body), &first); err != nil {
		t.Fatal(err)
	}
	if *first.SubtaskName != *last.SubtaskName || *first.Progress < *last.Progress {
		t.Errorf("resumed at %s %d%%, stopped at %s %d%%", *first.SubtaskName, *first.Progress, *last.SubtaskName, *last.Progress)
	}

	// Deleted, the task's agent gets DELETE, answers it and polls on with nothing to do.
	if status, body := l.do(t, http.MethodDelete, "/v3/tasks/p-1", ""); status != 200 {
		t.Fatalf("delete: %d %s", status, body)
	}
	waitFor(t, "the DELETE result", func() bool { return l.count(isResult(src, lifecycle.CmdDelete, "success")) == 1 })
	out := stop()
	if len(out) != 1 || out[0].Source != src || out[0].Task.ID != "p-1" {
		t.Fatalf("outcomes %v", out)
	}
	if n := l.count(func(c call) bool {
		return c.status != http.StatusOK && !isReport("p-1")(c) && c.path != "/v3/tasks/p-1/progress"
	}); n != 0 {
		t.Errorf("%d requests refused besides the report at the stop: %v", n, l.since(0))
	}
}

// An agent that restarts registers again and gets the command its former self took and never
// answered.
func TestAgentGetsItsPendingCommandAfterARestart(t *testing.T) {
	l := newLab(t, auth.Config{}, labTask("p-2", "MIGRATE_BLOCK", "LINUX", "READY"))
	src := *l.stored(t, "p-2").SourceServerID
	l.act(t, "p-2", lifecycle.ActStart)
	// The agent before the restart: it takes START and dies.
	if status, body := l.do(t, http.MethodGet, "/v3/sources/"+src+"/command", ""); status != 200 || !strings.Contains(body, `"START"`) {
		t.Fatalf("the first poll: %d %s", status, body)
	}
	if _, body := l.do(t, http.MethodGet, "/v3/sources/"+src+"/command", ""); body != `{"command_name":"TASK_NOT_STARTED"}` {
		t.Fatalf("the second poll: %s", body)
	}
	// The new agent waits for START (it does not start the task itself) and ends with the task.
	out, err := Run(context.Background(), Config{Server: l.url, Tasks: Selection{IDs: []string{"p-2"}}, Speedup: 1e9, Seed: 1,
		Interval: time.Minute, Poll: time.Minute})
	if err != nil || len(out) != 1 || out[0].Err != nil || out[0].State != lifecycle.MigrateSuccess {
		t.Fatalf("%v, %v", out, err)
	}
	if n := l.count(isResult(src, lifecycle.CmdStart, "success")); n != 1 {
		t.Errorf("%d START results, want 1", n)
	}
	if n := l.count(func(c call) bool { return c.method == http.MethodPost && strings.Contains(c.path, "/action") }); n != 1 {
		t.Errorf("%d actions, want the operator's start alone", n)
	}
}

// -register brings in new sources whose agents poll; a task created and started for one of them
// over the API runs to its end; the same seed registers the same sources again.
func TestAgentsRegisterNewSources(t *testing.T) {
	l := newLab(t, auth.Config{})
	cfg := Config{Server: l.url, Tasks: Selection{None: true}, Register: 3, Stay: true, Speedup: 1e9, Seed: 4,
		Interval: time.Minute, Poll: time.Minute}
	stop := runInBackground(t, cfg)
	var ids []string
	for i := range 3 {
		ids = append(ids, *FreshSource(cfg.Seed, i).ID)
	}
	for _, id := range ids {
		waitFor(t, "a poll of "+id, func() bool { return l.count(isPoll(id)) > 0 })
	}
	status, body := l.do(t, http.MethodPost, "/v3/tasks", `{"name":"fresh-1","type":"MIGRATE_FILE","auto_start":true,
		"source_server":{"id":"`+ids[1]+`"},"target_server":{},"region_name":"r1","region_id":"r1","project_name":"r1","project_id":"p1"}`)
	if status != 200 {
		t.Fatalf("CreateTask: %d %s", status, body)
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new task's success", func() bool { return l.stored(t, created.ID).State == lifecycle.MigrateSuccess })
	out := stop()
	if len(out) != 3 {
		t.Fatalf("%d outcomes", len(out))
	}
	for i, o := range out {
		if o.Source != ids[i] || (i == 1) != (o.Task.ID == created.ID) {
			t.Errorf("agent %d: %v", i, o)
		}
	}
	count := func() string {
		_, body := l.do(t, http.MethodGet, "/v3/sources?limit=1", "")
		var page sms.ListServersResponse
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		return strings.Repeat("s", int(page.Count))
	}
	if got := count(); got != "sss" {
		t.Fatalf("%d sources, want 3", len(got))
	}
	cfg.Until = time.Minute // the run ends there
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != "sss" {
		t.Errorf("%d sources after a second run with the same seed, want 3", len(got))
	}
}
