package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/sms"
)

// syncBuffer is a bytes.Buffer safe to write from the server and read from the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running `run`.
type server struct {
	url    string
	stderr *syncBuffer
	stop   func() error
}

var servingLine = regexp.MustCompile(`smslab serving (http://\S+)`)

// startRun calls run with args and env as a user would, and waits until it serves.
func startRun(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"smslab"}, args...), func(k string) string { return env[k] }, stdout, stderr)
	}()
	deadline := time.After(10 * time.Second)
	for {
		if m := servingLine.FindStringSubmatch(stdout.String()); m != nil {
			s := &server{url: m[1], stderr: stderr}
			var once sync.Once
			var stopErr error
			s.stop = func() error {
				once.Do(func() { cancel(); stopErr = <-done })
				return stopErr
			}
			t.Cleanup(func() { s.stop() })
			return s
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run returned before serving: %v\nstderr: %s", err, stderr)
		case <-deadline:
			cancel()
			t.Fatalf("run did not serve within 10s\nstderr: %s", stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (s *server) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", "test")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (s *server) list(t *testing.T, query string) sms.ListTasksResponse {
	t.Helper()
	status, body := s.do(t, "GET", "/v3/tasks?"+query, "")
	if status != http.StatusOK {
		t.Fatalf("GET /v3/tasks?%s: %d %s", query, status, body)
	}
	var resp sms.ListTasksResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

const progressTaskID = "7a9a9540-ff28-4869-b9e4-855fbe12xxxx"

func TestRunServesDemoAndKeepsWritesAcrossRestart(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "lab.db")
	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", dbPath)
	if got := s.list(t, "limit=0").Count; got != 19 {
		t.Fatalf("new database: %d tasks, want the 19 demo tasks", got)
	}
	// The demo's server template comes with the schema, as its tasks do.
	if status, body := s.do(t, "GET", "/v3/vm/templates", ""); status != http.StatusOK || !strings.Contains(string(body), `"count":1,`) ||
		!strings.Contains(s.stderr.String(), "seeded_templates=1") {
		t.Errorf("new database: templates %d %s\n%s", status, body, s.stderr)
	}
	status, body := s.do(t, "PUT", "/v3/tasks/"+progressTaskID+"/progress",
		`{"subtask_name":"CREATE_CLOUD_SERVER","progress":40,"replicatesize":0,"totalsize":0,"process_trace":"creating"}`)
	if status != http.StatusOK {
		t.Fatalf("report: %d %s", status, body)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("run returned %v after shutdown", err)
	}
	if !strings.Contains(s.stderr.String(), "smslab stopped") {
		t.Errorf("no clean stop logged:\n%s", s.stderr)
	}

	// Restarted on the same file, smslab keeps the report and does not seed the demo again.
	s = startRun(t, nil, "-addr", "127.0.0.1:0", "-db", dbPath)
	task := s.list(t, "id="+progressTaskID).Tasks[0]
	if *task.State != "RUNNING" || len(task.SubTasks) != 1 || *task.SubTasks[0].Progress != 40 {
		t.Errorf("after restart: %+v", task)
	}
	if !strings.Contains(s.stderr.String(), "seeded=0") {
		t.Errorf("restart seeded tasks:\n%s", s.stderr)
	}
}

func TestRunSeedOptions(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeFile(t, good, `{"tasks":[{"id":"t-1","name":"imported","state":"READY","create_date":5,
		"source_server":{"id":"s-1","state":"AVAILABLE"},"log_collect_status":"SOMETHING_NEW","future_field":1}],
		"templates":[{"id":"tpl-1","name":"web","is_template":"true","region":"eu-west-101"}]}`)
	bad := filepath.Join(dir, "bad.json")
	writeFile(t, bad, `{"count":2,"tasks":[{"id":"t-1","state":"READY"},{"id":"t-2","state":"FINISHED"}]}`)

	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "none.db"), "-seed", "none")
	if n := s.list(t, "").Count; n != 0 {
		t.Errorf("-seed none: %d tasks", n)
	}

	// The environment stands in for flags that are not given.
	dbPath := filepath.Join(dir, "file.db")
	s = startRun(t, map[string]string{"SMSLAB_SEED": good, "SMSLAB_DB": dbPath, "SMSLAB_ADDR": "127.0.0.1:0"})
	got := s.list(t, "")
	if got.Count != 1 || *got.Tasks[0].Name != "imported" || *got.Tasks[0].SourceServer.State != "AVAILABLE" {
		t.Errorf("-seed file: %+v", got)
	}
	if status, body := s.do(t, "GET", "/v3/vm/templates/tpl-1", ""); status != http.StatusOK ||
		string(body) != `{"template":{"id":"tpl-1","name":"web","is_template":"true","region":"eu-west-101"}}` {
		t.Errorf("-seed file's template: %d %s", status, body)
	}
	s.stop()

	// A bad file names the task and field at fault and changes nothing.
	err := run(context.Background(), []string{"smslab", "-db", dbPath, "-seed", bad, "-addr", "127.0.0.1:0"},
		func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "tasks[1].state must be one of") || strings.Contains(err.Error(), "\n") {
		t.Errorf("bad seed: error %v, want one line naming tasks[1].state", err)
	}
	s = startRun(t, nil, "-db", dbPath, "-addr", "127.0.0.1:0")
	if got := s.list(t, ""); got.Count != 1 || *got.Tasks[0].ID != "t-1" || *got.Tasks[0].Name != "imported" {
		t.Errorf("after a refused seed: %+v", got)
	}
	s.stop()

	// A file that is not a ListTasks object says so in words about the file.
	for content, want := range map[string]string{
		`[{"id":"t-1"}]`: "the file must be a JSON object",
		`{"tasks":[`:     "the file is not valid JSON",
	} {
		notObject := filepath.Join(dir, "not-object.json")
		writeFile(t, notObject, content)
		err = run(context.Background(), []string{"smslab", "-db", dbPath, "-seed", notObject, "-addr", "127.0.0.1:0"},
			func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "request body") {
			t.Errorf("seed %s: error %v, want %q", content, err, want)
		}
	}

	err = run(context.Background(), []string{"smslab", "-db", filepath.Join(dir, "new.db"), "-seed", filepath.Join(dir, "missing.json")},
		func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("unreadable seed: error %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "new.db")); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("an unreadable seed still created the database")
	}
}

func TestRunCommandLine(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"smslab", "-h"}, os.Getenv, &stdout, io.Discard); err != nil {
		t.Errorf("-h: %v", err)
	}
	for _, want := range []string{"-addr", "SMSLAB_ADDR", "-db", "SMSLAB_DB", "-seed", "SMSLAB_SEED", "-sync", "SMSLAB_SYNC", "-verbose", "SMSLAB_VERBOSE"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("usage lacks %s", want)
		}
	}
	for _, args := range [][]string{{"-bogus"}, {"-addr"}, {"-addr", ""}, {"stray"}, {"-sync", "sometimes"}} {
		err := run(context.Background(), append([]string{"smslab"}, args...), os.Getenv, io.Discard, io.Discard)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "smslab -h") {
			t.Errorf("%v: error %q, want one line pointing at -h", args, err)
		}
	}

	// Stray words that are no secret, and an empty -db, are answered for what they are.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, `"help" is no command: -h lists the flags`},
		{[]string{"-db", "x.db", "agent"}, `"agent" is a command: it comes right after smslab, before any flag`},
		{[]string{"-db", ""}, "-db is empty: want a file path, such as smslab.db"},
	} {
		if err := run(context.Background(), append([]string{"smslab"}, tt.args...), func(string) string { return "" }, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.args, err, tt.want)
		}
	}

	// A credential cut off by a space is never echoed.
	if err := run(context.Background(), []string{"smslab", "-tokens", "tok1,", "tok2-secret"}, os.Getenv, io.Discard, io.Discard); err == nil ||
		strings.Contains(err.Error(), "tok2-secret") || !strings.Contains(err.Error(), "an unexpected argument") {
		t.Errorf("-tokens with a space: error %v", err)
	}

	// A bad value from the environment is named with its variable and value, and one from a flag
	// with its flag.
	for _, bad := range []struct{ env, value, want string }{
		{"SMSLAB_VERBOSE", "yes", `SMSLAB_VERBOSE="yes": want true or false (or 1 or 0)`},
		{"SMSLAB_DEMO", "on", `SMSLAB_DEMO="on": want true or false (or 1 or 0)`},
		{"SMSLAB_SYNC", "bad", `SMSLAB_SYNC="bad": want normal or full`},
		{"SMSLAB_DEMO_SPEEDUP", "0", `SMSLAB_DEMO_SPEEDUP="0": want a number from 0.001 to 1e+09`},
		{"SMSLAB_DEMO_SPEEDUP", "fast", `SMSLAB_DEMO_SPEEDUP="fast": want a number from 0.001 to 1e+09`},
	} {
		getenv := func(name string) string {
			if name == bad.env {
				return bad.value
			}
			return ""
		}
		if err := run(context.Background(), []string{"smslab"}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s=%s: error %v, want %q", bad.env, bad.value, err, bad.want)
		}
	}
	for _, args := range [][]string{{"-sync", "sometimes"}, {"-demo-speedup", "1e-12"}} {
		want := fmt.Sprintf("invalid value %q for flag %s: want", args[1], args[0])
		if err := run(context.Background(), append([]string{"smslab"}, args...), os.Getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: error %v, want %q", args, err, want)
		}
	}

	// A database that cannot be created stops start-up with the reason.
	missing := filepath.Join(t.TempDir(), "missing", "smslab.db")
	for path, want := range map[string]string{
		"/proc/smslab.db": "its directory /proc, where SQLite keeps smslab.db-wal and -shm, is read-only",
		missing:           "unable to open database file",
	} {
		err := run(context.Background(), []string{"smslab", "-addr", "127.0.0.1:0", "-db", path}, os.Getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "database "+path+": "+want) {
			t.Errorf("-db %s: %v", path, err)
		}
	}

	// A file that is not a database is named so, without the hint about the directory.
	textFile := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(textFile, []byte("not a database, but long enough to have a header of sorts\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"smslab", "-addr", "127.0.0.1:0", "-db", textFile}, os.Getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "file is not a database") || strings.Contains(err.Error(), "writable") {
		t.Errorf("-db of a text file: %v", err)
	}

	// A busy port fails at once, before the database is touched.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dbPath := filepath.Join(t.TempDir(), "busy.db")
	err = run(context.Background(), []string{"smslab", "-addr", ln.Addr().String(), "-db", dbPath}, os.Getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("busy port: %v", err)
	}
	if _, statErr := os.Stat(dbPath); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("a busy port still created the database")
	}
}

