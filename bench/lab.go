package main

// The lab scenario: a lab rehearsed the way smslab is used, N simulated agents (package agent,
// what `smslab agent` runs) reporting on N running tasks at their own pace against the real
// server, rather than a closed loop of synthetic reports.

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"smslab/agent"
)

// labConfig is the lab scenario's settings.
type labConfig struct {
	agents   []int
	speedup  float64
	interval time.Duration
	// warmup lets every agent send its first report (each starts within 10 simulated seconds)
	// before the window opens.
	warmup time.Duration
	runs   int
	// connections is how many connections the agents share.
	connections int
	// poll is the simulated time between an agent's polls for a command; 0 leaves the command
	// channel out (reports only, as the lab was first measured).
	poll time.Duration
	// agentMemLimit, if not 0, is the soft heap limit the agents run under, in bytes.
	agentMemLimit int64
	// idleConns is how many more connections the benchmark holds open to the server during the
	// run, idle between two requests, as a lab with an agent per connection would: the agents
	// themselves open only as many as they have requests in flight.
	idleConns int
	// profileDir, if set, receives a CPU profile of the server and one of the agents per run,
	// taken over the measured window.
	profileDir string
}

// labGrace is how long after the window a report due in it may still be answered and count as
// delivered.
const labGrace = time.Second

// labResult is one run of the lab scenario.
type labResult struct {
	agents          int
	asked           int // reports due in the window by the agents' schedules
	delivered       int // reports the server answered 200 in the window
	failed          int // reports that failed (after the agent's retries) in the window
	errSample       []string
	latencies       []time.Duration
	delays          []time.Duration // from when a report was due to its answer
	window          time.Duration
	server, agentsC float64 // CPU seconds in the window
	other           float64 // cores other processes used
	serverPeak      int64
	agentsPeak      int64
}

