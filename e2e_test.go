package main

// Tests of the real binary: what must hold when the process is killed, stopped, starved of disk
// or kept waiting by slow clients. They build smslab once per test run; -short skips them.

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/lifecycle"
	"smslab/sms"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// smslabBinary builds the server once per test run.
func smslabBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the real binary; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "smslab-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "smslab")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a running smslab binary.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	exited chan error
}

// startBinary starts smslab with args (prefixed by wrap, e.g. prlimit) and waits until it serves.
func startBinary(t *testing.T, wrap []string, args ...string) *process {
	t.Helper()
	bin := smslabBinary(t)
	argv := append(append(wrap, bin, "-addr", "127.0.0.1:0"), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if m := servingLine.FindStringSubmatch(line); err != nil || m == nil {
		t.Fatalf("smslab did not start: %q %v\nstderr: %s", line, err, p.stderr)
	}
	go io.Copy(io.Discard, stdout)
	p.url = servingLine.FindStringSubmatch(line)[1]
	return p
}

// kill sends sig and waits for the process to end.
func (p *process) kill(t *testing.T, sig os.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("smslab still running 30 s after %v", sig)
		return nil
	}
}

func (p *process) list(t *testing.T) map[string]sms.Task {
	t.Helper()
	s := &server{url: p.url}
	tasks := map[string]sms.Task{}
	for offset := 0; ; offset += 200 {
		page := s.list(t, "limit=200&offset="+strconv.Itoa(offset))
		for _, task := range page.Tasks {
			tasks[*task.ID] = task
		}
		if len(page.Tasks) < 200 {
			return tasks
		}
	}
}

// integrityCheck opens the file on its own and asks SQLite to check it.
func integrityCheck(t *testing.T, dbPath string) {
	t.Helper()
	conn, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var result string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Errorf("integrity_check: %q %v", result, err)
	}
}

// crashSeed writes a seed file of n READY Linux file tasks named crash-<i>.
func crashSeed(t *testing.T, n int) string {
	t.Helper()
	var tasks []string
	for i := range n {
		tasks = append(tasks, fmt.Sprintf(`{"id":"crash-%02d","name":"crash-%02d","state":"READY","type":"MIGRATE_FILE","os_type":"LINUX","create_date":%d}`, i, i, 1795000000000+i))
	}
	path := filepath.Join(t.TempDir(), "crash.json")
	writeFile(t, path, `{"tasks":[`+strings.Join(tasks, ",")+`]}`)
	return path
}

// linuxFileSubTasks are the sub-tasks the crash seed's tasks run, in order.
var linuxFileSubTasks = func() []string {
	seq, err := lifecycle.SequenceFor("MIGRATE_FILE", "LINUX", false)
	if err != nil {
		panic(err)
	}
	return seq.Migration
}()

// acked is what smslab answered 200 for, per task: the progress of each sub-task and the last
// update, whose name says which priority went with it; and per source server, the memory its
// last registration reported, which grows with each.
type acked struct {
	mu       sync.Mutex
	progress map[string]map[string]int32 // task -> sub-task -> progress
	update   map[string]int              // task -> update number
	register map[string]int              // source -> memory registered
}