func TestRunRefusesADatabaseFromANewerSmslab(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "future.db")
	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", dbPath)
	s.stop()
	conn, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	err = run(context.Background(), []string{"smslab", "-addr", "127.0.0.1:0", "-db", dbPath}, os.Getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "newer than this smslab") {
		t.Errorf("newer database: %v", err)
	}
}

// A database file removed while smslab runs: the next write is refused with the reason, readyz
// says not ready, and the log says so once, where smslab kept answering 200 and lost every write.
func TestRunRefusesWritesOnceTheDatabaseFileIsGone(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "lab.db")
	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", dbPath)
	report := `{"subtask_name":"CREATE_CLOUD_SERVER","progress":40,"replicatesize":0,"totalsize":0,"process_trace":"creating"}`
	if status, body := s.do(t, "PUT", "/v3/tasks/"+progressTaskID+"/progress", report); status != http.StatusOK {
		t.Fatalf("report: %d %s", status, body)
	}
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	reason := "the task database is unavailable: the database file " + dbPath +
		" was removed while smslab ran, and what is written now would be lost: restart smslab"
	want := `{"error_code":"SMS.9003","error_msg":"` + reason + `"}`
	for range 2 {
		if status, body := s.do(t, "PUT", "/v3/tasks/"+progressTaskID+"/progress", report); status != http.StatusServiceUnavailable || string(body) != want {
			t.Errorf("report after the file was removed: %d %s\nwant 503 %s", status, body, want)
		}
	}
	if status, body := s.do(t, "GET", "/readyz", ""); status != http.StatusServiceUnavailable || string(body) != want {
		t.Errorf("readyz after the file was removed: %d %s", status, body)
	}
	if n := strings.Count(s.stderr.String(), "database file gone"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, s.stderr)
	}
}

