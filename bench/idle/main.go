// Command idle measures how often an idle smslab wakes up and how much CPU it uses while nobody
// talks to it, as a laptop on battery sees it. Linux only: it reads /proc.
//
//	go run ./bench/idle                 # build smslab, one minute on a new demo database
//	go run ./bench/idle -for 5m -bin ./smslab -- -sync full
//
// It starts smslab on loopback with a new database in a temporary directory, sends one
// ListTasks on a connection it then closes (so the server has served something and holds no
// connection), waits -settle for start-up's work to end, then counts over -for the context
// switches of every thread of the process (voluntary and involuntary, from
// /proc/PID/task/*/status: each is the thread going to sleep or being put off the CPU, so each
// wake-up costs at least one) and the CPU time it used (the threads' schedstat). It prints one
// Markdown table row for BENCHMARKS.md.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(1)
	}
}

func run() error {
	window := flag.Duration("for", time.Minute, "how long to measure")
	settle := flag.Duration("settle", 5*time.Second, "how long to wait after the first answer before measuring")
	bin := flag.String("bin", "", "the smslab binary to measure (default: go build . into a temporary directory)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./bench/idle [flags] [-- smslab flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if runtime.GOOS != "linux" {
		return errors.New("reads /proc: Linux only")
	}
	dir, err := os.MkdirTemp("", "smslab-idle")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *bin == "" {
		*bin = filepath.Join(dir, "smslab")
		if out, err := exec.Command("go", "build", "-o", *bin, ".").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	args := append([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "idle.db")}, flag.Args()...)
	cmd := exec.Command(*bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("smslab did not start: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	rest, ok := strings.CutPrefix(line, "smslab serving ")
	if !ok || len(strings.Fields(rest)) == 0 {
		return fmt.Errorf("unexpected first line %q", line)
	}
	url := strings.Fields(rest)[0]
	if err := firstAnswer(url); err != nil {
		return err
	}
	time.Sleep(*settle) // a benchmark, not a test: start-up's last work (a GC, the WAL) ends
	pid := cmd.Process.Pid
	before, err := sample(pid)
	if err != nil {
		return err
	}
	start := time.Now()
	time.Sleep(*window)
	after, err := sample(pid)
	if err != nil {
		return err
	}
	elapsed := time.Since(start).Seconds()
	switches := after.switches(before)
	cpu := after.cpu(before)
	fmt.Println("| smslab flags | window | context switches | per second | CPU time | share of a core |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	flags := strings.Join(flag.Args(), " ")
	if flags == "" {
		flags = "(none: a new demo database)"
	}
	fmt.Printf("| %s | %.0f s | %d | %.1f | %v | %.3f%% |\n", flags, elapsed, switches,
		float64(switches)/elapsed, cpu.Round(time.Microsecond), 100*cpu.Seconds()/elapsed)
	fmt.Fprintf(os.Stderr, "idle: %d threads at the end\n", len(after))
	return nil
}

// firstAnswer asks for one task on a connection that is closed afterwards.
func firstAnswer(url string) error {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url+"/v3/tasks?limit=1", nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", "idle")
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("first ListTasks: status %d", resp.StatusCode)
	}
	return nil
}

// threadStats are a thread's counters: context switches and nanoseconds on a CPU.
type threadStats struct {
	switches int64
	cpuNanos int64
}

// snapshot holds every thread's counters at one moment, by thread id.
type snapshot map[string]threadStats

// switches is how many context switches the process's threads made since before; a thread
// started meanwhile counts from zero.
func (s snapshot) switches(before snapshot) int64 {
	var n int64
	for tid, now := range s {
		n += now.switches - before[tid].switches
	}
	return n
}

func (s snapshot) cpu(before snapshot) time.Duration {
	var n int64
	for tid, now := range s {
		n += now.cpuNanos - before[tid].cpuNanos
	}
	return time.Duration(n)
}

func sample(pid int) (snapshot, error) {
	taskDir := fmt.Sprintf("/proc/%d/task", pid)
	entries, err := os.ReadDir(taskDir)
	if err != nil {
		return nil, err
	}
	snap := snapshot{}
	for _, e := range entries {
		status, err := os.ReadFile(filepath.Join(taskDir, e.Name(), "status"))
		if err != nil {
			continue // the thread ended
		}
		var st threadStats
		sc := bufio.NewScanner(bytes.NewReader(status))
		for sc.Scan() {
			name, value, ok := strings.Cut(sc.Text(), ":")
			if ok && (name == "voluntary_ctxt_switches" || name == "nonvoluntary_ctxt_switches") {
				n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				st.switches += n
			}
		}
		// schedstat: time on a CPU (ns), time waiting for one, time slices.
		sched, err := os.ReadFile(filepath.Join(taskDir, e.Name(), "schedstat"))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(sched)); len(f) > 0 {
			if st.cpuNanos, err = strconv.ParseInt(f[0], 10, 64); err != nil {
				return nil, fmt.Errorf("schedstat: %w", err)
			}
		}
		snap[e.Name()] = st
	}
	return snap, nil
}
