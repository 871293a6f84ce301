package handlers_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"smslab/db"
	"smslab/handlers"
	"smslab/lifecycle"
	"smslab/metrics"
	"smslab/seed"
	"smslab/sms"
)

// After a known sequence of requests, /metrics holds exactly what they did: requests by operation
// and status, their latencies, progress reports by result, commit batch sizes, tasks by state
// (every state, from the demo set and the one report), the files' sizes, the build, and the Go
// runtime's and the process's collectors. No credentials are needed.
func TestMetricsAfterAKnownSequence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smslab.db")
	m := metrics.New("v1.2.3-test")
	store, err := db.Open(context.Background(), path, db.OnCommit(m.CommitBatch))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m.WatchStore(store, path)
	demo, err := seed.DemoAt(sms.NewDecoder(), demoSeededAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ImportSeed(context.Background(), &demo.SeedFile); err != nil { // one commit of one write
		t.Fatal(err)
	}
	app := &testApp{store: store, e: handlers.New(handlers.Config{Store: store, Metrics: m,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Status: handlers.StatusInfo{DBPath: path}})}

	app.get("/v3/tasks?limit=2")
	app.get("/v3/tasks?limit=2")
	app.get("/v3/tasks?limit=999")                                              // 400
	app.put("/v3/tasks/"+progressTaskID+"/progress", exampleReport)             // 200: READY -> RUNNING
	store.FlushAgentCalls()                                                     // its source's last call: a write
	app.put("/v3/tasks/"+progressTaskID+"/progress", `{}`)                      // 400
	app.serve(httptest.NewRequest(http.MethodPut, "/v3/tasks/x/progress", nil)) // 401
	app.serve(httptest.NewRequest(http.MethodGet, "/nowhere", nil))             // 404, no route
	app.serve(httptest.NewRequest(http.MethodHead, "/healthz", nil))

	want := map[string]float64{
		`smslab_http_requests_total{code="200",operation="ListTasks"}`:       2,
		`smslab_http_requests_total{code="400",operation="ListTasks"}`:       1,
		`smslab_http_requests_total{code="200",operation="UpdateTaskSpeed"}`: 1,
		`smslab_http_requests_total{code="400",operation="UpdateTaskSpeed"}`: 1,
		`smslab_http_requests_total{code="401",operation="UpdateTaskSpeed"}`: 1,
		`smslab_http_requests_total{code="404",operation="none"}`:            1,
		`smslab_http_requests_total{code="200",operation="Healthz"}`:         1,

		`smslab_http_request_duration_seconds_count{operation="ListTasks"}`:          3,
		`smslab_http_request_duration_seconds_count{operation="UpdateTaskSpeed"}`:    3,
		`smslab_http_request_duration_seconds_bucket{operation="Healthz",le="+Inf"}`: 1,

		`smslab_progress_reports_total{result="accepted"}`: 1,
		`smslab_progress_reports_total{result="refused"}`:  2,

		`smslab_commit_batch_writes_count`:          3, // the import, the report, the agent's last call
		`smslab_commit_batch_writes_sum`:            3,
		`smslab_commit_batch_writes_bucket{le="1"}`: 3,
		`smslab_build_info{version="v1.2.3-test"}`:  1,
		`smslab_tasks{state="DELETING"}`:            0,
	}
	states := map[string]float64{}
	for _, task := range demo.Tasks {
		states[*task.State]++
	}
	states[lifecycle.Ready]--
	states[lifecycle.Running]++
	for state, n := range states {
		want[`smslab_tasks{state="`+state+`"}`] = n
	}

	// The database's size is read at the scrape: take one while the checkpointer, which grows the
	// file after a commit, is done with it.
	var got map[string]float64
	var dbSize, walSize int64
	settled := waitFor(10*time.Second, func() bool {
		before := sizeOf(path)
		got = scrape(t, app)
		dbSize, walSize = sizeOf(path), sizeOf(path+"-wal")
		return before == dbSize && got["smslab_database_size_bytes"] == float64(dbSize)
	})
	if !settled {
		t.Errorf("smslab_database_size_bytes %v, file %d bytes", got["smslab_database_size_bytes"], dbSize)
	}
	want["smslab_wal_size_bytes"] = float64(walSize)
	for name, value := range want {
		if v, ok := got[name]; !ok || v != value {
			t.Errorf("%s = %v (present: %v), want %v", name, v, ok, value)
		}
	}
	for _, state := range lifecycle.States() {
		if _, ok := got[`smslab_tasks{state="`+state+`"}`]; !ok {
			t.Errorf("no smslab_tasks for state %s", state)
		}
	}
	collectors := []string{"go_goroutines", "go_gc_duration_seconds_count"}
	if runtime.GOOS == "linux" {
		collectors = append(collectors, "process_cpu_seconds_total", "process_resident_memory_bytes")
	}
	for _, name := range collectors {
		if _, ok := got[name]; !ok {
			t.Errorf("no %s: the Go or process collector is missing", name)
		}
	}
}

// scrape reads GET /metrics, without credentials, as name{labels} -> value.
func scrape(t *testing.T, app *testApp) map[string]float64 {
	t.Helper()
	rec := app.serve(httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %d %s\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	got := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got[line[:i]] = v
	}
	return got
}

func sizeOf(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// waitFor checks cond every 10 ms until it holds, for at most timeout, and reports whether it
// came to hold.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-time.After(10 * time.Millisecond)
	}
	return true
}