// A read-only database is refused at start with what to change, and left as it was.
func TestRunRefusesAReadOnlyDatabase(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "lab.db")
	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", dbPath)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dbPath, 0o444); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"smslab", "-addr", "127.0.0.1:0", "-db", dbPath}, os.Getenv, io.Discard, io.Discard)
	want := "database " + dbPath + ": it is read-only (mode 0444): make it writable (chmod u+w " + dbPath + ") or use another database file"
	if err == nil || err.Error() != want {
		t.Errorf("run: %v\nwant %s", err, want)
	}
	left, _ := filepath.Glob(dbPath + "-*")
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// waitUntil checks cond every 10 ms until it holds, for at most timeout, and reports whether it
// came to hold.
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.After(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			return false
		case <-tick.C:
		}
	}
	return true
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// By default only failed requests are logged; -verbose logs every one.
func TestRunLogsRequests(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		env := map[string]string{}
		if verbose {
			env["SMSLAB_VERBOSE"] = "true"
		}
		s := startRun(t, env, "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "log.db"))
		s.list(t, "limit=1")
		s.do(t, "GET", "/v3/tasks?limit=999", "")
		s.stop()
		log := s.stderr.String()
		// A failure is logged with the SMS code and message the client was answered.
		failed := regexp.MustCompile(`msg=request method=GET path=/v3/tasks status=400 latency=\S+ request_id=[0-9a-f]{32} ` +
			`error_code=SMS.9001 error_msg="Invalid parameter: limit must be at most 200"\n`)
		if !failed.MatchString(log) {
			t.Errorf("verbose=%v: the failed request is not logged with its code and message:\n%s", verbose, log)
		}
		if got := strings.Contains(log, "status=200"); got != verbose {
			t.Errorf("verbose=%v: the successful request logged: %v\n%s", verbose, got, log)
		}
	}
}