// TestKillDuringLoadLosesNoAcknowledgedWrite drives 32 clients of progress reports, updates and
// source registrations,
// kills smslab with SIGKILL mid-load, restarts it on the same file and checks that every answered
// write is there (or a later one), whole, and that SQLite finds the file sound. Three rounds.
func TestKillDuringLoadLosesNoAcknowledgedWrite(t *testing.T) {
	const clients, tasksPerClient, rounds = 32, 2, 3
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	seedFile := crashSeed(t, clients*tasksPerClient)
	ack := &acked{progress: map[string]map[string]int32{}, update: map[string]int{}, register: map[string]int{}}
	next := map[string]struct {
		sub    int
		prog   int32
		update int
	}{}
	registered := map[string]int{} // source -> the memory its next registration reports

	args := []string{"-db", dbPath, "-seed", seedFile}
	for round := range rounds {
		p := startBinary(t, nil, args...)
		args = []string{"-db", dbPath} // later rounds restart on what is there
		if round > 0 {
			checkAcked(t, p, ack)
		}

		var killed atomic.Bool
		var wg sync.WaitGroup
		var nextMu sync.Mutex
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
		var answered atomic.Int64
		// The kill comes after a random number of answered writes, so that it strikes the
		// load at a different point each round.
		killAt, reached := 500+rand.Int64N(2500), make(chan struct{})
		for c := range clients {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(c)))
				for i := 0; !killed.Load(); i++ {
					taskID := fmt.Sprintf("crash-%02d", c+clients*(i%tasksPerClient))
					nextMu.Lock()
					n := next[taskID]
					nextMu.Unlock()
					var method, path, body string
					source := fmt.Sprintf("crash-src-%02d", c)
					if i%8 == 5 {
						// Registrations run the same committer: each reports more memory.
						nextMu.Lock()
						registered[source]++
						n.update = registered[source] // carried to the ack below
						nextMu.Unlock()
						method, path = "POST", "/v3/sources"
						body = fmt.Sprintf(`{"id":%q,"name":%q,"ip":"10.99.0.%d","os_type":"LINUX","os_version":"x","memory":%d}`,
							source, source, c, n.update)
					} else if i%4 == 3 {
						n.update++
						method, path = "PUT", "/v3/tasks/"+taskID
						body = fmt.Sprintf(`{"name":"crash-%s-u%d-p%d","priority":%d}`, taskID, n.update, n.update%3, n.update%3)
					} else {
						// Walk the sub-tasks up to the one before the last, which would end
						// the migration (a finished task takes no more reports), and stay
						// there: progress never goes back, so an unanswered write that was
						// stored cannot undercut an answered one.
						if n.prog >= 100 && n.sub < len(linuxFileSubTasks)-2 {
							n.sub, n.prog = n.sub+1, 0
						}
						n.prog = min(100, n.prog+1+rng.Int32N(20))
						method, path = "PUT", "/v3/tasks/"+taskID+"/progress"
						body = fmt.Sprintf(`{"subtask_name":%q,"progress":%d,"replicatesize":%d,"totalsize":100,"process_trace":"r%d"}`,
							linuxFileSubTasks[n.sub], n.prog, n.prog, round)
					}
					req, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
					req.Header.Set("X-Auth-Token", "crash")
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						if !killed.Load() {
							t.Errorf("request failed before the kill: %v", err)
						}
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Errorf("%s %s: status %d", method, path, resp.StatusCode)
						return
					}
					if answered.Add(1) == killAt {
						close(reached)
					}
					ack.mu.Lock()
					if path == "/v3/sources" {
						ack.register[source] = n.update
						ack.mu.Unlock()
						continue
					}
					if strings.HasSuffix(path, "/progress") {
						if ack.progress[taskID] == nil {
							ack.progress[taskID] = map[string]int32{}
						}
						ack.progress[taskID][linuxFileSubTasks[n.sub]] = n.prog
					} else {
						ack.update[taskID] = n.update
					}
					ack.mu.Unlock()
					nextMu.Lock()
					next[taskID] = n
					nextMu.Unlock()
				}
			})
		}
		select {
		case <-reached:
		case <-time.After(time.Minute):
			t.Errorf("round %d: %d writes answered in a minute, want %d before the kill", round, answered.Load(), killAt)
		}
		killed.Store(true)
		p.kill(t, syscall.SIGKILL)
		wg.Wait()
		client.CloseIdleConnections()
		t.Logf("round %d: %d writes answered before SIGKILL", round, answered.Load())
		if answered.Load() == 0 {
			t.Fatal("no write was answered before the kill")
		}
	}
	p := startBinary(t, nil, "-db", dbPath)
	checkAcked(t, p, ack)
	if err := p.kill(t, syscall.SIGTERM); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	integrityCheck(t, dbPath)
}

// checkAcked fails for every answered write that the restarted server does not show.
func checkAcked(t *testing.T, p *process, ack *acked) {
	t.Helper()
	tasks := p.list(t)
	ack.mu.Lock()
	defer ack.mu.Unlock()
	s := &server{url: p.url}
	for id, want := range ack.register {
		status, body := s.do(t, "GET", "/v3/sources/"+id, "")
		var src sms.Source
		if err := json.Unmarshal(body, &src); status != http.StatusOK || err != nil {
			t.Errorf("source %s after restart: %d %v %.200s", id, status, err, body)
			continue
		}
		if src.Memory == nil || int(*src.Memory) < want {
			t.Errorf("source %s: memory %v after restart, the registration reporting %d was acknowledged", id, show(src.Memory), want)
		}
	}
	for taskID, subs := range ack.progress {
		got := map[string]int32{}
		for _, st := range tasks[taskID].SubTasks {
			got[*st.Name] = *st.Progress
		}
		for name, want := range subs {
			if g, ok := got[name]; !ok || g < want {
				t.Errorf("%s %s: progress %d after restart, %d was acknowledged", taskID, name, g, want)
			}
		}
	}
	for taskID, want := range ack.update {
		task := tasks[taskID]
		var n, p int
		if _, err := fmt.Sscanf(strings.TrimPrefix(*task.Name, "crash-"+taskID+"-"), "u%d-p%d", &n, &p); err != nil || n < want {
			t.Errorf("%s: name %q after restart, update %d was acknowledged", taskID, *task.Name, want)
			continue
		}
		if task.Priority == nil || int(*task.Priority) != p {
			t.Errorf("%s: name %q with priority %v: half an update", taskID, *task.Name, show(task.Priority))
		}
	}
}

