package main

// Tests of the real binary for the limits that keep smslab serving under abuse: memory held by
// request bodies, connections, and requests already sent when it is stopped. -short skips them.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"smslab/conns"
)

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// A hundred clients sending 12 MiB bodies at once keep the server under 256 MB: refused on their
// credentials before the body is read (strict mode, a wrong token), or taken a few at a time
// within the bytes set aside for bodies (open mode, any token; the bodies are decoded, then
// refused for a name over 255 characters).
func TestBodiesInFlightKeepMemoryBounded(t *testing.T) {
	const clients, maxRSS = 100, 256 << 20
	body := []byte(`{"name":"` + strings.Repeat("n", 12<<20-len(`{"name":""}`)) + `"}`)
	for _, tt := range []struct {
		name, token string
		args        []string
		want        int
	}{
		{"strict mode, wrong token", "wrong", []string{"-tokens", "lab-token"}, http.StatusUnauthorized},
		{"open mode, any token", "any", nil, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := startBinary(t, nil, append([]string{"-db", filepath.Join(t.TempDir(), "mem.db")}, tt.args...)...)
			tr := &http.Transport{MaxIdleConnsPerHost: clients}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}

			var mu sync.Mutex
			answers := map[int]int{}
			var failures []error
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					req, err := http.NewRequest(http.MethodPut, p.url+"/v3/tasks/"+progressTaskID, bytes.NewReader(body))
					if err != nil {
						panic(err)
					}
					req.Header.Set("X-Auth-Token", tt.token)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						failures = append(failures, err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					answers[resp.StatusCode]++
				})
			}
			wg.Wait()
			rss := peakRSS(t, p.cmd.Process.Pid)
			t.Logf("peak RSS %d MB; answers %v; %d transport errors", rss>>20, answers, len(failures))
			if rss > maxRSS {
				t.Errorf("peak RSS %d MB, want under %d MB", rss>>20, maxRSS>>20)
			}
			if answers[tt.want] == 0 {
				t.Errorf("no answer %d among %v", tt.want, answers)
			}
			for status := range answers {
				if status != tt.want && status != http.StatusServiceUnavailable {
					t.Errorf("answered %d", status)
				}
			}
			for _, err := range failures {
				if !errors.Is(err, io.EOF) && !isReset(err) {
					t.Errorf("transport error: %v", err)
				}
			}
		})
	}
}

// isReset reports whether err is a connection reset or a write to a connection the server closed.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// A flood of idle keep-alive connections cannot lock new clients out: with 256 descriptors
// (prlimit), smslab keeps fewer connections than that and closes the quietest to admit a new one,
// where it used to run out of descriptors and leave new clients waiting.
func TestConnectionFloodLeavesNewClientsServed(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("prlimit (util-linux) is missing")
		}
		t.Skip("prlimit (util-linux) is missing")
	}
	const nofile, flood = 256, 400
	p := startBinary(t, []string{prlimit, fmt.Sprintf("--nofile=%d:%d", nofile, nofile)},
		"-db", filepath.Join(t.TempDir(), "flood.db"))
	addr := strings.TrimPrefix(p.url, "http://")

	// Each flooding connection sends one request and stays open, idle.
	var open []net.Conn
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	answered := 0
	for range flood {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("after %d connections: %v", len(open), err)
		}
		open = append(open, c)
		c.SetDeadline(time.Now().Add(2 * time.Second))
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Logf("connection %d got no answer: %v", len(open), err)
			break
		}
		resp.Body.Close()
		answered++
	}
	if answered < flood {
		t.Errorf("%d of %d flooding connections answered", answered, flood)
	}

	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(p.url + "/readyz")
	if err != nil {
		t.Fatalf("a new client after %d idle connections: %v", len(open), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a new client: status %d", resp.StatusCode)
	}

	closed := 0 // by the server, to make room
	for _, c := range open {
		c.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); errors.Is(err, io.EOF) || isReset(err) {
			closed++
		}
	}
	if max := conns.Max(nofile); closed < flood-max {
		t.Errorf("%d idle connections closed by the server, want at least %d (it keeps %d)", closed, flood-max, max)
	}
	if !strings.Contains(p.stderr.String(), "connections at their maximum") {
		t.Errorf("the log does not say the connections reached their maximum:\n%s", p.stderr)
	}
}

// Stopped while many clients send on keep-alive connections, smslab answers every request a
// client has sent, the last one on each connection with Connection: close, and resets none: it
// used to close connections it saw idle under requests already on their way.
func TestSIGTERMAnswersEveryRequestSentOnKeepAlive(t *testing.T) {
	const clients, before = 32, 20 // before: requests each client has answered when SIGTERM comes
	p := startBinary(t, nil, "-db", filepath.Join(t.TempDir(), "keepalive.db"))
	addr := strings.TrimPrefix(p.url, "http://")
	body := `{"subtask_name":"SSL_CONFIG","progress":30,"replicatesize":1,"totalsize":2,"process_trace":"kept alive"}`
	requests := []string{
		fmt.Sprintf("PUT /v3/tasks/%s/progress HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			progressTaskID, addr, len(body), body),
		fmt.Sprintf("GET /v3/tasks?limit=1 HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: t\r\n\r\n", addr),
	}

	type outcome struct {
		answered int
		closed   bool  // the last answer said Connection: close
		err      error // a request sent and not answered
	}
	outcomes := make(chan outcome, clients)
	ready := make(chan struct{}, clients)
	for i := range clients {
		go func() {
			var o outcome
			defer func() { outcomes <- o }()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				o.err = err
				ready <- struct{}{}
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			answers := bufio.NewReader(c)
			for {
				if _, err := io.WriteString(c, requests[(i+o.answered)%len(requests)]); err != nil {
					o.err = fmt.Errorf("request %d: write: %w", o.answered+1, err)
					return
				}
				resp, err := http.ReadResponse(answers, nil)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil {
					o.err = fmt.Errorf("request %d: %w", o.answered+1, err)
					return
				}
				if resp.StatusCode != http.StatusOK {
					o.err = fmt.Errorf("request %d: status %d", o.answered+1, resp.StatusCode)
					return
				}
				if o.answered++; o.answered == before {
					ready <- struct{}{}
				}
				if resp.Close {
					o.closed = true
					return
				}
			}
		}()
	}
	for range clients {
		<-ready
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	total := 0
	for range clients {
		o := <-outcomes
		total += o.answered
		switch {
		case o.err != nil:
			t.Errorf("after %d answers: %v", o.answered, o.err)
		case !o.closed:
			t.Errorf("after %d answers the connection ended without Connection: close", o.answered)
		}
	}
	t.Logf("%d requests answered", total)
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("exit: %v\n%s", err, p.stderr)
		}
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("smslab did not exit after SIGTERM")
	}
}