// runLab measures the lab scenario once for n agents.
func runLab(ctx context.Context, cfg config, bin, tmp, dbPath string, n, try int) (*labResult, error) {
	lc := cfg.lab
	runDB := filepath.Join(tmp, "lab.db")
	if err := copyFile(dbPath, runDB); err != nil {
		return nil, err
	}
	args := []string{"-addr", "127.0.0.1:0", "-db", runDB}
	var pprofAddr string
	if lc.profileDir != "" {
		var err error
		if pprofAddr, err = freePort(); err != nil {
			return nil, err
		}
		args = append(args, "-pprof", pprofAddr)
	}
	if cfg.waitQuiet > 0 && !waitQuiet(ctx, cfg.waitQuiet) {
		fmt.Fprintf(cfg.log, "bench: other processes keep the CPU busy; measuring anyway\n")
	}
	srv, err := startServer(ctx, bin, args, "smslab serving ", filepath.Join(tmp, "smslab.log"), cfg.tokenHeader, cfg.token)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	if _, err := serverCounts(ctx, target{addr: srv.addr, tokenHeader: cfg.tokenHeader, token: cfg.token}, n); err != nil {
		return nil, err
	}
	asked := reportsDue(population{n: n, lab: true}, lc, cfg.duration)

	// The agents' peak is this process's from here on: what the database generation and the
	// earlier runs took is given back and forgotten.
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		fmt.Fprintf(cfg.log, "bench: cannot reset the peak RSS (%v); the agents' peak includes the benchmark's\n", err)
	}
	if lc.agentMemLimit > 0 {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(lc.agentMemLimit))
	}

	res := &labResult{agents: n, asked: asked, window: cfg.duration}
	var mu sync.Mutex
	var from, to time.Time // the window, once the agents have started
	started := make(chan time.Time, 1)
	// No Until: agents that stop there ask for their task's state, thousands of listings in
	// the window's last interval. The run ends when the window does.
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	acfg := agent.Config{
		Server: "http://" + srv.addr, Credentials: agent.Credentials{Token: cfg.token},
		Tasks: agent.Selection{All: true}, Speedup: lc.speedup, Seed: 1, Interval: lc.interval, Connections: lc.connections,
		Poll: lc.poll, ReportsOnly: lc.poll == 0,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), // formatted as `smslab agent` does, not kept
		Started: func(start time.Time, agents int) {
			mu.Lock()
			from, to = start.Add(lc.warmup), start.Add(lc.warmup+cfg.duration)
			mu.Unlock()
			started <- start
		},
		Reported: func(due time.Time, took time.Duration, err error) {
			now := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if due.Before(from) || !due.Before(to) {
				return
			}
			if err != nil {
				if res.failed++; len(res.errSample) < 3 {
					res.errSample = append(res.errSample, err.Error())
				}
				return
			}
			res.delivered++
			res.latencies = append(res.latencies, took)
			res.delays = append(res.delays, now.Sub(due))
		},
	}
	held, err := holdConnections(srv.addr, cfg, lc.idleConns)
	if err != nil {
		return nil, err
	}
	defer held()
	stopSampling := make(chan struct{})
	memory := srv.sampleMemory(stopSampling)
	var cpuFrom, cpuTo cpuSample
	var serverProfile []byte
	var profileErr error
	windowDone := make(chan struct{})
	go func() {
		defer close(windowDone)
		var start time.Time
		select {
		case start = <-started:
		case <-actx.Done():
			return
		}
		if !sleepUntil(actx, start.Add(lc.warmup)) {
			return
		}
		cpuFrom = sampleCPU(srv.cmd.Process.Pid)
		var profiled sync.WaitGroup
		if lc.profileDir != "" {
			name := filepath.Join(lc.profileDir, fmt.Sprintf("agents-%d-%d.pprof", n, try))
			if f, err := os.Create(name); err == nil {
				if err := pprof.StartCPUProfile(f); err == nil {
					defer func() { pprof.StopCPUProfile(); f.Close() }()
				}
			}
			profiled.Go(func() {
				u := "http://" + pprofAddr + "/debug/pprof/profile?seconds=" + strconv.Itoa(int(cfg.duration.Seconds()))
				serverProfile, profileErr = getBody(actx, &http.Client{}, u, "", "")
			})
		}
		sleepUntil(actx, start.Add(lc.warmup+cfg.duration))
		cpuTo = sampleCPU(srv.cmd.Process.Pid)
		profiled.Wait()
		// Reports due just before the end have a grace period to be answered.
		sleepUntil(actx, start.Add(lc.warmup+cfg.duration+labGrace))
		cancel()
	}()
	if _, err := agent.Run(actx, acfg); err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	<-windowDone
	close(stopSampling)
	_, res.serverPeak = memory()
	res.agentsPeak = selfPeak()
	if res.failed > 0 {
		fmt.Fprintf(cfg.log, "bench: lab: %d reports failed, e.g. %s\n", res.failed, strings.Join(res.errSample, "; "))
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if cpuTo == (cpuSample{}) {
		return nil, fmt.Errorf("the agents stopped before the window ended")
	}
	ticks := func(t int64) float64 { return float64(t) / clockTicks }
	res.server, res.agentsC = ticks(cpuTo.server-cpuFrom.server), ticks(cpuTo.self-cpuFrom.self)
	res.other = cpuBetween(cpuFrom, cpuTo, cfg.duration).other
	if lc.profileDir != "" {
		if profileErr != nil {
			return nil, fmt.Errorf("server profile: %w", profileErr)
		}
		if err := os.WriteFile(filepath.Join(lc.profileDir, fmt.Sprintf("server-%d-%d.pprof", n, try)), serverProfile, 0o644); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// reportsDue counts the progress reports the agents of the population are due to send in the
// window after the warm-up, by the same simulations their agents run (the seed is the
// benchmark's, 1).
func reportsDue(pop population, lc labConfig, window time.Duration) int {
	from := time.Duration(float64(lc.warmup) * lc.speedup)
	to := from + time.Duration(float64(window)*lc.speedup)
	due := 0
	for _, i := range pop.indices() {
		sim, err := agent.NewSim(agent.TaskFrom(taskAt(i)), agent.SimConfig{Seed: 1, Interval: lc.interval})
		if err != nil {
			continue // a task whose agent would skip it
		}
		for {
			ev, ok := sim.Next()
			if !ok || ev.At >= to {
				break
			}
			if ev.Report != nil && ev.At >= from && ev.At < to {
				due++
			}
		}
	}
	return due
}

// sleepUntil waits until t or until ctx is done, and reports whether it reached t.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// freePort returns a loopback address with a port free just now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// selfPeak is this process's peak resident set (VmHWM) in bytes, or 0 if unknown.
func selfPeak() int64 {
	_, peak, _ := memoryOf("self")
	return peak
}

// writeLab prints the lab scenario's table.
func writeLab(w io.Writer, cfg config, results []*labResult) {
	lc := cfg.lab
	fmt.Fprintf(w, "\n### Lab: simulated agents\n\n")
	fmt.Fprintf(w, "Each agent reports on its own RUNNING task every %s of simulated time at speed-up %g, the agents sharing %d connections, the benchmark holding %d more idle (%s warm-up, then %s measured); "+
		"asked is what the agents' schedules hold for the window, delivered those the server answered 200 by %s after it; "+
		"p50 and p99 time the request, p99 late from when the report was due to its answer. "+
		"The agents run in the benchmark's process, with a soft heap limit of %s.\n\n",
		lc.interval, lc.speedup, lc.connections, lc.idleConns, lc.warmup, cfg.duration, labGrace, heapLimit(lc.agentMemLimit))
	fmt.Fprintln(w, "| agents | asked/s | asked | delivered | p50 | p99 | p99 late | server µs/report | agents µs/report | server cores | agents cores | other cores | server peak RSS | agents peak RSS |")
	fmt.Fprintln(w, "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range results {
		st := summarise(slices.Clone(r.latencies), r.window)
		late := summarise(slices.Clone(r.delays), r.window)
		per := func(cpu float64) string {
			if r.delivered == 0 {
				return "—"
			}
			return strconv.FormatFloat(cpu/float64(r.delivered)*1e6, 'f', 0, 64)
		}
		secs := r.window.Seconds()
		delivered := fmt.Sprintf("%s (%.1f%%)", count(r.delivered), 100*float64(r.delivered)/float64(max(1, r.asked)))
		if r.failed > 0 {
			delivered += fmt.Sprintf(", %d failed", r.failed)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.2f | %s | %s |\n",
			count(r.agents), count(int(float64(r.asked)/secs)), count(r.asked), delivered, ms(st.p50), ms(st.p99), ms(late.p99),
			per(r.server), per(r.agentsC), r.server/secs, r.agentsC/secs, r.other, mb(r.serverPeak), mb(r.agentsPeak))
	}
	fmt.Fprintf(w, "\nGOMAXPROCS %d; the machine's other processes are in \"other cores\".\n", runtime.GOMAXPROCS(0))
}

// heapLimit names a soft heap limit: its MiB, or what GOMEMLIMIT says when it is 0.
func heapLimit(b int64) string {
	if b == 0 {
		return "GOMEMLIMIT's (" + cmp.Or(os.Getenv("GOMEMLIMIT"), "none") + ")"
	}
	return strconv.FormatInt(b>>20, 10) + " MiB"
}

// holdConnections opens n keep-alive connections to the server, each sending one ListTasks, and
// returns the function that closes them. The server closes them once idle for 30 s, near the end
// of a run: the peak RSS counts them all.
func holdConnections(addr string, cfg config, n int) (release func(), err error) {
	var conns []transport
	release = func() {
		for _, c := range conns {
			c.close()
		}
	}
	req := &request{method: http.MethodGet, target: "/v3/tasks?limit=1", token: [2]string{cfg.tokenHeader, cfg.token}}
	for range n {
		tr := newRawTransport(addr)
		conns = append(conns, tr)
		if err := tr.do(req); err != nil {
			release()
			return nil, fmt.Errorf("hold %d connections: %w", n, err)
		}
	}
	return release, nil
}