func show[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestSIGTERMFinishesInFlightAndClosesCleanly stops smslab while a request is half sent: it must
// stop accepting, finish that request, close the database with no WAL left to recover, and exit 0.
func TestSIGTERMFinishesInFlightAndClosesCleanly(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "term.db")
	p := startBinary(t, nil, "-db", dbPath)
	addr := strings.TrimPrefix(p.url, "http://")

	body := `{"subtask_name":"SSL_CONFIG","progress":30,"replicatesize":1,"totalsize":2,"process_trace":"in flight"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The server answers 100 Continue once the handler starts reading the body: from then on
	// the request is in flight, and the server has it.
	fmt.Fprintf(conn, "PUT /v3/tasks/%s/progress HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		progressTaskID, addr, len(body))
	answers := bufio.NewReader(conn)
	if interim, err := http.ReadResponse(answers, nil); err != nil || interim.StatusCode != http.StatusContinue {
		t.Fatalf("before the body: %v %v, want 100 Continue", interim, err)
	}
	io.WriteString(conn, body[:20])

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	refused := waitUntil(time.Second, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if !refused {
		t.Error("still accepting connections after SIGTERM")
	}

	io.WriteString(conn, body[20:])
	resp, err := http.ReadResponse(answers, nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the request in flight: status %d", resp.StatusCode)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("exit: %v, want status 0\n%s", err, p.stderr)
		}
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("smslab did not exit after SIGTERM")
	}
	if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("WAL of %d bytes left behind", fi.Size())
	}
	integrityCheck(t, dbPath)
	p = startBinary(t, nil, "-db", dbPath)
	task := p.list(t)[progressTaskID]
	if len(task.SubTasks) != 1 || *task.SubTasks[0].ProcessTrace != "in flight" {
		t.Errorf("the request finished during shutdown is not stored: %+v", task.SubTasks)
	}
}

// TestSlowClientsAreCutOff holds a connection open with half a header: the server drops it once
// ReadHeaderTimeout passes, and keeps serving others meanwhile.
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel() // it waits out ReadHeaderTimeout (5 s): let other tests go meanwhile
	p := startBinary(t, nil, "-db", filepath.Join(t.TempDir(), "slow.db"))
	addr := strings.TrimPrefix(p.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /v3/tasks HTTP/1.1\r\nHost: x\r\nX-Auth-")
	if n := len((&server{url: p.url}).list(t, "limit=1").Tasks); n != 1 {
		t.Errorf("others are not served while a client stalls: %d tasks", n)
	}
	conn.SetReadDeadline(time.Now().Add(newHTTPServer(nil, slog.New(slog.DiscardHandler)).ReadHeaderTimeout + 10*time.Second))
	_, err = io.ReadAll(conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Error("the stalled connection was not closed by the server")
	}
}

// TestFullDiskRefusesWritesWithoutLosingAnswered runs smslab with a file size limit (prlimit):
// once the database cannot grow, writes get 503 and nothing answered 200 is lost.
func TestFullDiskRefusesWritesWithoutLosingAnswered(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("prlimit (util-linux) is missing")
		}
		t.Skip("prlimit (util-linux) is missing")
	}
	dbPath := filepath.Join(t.TempDir(), "full.db")
	p := startBinary(t, []string{prlimit, "--fsize=700000"}, "-db", dbPath)
	s := &server{url: p.url}
	ids := []string{}
	for id := range p.list(t) {
		ids = append(ids, id)
	}
	trace := strings.Repeat("t", 2000)
	answered := map[string]string{} // task -> name of its last update answered 200
	refused := 0
	for i := 0; i < 400 && refused < 5; i++ {
		id := ids[i%len(ids)]
		name := fmt.Sprintf("full-%d", i)
		status, body := s.do(t, "PUT", "/v3/tasks/"+id,
			fmt.Sprintf(`{"name":%q,"sub_tasks":[{"progress":1,"process_trace":%q},{"progress":2,"process_trace":%q}]}`, name, trace, trace+name))
		switch status {
		case http.StatusOK:
			answered[id] = name
		case http.StatusServiceUnavailable:
			refused++
			if !strings.Contains(string(body), `"error_code":"SMS.9003"`) {
				t.Errorf("503 body %s", body)
			}
		default:
			t.Fatalf("status %d: %s", status, body)
		}
	}
	if refused == 0 {
		t.Fatal("the file size limit was never reached")
	}
	if status, _ := s.do(t, "GET", "/readyz", ""); status != http.StatusOK && status != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a full disk: %d", status)
	}
	p.kill(t, syscall.SIGKILL)

	p = startBinary(t, nil, "-db", dbPath)
	tasks := p.list(t)
	for id, name := range answered {
		if got := *tasks[id].Name; got != name {
			t.Errorf("%s: name %q after restart, %q was answered 200", id, got, name)
		}
	}
	p.kill(t, syscall.SIGTERM)
	integrityCheck(t, dbPath)
}
