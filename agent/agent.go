package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// Selection says which tasks a run migrates.
type Selection struct {
	All   bool
	State string
	IDs   []string
}

// ParseSelection reads -tasks: "all" (every task whose state lets it run), "state=STATE", or
// task ids separated by commas.
func ParseSelection(s string) (Selection, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "all":
		return Selection{All: true}, nil
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
		return Selection{}, fmt.Errorf("-tasks %q: want all, state=STATE or task ids separated by commas", s)
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
	// paging, when set, replaces ListTasks' paging: tests reach its end with a few tasks.
	paging paging
}

// Outcome is how one agent's run ended.
type Outcome struct {
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

// Run starts one simulated agent per selected task and waits until they are done or ctx is. It
// fails before starting any agent if the tasks cannot be listed, a task named by id cannot run,
// or a fault does not fit; an agent that stops short says why in its Outcome.
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
		hc = &http.Client{Timeout: 30 * time.Second, Transport: transport}
	}
	c, err := newClient(cfg.Server, hc, cfg.Credentials)
	if err != nil {
		return nil, err
	}
	if cfg.paging != (paging{}) {
		c.paging = cfg.paging
	}
	tasks, err := selectTasks(ctx, c, cfg.Tasks)
	if err != nil {
		return nil, err
	}
	var runnable []Task
	plans := map[string]plan{}
	for _, t := range tasks {
		p, err := planFor(t)
		if err != nil {
			if len(cfg.Tasks.IDs) > 0 {
				return nil, fmt.Errorf("task %s: %w", t.ID, err)
			}
			logger.Info("agent skips a task", "task", t.ID, "name", t.Name, "reason", err.Error())
			continue
		}
		runnable = append(runnable, t)
		plans[t.ID] = p
	}
	faults, err := resolveFaults(cfg.Faults, runnable, plans, cfg.Seed)
	if err != nil {
		return nil, err
	}

	start := time.Now()
	sims := make([]*Sim, len(runnable))
	for i, t := range runnable {
		sims[i], err = NewSim(t, SimConfig{Seed: cfg.Seed, Interval: cfg.Interval, Start: start, Faults: faults[t.ID]})
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", t.ID, err) // planFor passed: cannot happen
		}
	}
	logger.Info("agents starting", "tasks", len(runnable), "seed", cfg.Seed, "speedup", cfg.Speedup, "server", c.base.Redacted())
	if cfg.Started != nil {
		cfg.Started(start, len(runnable))
	}
	agents := make([]*agentRun, len(runnable))
	for i, t := range runnable {
		for _, f := range faults[t.ID] {
			logger.Info("agent plans a fault", "task", t.ID, "name", t.Name, "fault", f.String())
		}
		agents[i] = &agentRun{sim: sims[i], o: Outcome{Task: t, Faults: faults[t.ID]}, logger: logger.With("task", t.ID, "name", t.Name)}
	}
	schedule(ctx, c, agents, start, cfg, workers)
	outcomes := make([]Outcome, len(agents))
	for i, a := range agents {
		outcomes[i] = a.o
	}
	return outcomes, nil
}

// Demo is the wave `smslab -demo` runs against server: every task that can run, with a tenth of
// them failing during their copy, a fifth stalling for a quarter of an hour a third of the way
// through it and a tenth losing SMS for five minutes; the same each time.
func Demo(server string, creds Credentials, speedup float64) Config {
	cfg := Config{Server: server, Credentials: creds, Tasks: Selection{All: true}, Speedup: speedup, Seed: 1}
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
func selectTasks(ctx context.Context, c *client, sel Selection) ([]Task, error) {
	var listed []sms.Task
	switch {
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
	tasks := make([]Task, 0, len(listed))
	for _, v := range listed {
		tasks = append(tasks, TaskFrom(v))
	}
	return tasks, nil
}

// withState records the task's state as the server shows it now.
func (o Outcome) withState(ctx context.Context, c *client, id string) Outcome {
	if ctx.Err() != nil {
		return o
	}
	if t, err := c.getTask(ctx, id); err == nil {
		o.State = deref(t.State)
	}
	return o
}
