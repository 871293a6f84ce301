package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// Selection says which tasks a run migrates.
type Selection struct {
	All   bool
	None  bool
	State string
	IDs   []string
}

// ParseSelection reads -tasks: "all" (every task whose state lets it run), "none",
// "state=STATE", or task ids separated by commas.
func ParseSelection(s string) (Selection, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "all":
		return Selection{All: true}, nil
	case s == "none":
		return Selection{None: true}, nil
	case strings.HasPrefix(s, "state="):
		state := strings.TrimPrefix(s, "state=")
		if !slices.Contains(lifecycle.States(), state) {
			return Selection{}, fmt.Errorf("-tasks %q: %q is not a task state (one of %s)", s, state, strings.Join(lifecycle.States(), ", "))
		}
		return Selection{State: state}, nil
	}
	var sel Selection
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(sel.IDs, id) {
			sel.IDs = append(sel.IDs, id)
		}
	}
	if len(sel.IDs) == 0 {
		return Selection{}, fmt.Errorf("-tasks %q: want all, none, state=STATE or task ids separated by commas", s)
	}
	return sel, nil
}

// The range of Config.Speedup. At the minimum a simulated hour takes 42 days; much below it the
// wait before a report overflows a time.Duration and the agents would run at once instead.
const (
	MinSpeedup = 0.001
	MaxSpeedup = 1e9
)

// Config is a run of simulated agents.
type Config struct {
	// Server is the SMS endpoint, such as http://127.0.0.1:8080.
	Server      string
	Credentials Credentials
	Tasks       Selection
	// Speedup is how many simulated seconds pass in a second; every figure reported is in
	// simulated time.
	Speedup float64
	// Seed makes the run repeatable.
	Seed int64
	// Interval is the simulated time between reports; zero means DefaultInterval.
	Interval time.Duration
	// Until, if set, stops every agent at this simulated time, its task where it is.
	Until  time.Duration
	Faults []FaultSpec
	Logger *slog.Logger
	// Connections is how many requests the agents have in flight at most, and so how many
	// connections they keep; zero means DefaultConnections. Agents whose events fall due while
	// every connection is busy wait their turn.
	Connections int
	// HTTPClient sends the requests; nil means one with a 30 s timeout.
	HTTPClient *http.Client
	// Started, if set, is called once the tasks are listed and the agents' clocks start, with
	// that instant and the number of agents: a benchmark measures from there.
	Started func(start time.Time, agents int)
	// Reported, if set, is called after each progress report an agent sends, with the instant
	// its schedule said to send it, the time the request took (retries included) and the error
	// that stopped it, if any. Several agents' workers call it at once.
	Reported func(due time.Time, took time.Duration, err error)
	// Poll is the simulated time between an agent's polls for a command; zero means
	// DefaultPoll.
	Poll time.Duration
	// ReportsOnly leaves out the command channel: the agents neither register nor poll, and
	// start READY tasks by reporting on them, as agents did before smslab had commands.
	ReportsOnly bool
	// StartReady has each agent of a READY task start it over the API (UpdateTaskStatus start),
	// as an operator would, then take its START command; otherwise it waits for one.
	StartReady bool
	// Register is how many new source servers, with no task, the run brings in (FreshSource).
	Register int
	// Stay keeps the agents polling until ctx is done (or Until), rather than end the run once
	// their tasks are done.
	Stay bool
	// Sources drives the agent of every source server the server holds, and of those registered
	// during the run, rather than Tasks: smslab's in-process agents. It implies Stay.
	Sources bool
	// Discover is the real time between two looks for sources registered during a Sources run;
	// zero means DefaultDiscover.
	Discover time.Duration
	// paging, when set, replaces ListTasks' paging: tests reach its end with a few tasks.
	paging paging
}

// DefaultDiscover is how often a Sources run looks for new source servers, in real time.
const DefaultDiscover = 2 * time.Second

// Outcome is how one agent's run ended.
type Outcome struct {
	// Source is the id of the agent's source server; empty in reports-only mode.
	Source string
	// Task is the task the agent drove last, if any.
	Task   Task
	Faults []Fault
	// Reports is how many progress reports the server took.
	Reports int
	// Simulated is the simulated time from the agent's start to its last event.
	Simulated time.Duration
	// Failed is the SMS error code the agent failed the task with, if it did.
	Failed string
	// State is the task's state at the end, as the server shows it; empty if unknown.
	State string
	// Halted says the agent stopped at Config.Until with work left.
	Halted bool
	// Err says why the agent stopped short of its plan: the server refused a request, could
	// not be reached, or the run was stopped.
	Err error
}

func (o Outcome) String() string {
	if o.Task.ID == "" {
		s := fmt.Sprintf("source %s: no task", o.Source)
		if o.Err != nil {
			s += "; stopped: " + o.Err.Error()
		}
		return s
	}
	s := fmt.Sprintf("%s %s: %s after %s simulated, %d reports", o.Task.ID, o.Task.Name, orElse(o.State, "state unknown"),
		o.Simulated.Round(time.Second), o.Reports)
	for _, f := range o.Faults {
		s += "; " + f.String()
	}
	if o.Halted {
		s += "; halted at -until"
	}
	if o.Err != nil {
		s += "; stopped: " + o.Err.Error()
	}
	return s
}

