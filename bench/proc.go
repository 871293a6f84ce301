package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a server process under test: smslab or the no-op ceiling.
type server struct {
	cmd  *exec.Cmd
	addr string
	// ready is the time from starting the process to its first answer.
	ready  time.Duration
	exited chan struct{}
	err    error // the process's exit, once exited is closed
	log    *os.File
}

// banner finds the line a server prints when it serves, and the address in it.
type banner struct {
	prefix string
	mu     sync.Mutex
	buf    []byte
	found  chan string
	done   bool
}

func (b *banner) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	for {
		line, rest, ok := bytes.Cut(b.buf, []byte("\n"))
		if !ok {
			return len(p), nil
		}
		b.buf = rest
		if after, ok := strings.CutPrefix(string(line), b.prefix); ok {
			addr, _, _ := strings.Cut(strings.TrimPrefix(after, "http://"), " ")
			b.done = true
			b.found <- addr
			return len(p), nil
		}
	}
}

// startServer starts bin with args, which must make it listen on a free port and print a line
// starting with prefix and then http://ADDR. It returns once the server has answered a first
// ListTasks request; server.ready is the time that took from the start of the process. The
// server's standard error goes to logPath.
func startServer(ctx context.Context, bin string, args []string, prefix, logPath, tokenHeader, token string) (*server, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	b := &banner{prefix: prefix, found: make(chan string, 1)}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = b
	cmd.Stderr = log
	s := &server{cmd: cmd, exited: make(chan struct{}), log: log}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	select {
	case s.addr = <-b.found:
	case <-s.exited:
		log.Close()
		return nil, fmt.Errorf("%s exited before serving (%v); see %s", bin, s.err, logPath)
	case <-time.After(60 * time.Second):
		s.kill()
		return nil, fmt.Errorf("%s did not start within a minute; see %s", bin, logPath)
	case <-ctx.Done():
		s.kill()
		return nil, ctx.Err()
	}
	if _, err := firstAnswer(ctx, s.addr, tokenHeader, token); err != nil {
		s.kill()
		return nil, fmt.Errorf("%s: first request: %w; see %s", bin, err, logPath)
	}
	s.ready = time.Since(started)
	return s, nil
}

// firstAnswer sends GET /v3/tasks?limit=1 on a new connection and returns the body of the
// answer, which must be a 200.
func firstAnswer(ctx context.Context, addr, tokenHeader, token string) ([]byte, error) {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	return getBody(ctx, &http.Client{Transport: tr, Timeout: 30 * time.Second},
		"http://"+addr+"/v3/tasks?limit=1", tokenHeader, token)
}

func getBody(ctx context.Context, c *http.Client, url, tokenHeader, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if tokenHeader != "" {
		req.Header.Set(tokenHeader, token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d: %.200s", url, resp.StatusCode, body)
	}
	return body, nil
}

// stop asks the server to shut down and kills it if it has not within a bound.
func (s *server) stop() error {
	defer s.log.Close()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.exited:
		return s.err
	case <-time.After(20 * time.Second):
		s.kill()
		return errors.New("did not stop within 20 s of SIGTERM; killed")
	}
}

// kill kills the server at once, as a crash would, and waits for it to be gone.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
	s.log.Close()
}

// memory returns the server's resident set now and its peak so far (VmRSS, VmHWM), in bytes.
func (s *server) memory() (rss, peak int64, err error) {
	return memoryOf(strconv.Itoa(s.cmd.Process.Pid))
}

// memoryOf returns the resident set now and the peak so far of a process (a pid, or "self").
func memoryOf(pid string) (rss, peak int64, err error) {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak, nil
}

// sampleMemory samples the server's resident set every 100 ms until stop is closed, and returns
// the largest sample and the peak the kernel recorded (VmHWM) as last seen.
func (s *server) sampleMemory(stop <-chan struct{}) (result func() (maxRSS, peak int64)) {
	var mu sync.Mutex
	var maxRSS, peak int64
	sample := func() {
		if rss, hwm, err := s.memory(); err == nil {
			mu.Lock()
			maxRSS, peak = max(maxRSS, rss), max(peak, hwm)
			mu.Unlock()
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	return func() (int64, int64) {
		<-done
		sample()
		mu.Lock()
		defer mu.Unlock()
		return maxRSS, peak
	}
}

// clockTicks is the unit of CPU times in /proc (USER_HZ), 100 on every Linux platform Go supports.
const clockTicks = 100

// cpuSample is the CPU time used so far by the machine, the load generator and the server, in
// clock ticks.
type cpuSample struct {
	busy, self, server int64
}

// sampleCPU reads the CPU times; a value it cannot read stays 0.
func sampleCPU(serverPID int) cpuSample {
	var s cpuSample
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		if f := strings.Fields(line); len(f) > 8 && f[0] == "cpu" {
			// user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
			for _, i := range []int{1, 2, 3, 6, 7, 8} {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				s.busy += n
			}
		}
	}
	s.self = processTicks("self")
	s.server = processTicks(strconv.Itoa(serverPID))
	return s
}

// processTicks is the user and system time of a process and its threads.
func processTicks(pid string) int64 {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

// cpuUse is the CPU used over a window, in cores.
type cpuUse struct {
	server, generator, other float64
}

func cpuBetween(a, b cpuSample, window time.Duration) cpuUse {
	cores := func(ticks int64) float64 { return float64(ticks) / clockTicks / window.Seconds() }
	return cpuUse{
		server:    cores(b.server - a.server),
		generator: cores(b.self - a.self),
		other:     max(0, cores((b.busy-a.busy)-(b.server-a.server)-(b.self-a.self))),
	}
}

// waitQuiet waits, at most limit, until other processes have used less than noisyCores for a
// second, so that a scenario does not start while something else loads the machine. It reports
// whether the machine was quiet.
func waitQuiet(ctx context.Context, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	quiet := 0
	prev := sampleCPU(0)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		now := sampleCPU(0)
		if cpuBetween(prev, now, 500*time.Millisecond).other < noisyCores {
			if quiet++; quiet == 2 {
				return true
			}
		} else {
			quiet = 0
		}
		prev = now
	}
	return false
}