func orElse(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// Run starts one simulated agent per selected task (or per source server, for Config.Sources,
// and per new source, for Config.Register) and waits until they are done or ctx is. It fails
// before starting any agent if the tasks cannot be listed, a task named by id cannot run, or a
// fault does not fit; an agent that stops short says why in its Outcome.
func Run(ctx context.Context, cfg Config) ([]Outcome, error) {
	if cfg.Speedup <= 0 {
		return nil, errors.New("the speedup must be above 0")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	workers := cfg.Connections
	if workers <= 0 {
		workers = DefaultConnections
	}
	hc := cfg.HTTPClient
	if hc == nil {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = workers // each worker's connection, kept
		// A connection goes back to the idle pool just after its response is read; without a
		// cap, a worker quick to send again would dial one more.
		transport.MaxConnsPerHost = workers
		hc = &http.Client{Timeout: 30 * time.Second, Transport: transport}
	}
	c, err := newClient(cfg.Server, hc, cfg.Credentials)
	if err != nil {
		return nil, err
	}
	if cfg.paging != (paging{}) {
		c.paging = cfg.paging
	}
	r := &runner{c: c, cfg: cfg, poll: cfg.Poll, stay: cfg.Stay || cfg.Sources}
	if r.poll <= 0 {
		r.poll = DefaultPoll
	}
	if cfg.ReportsOnly {
		r.poll = 0
	}
	if cfg.Interval <= 0 {
		r.cfg.Interval = DefaultInterval
	}

	var listed []sms.Task
	if cfg.Sources {
		listed, err = inProgress(ctx, c)
	} else {
		listed, err = selectTasks(ctx, c, cfg.Tasks)
	}
	if err != nil {
		return nil, err
	}
	var runnable []Task
	var regs []*sms.RegisterServerRequest
	plans := map[string]plan{}
	for _, v := range listed {
		t := TaskFrom(v)
		p, err := planFor(t)
		if err != nil {
			if len(cfg.Tasks.IDs) > 0 && !cfg.Sources {
				return nil, fmt.Errorf("task %s: %w", t.ID, err)
			}
			logger.Info("agent skips a task", "task", t.ID, "name", t.Name, "reason", err.Error())
			continue
		}
		runnable = append(runnable, t)
		regs = append(regs, registrationOf(v))
		plans[t.ID] = p
	}
	faults, err := resolveFaults(cfg.Faults, runnable, plans, cfg.Seed)
	if err != nil {
		return nil, err
	}

	r.start = time.Now()
	var agents []*agentRun
	known := map[string]bool{}
	for i, t := range runnable {
		a := r.newAgent(logger, regs[i], t)
		a.faults, a.plannedFor = faults[t.ID], t.ID
		if r.poll == 0 || t.State != lifecycle.Ready {
			// Driven from the start: a task at work (or any, reporting only) goes on as it was.
			a.sim, err = NewSim(t, SimConfig{Seed: cfg.Seed, Interval: r.cfg.Interval, Start: r.start, Faults: a.faults})
			if err != nil {
				return nil, fmt.Errorf("task %s: %w", t.ID, err) // planFor passed: cannot happen
			}
			a.o.Faults = a.faults
			a.struck = map[string]bool{t.ID: len(a.faults) > 0}
		} else if cfg.StartReady {
			// Operators start a wave's tasks one after another.
			a.startAt = a.regAt + drawDelay(newAgentRng(cfg.Seed, "start "+t.ID), 90)
		} else {
			a.waiting = !r.stay // it waits for an operator's start
		}
		agents = append(agents, a)
		known[a.source] = true
	}
	if cfg.Sources {
		more, err := c.listSources(ctx)
		if err != nil {
			return nil, fmt.Errorf("list source servers: %w", err)
		}
		for _, s := range more {
			if !known[s.ID] {
				agents = append(agents, r.newAgent(logger, registrationOfSource(s), Task{}))
				known[s.ID] = true
			}
		}
	}
	if r.poll > 0 {
		for i := range cfg.Register {
			reg := FreshSource(cfg.Seed, i)
			if !known[*reg.ID] {
				agents = append(agents, r.newAgent(logger, reg, Task{}))
				known[*reg.ID] = true
			}
		}
	}
	logger.Info("agents starting", "agents", len(agents), "tasks", len(runnable), "seed", cfg.Seed, "speedup", cfg.Speedup,
		"server", c.base.Redacted())
	if cfg.Started != nil {
		cfg.Started(r.start, len(agents))
	}
	for _, a := range agents {
		for _, f := range a.faults {
			a.log().Info("agent plans a fault", "fault", f.String())
		}
	}
	var mu sync.Mutex
	var discover func(add func(*agentRun))
	if cfg.Sources {
		discover = func(add func(*agentRun)) {
			every := cmp.Or(cfg.Discover, DefaultDiscover)
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				sources, err := c.listSources(ctx)
				if err != nil {
					continue // the next look may fare better
				}
				for _, s := range sources {
					if known[s.ID] {
						continue
					}
					known[s.ID] = true
					a := r.newAgent(logger, registrationOfSource(s), Task{})
					// It registered itself just now: its first action is a poll.
					a.reg, a.pollAt = nil, r.simNow()
					mu.Lock()
					agents = append(agents, a)
					mu.Unlock()
					add(a)
				}
			}
		}
	}
	mu.Lock()
	initial := slices.Clone(agents)
	mu.Unlock()
	schedule(ctx, r, initial, workers, discover)
	mu.Lock()
	defer mu.Unlock()
	outcomes := make([]Outcome, len(agents))
	for i, a := range agents {
		outcomes[i] = a.o
	}
	return outcomes, nil
}

// newAgent is the agent of the source reg registers, with task t (ID "" for none). In
// reports-only mode it neither registers nor polls.
func (r *runner) newAgent(logger *slog.Logger, reg *sms.RegisterServerRequest, t Task) *agentRun {
	a := &agentRun{task: t, startAt: -1, pollAt: -1, base: logger, o: Outcome{Task: t}}
	if r.poll == 0 {
		return a
	}
	a.source = deref(reg.ID)
	a.o.Source = a.source
	a.reg = reg
	// Agents start within a poll of each other, to the millisecond, not in step.
	a.regAt = drawDelay(newAgentRng(r.cfg.Seed, a.source), min(r.poll, 10*time.Second).Seconds())
	a.pollAt = a.regAt
	return a
}

// simNow is the simulated time since the run's start.
func (r *runner) simNow() time.Duration {
	return time.Duration(float64(time.Since(r.start)) * r.cfg.Speedup)
}

// inProgress lists the tasks at work (RUNNING, SYNCING), whose agents drive them from the start
// of a Sources run.
func inProgress(ctx context.Context, c *client) ([]sms.Task, error) {
	var out []sms.Task
	for _, state := range []string{lifecycle.Running, lifecycle.Syncing} {
		some, err := c.listTasks(ctx, url.Values{"state": {state}})
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		out = append(out, some...)
	}
	return out, nil
}

// registrationOfSource is what the agent of a listed source registers.
func registrationOfSource(s sms.SourceListItem) *sms.RegisterServerRequest {
	id := s.ID
	return &sms.RegisterServerRequest{ID: &id, Name: &s.Name, IP: s.IP, OsType: s.OsType, OsVersion: s.OsVersion,
		AgentVersion: ptr(AgentVersion)}
}

// Demo is the demo's wave against server (DemoLab builds the lab `smslab -demo` plays on it):
// every task that can run, with a tenth of them failing during their copy, a fifth stalling for a
// quarter of an hour a third of the way through it and a tenth losing SMS for five minutes; the
// same each time.
func Demo(server string, creds Credentials, speedup float64) Config {
	cfg := Config{Server: server, Credentials: creds, Tasks: Selection{All: true}, Speedup: speedup, Seed: 1, StartReady: true}
	for _, spec := range []string{
		"random=10%,at=MIGRATE",
		"stall=20%,at=MIGRATE:35,for=15m",
		"disconnect=10%,at=MIGRATE,for=5m",
	} {
		f, err := ParseFault(spec)
		if err != nil {
			panic(err) // a constant: TestDemo parses it
		}
		cfg.Faults = append(cfg.Faults, f)
	}
	return cfg
}

// selectTasks fetches the tasks the selection names.
func selectTasks(ctx context.Context, c *client, sel Selection) ([]sms.Task, error) {
	var listed []sms.Task
	switch {
	case sel.None:
	case sel.All:
		all, err := c.listTasks(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		listed = all
	case sel.State != "":
		some, err := c.listTasks(ctx, url.Values{"state": {sel.State}})
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		listed = some
	default:
		for _, id := range sel.IDs {
			t, err := c.getTask(ctx, id)
			if errors.Is(err, errNoSuchTask) {
				if i := slices.IndexFunc(lifecycle.States(), func(s string) bool { return strings.EqualFold(s, id) }); i >= 0 {
					state := lifecycle.States()[i]
					return nil, fmt.Errorf("task %s: %w; %s is a state: -tasks state=%s selects the tasks in it", id, err, state, state)
				}
			}
			if err != nil {
				return nil, fmt.Errorf("task %s: %w", id, err)
			}
			listed = append(listed, t)
		}
	}
	return listed, nil
}

// withState records the task's state as the server shows it now.
func (o Outcome) withState(ctx context.Context, c *client, id string) Outcome {
	if ctx.Err() != nil || id == "" {
		return o
	}
	if t, err := c.getTask(ctx, id); err == nil {
		o.State = deref(t.State)
	}
	return o
}
