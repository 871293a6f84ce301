package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// The agent's side of SMS' protocol (docs/agents.md#the-protocol): it registers its source
// server, polls for commands, acts on each and reports the result, and reports progress while
// it migrates. One agentRun is one source server's agent; the scheduler plays its actions.

// DefaultPoll is how often an agent asks SMS for a command, in simulated time.
const DefaultPoll = 10 * time.Second

// action is what an agent does next.
type action int

const (
	doRegister action = iota // POST /v3/sources
	doStart                  // start its READY task over the API, as an operator would
	doEvent                  // the Sim's next event: a progress report, or a failure
	doPoll                   // GET /v3/sources/{id}/command, and act on the command
)

// runner is what a run's agents share.
type runner struct {
	c     *client
	cfg   Config
	start time.Time
	// poll is the simulated time between polls; 0 in reports-only mode.
	poll time.Duration
	// stay keeps agents polling once their task is done, until ctx is or Until.
	stay bool
}

// minPollGap is the least real time between two polls of an agent, whatever the speedup: at a
// high one, idle agents would otherwise poll as fast as the server answers.
const minPollGap = 100 * time.Millisecond

// pollGap is the simulated time from one poll of an agent to its next.
func (r *runner) pollGap() time.Duration {
	return max(r.poll, time.Duration(float64(minPollGap)*r.cfg.Speedup))
}

// dueAt is the real time of a simulated time since the run's start.
func (r *runner) dueAt(at time.Duration) time.Time {
	return r.start.Add(time.Duration(float64(at) / r.cfg.Speedup))
}

// An agentRun is one source server's simulated agent within a run: its registration, the task
// it knows, the migration it drives (a Sim) and what it does next.
type agentRun struct {
	source string
	// reg is the registration the agent sends first; nil once sent (or in reports-only mode).
	reg *sms.RegisterServerRequest
	// task is the task the agent drives or waits for; ID "" for none.
	task Task
	// faults are the faults planned for task at the run's start; struck, the tasks a fault
	// struck already (a task restarted after a failure then runs clean, as after a fix).
	faults     []Fault
	plannedFor string
	struck     map[string]bool

	sim     *Sim
	simBase time.Duration // the run's simulated time at the Sim's start
	ev      Event
	hasEv   bool

	regAt   time.Duration // when it registers
	startAt time.Duration // when it starts its READY task; -1 for never
	pollAt  time.Duration // its next poll; -1 in reports-only mode
	// waiting says the agent waits for a command for its task (one it started): a run that
	// does not stay ends only once it is answered.
	waiting bool

	what action
	at   time.Duration // the simulated time of the next action, since the run's start
	due  time.Time     // the same in real time
	o    Outcome
	// logger is nil until first used: building one per agent costs more than the agent at
	// ten thousand of them.
	base   *slog.Logger
	logger *slog.Logger
}

func (a *agentRun) log() *slog.Logger {
	if a.logger == nil {
		a.logger = a.base.With("source", a.source)
		if a.task.ID != "" {
			a.logger = a.logger.With("task", a.task.ID, "name", a.task.Name)
		}
	}
	return a.logger
}

// next works out the agent's next action and when it is due; false when the agent is done: its
// work is played and the run does not stay, or the next action lies past Until.
func (a *agentRun) next(r *runner) bool {
	if a.sim != nil && !a.hasEv {
		if ev, ok := a.sim.Next(); ok {
			a.ev, a.hasEv = ev, true
		} else {
			a.sim = nil // its plan is played
		}
	}
	type candidate struct {
		what action
		at   time.Duration
	}
	var cands []candidate
	if a.reg != nil {
		cands = append(cands, candidate{doRegister, a.regAt})
	} else {
		if a.startAt >= 0 {
			cands = append(cands, candidate{doStart, a.startAt})
		}
		if a.hasEv {
			cands = append(cands, candidate{doEvent, a.simBase + a.ev.At})
		}
		if a.pollAt >= 0 && (r.stay || a.sim != nil || a.waiting || a.startAt >= 0) {
			cands = append(cands, candidate{doPoll, a.pollAt})
		}
	}
	if len(cands) == 0 {
		return false
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if c.at < best.at {
			best = c
		}
	}
	if r.cfg.Until > 0 && best.at > r.cfg.Until {
		a.o.Halted = a.sim != nil
		return false
	}
	a.what, a.at, a.due = best.what, best.at, r.dueAt(best.at)
	return true
}

// play does the agent's action, due now; false when the agent stops: the server refused it or
// could not be reached (a.o.Err says which), or its source is gone.
func (a *agentRun) play(ctx context.Context, r *runner) bool {
	a.o.Simulated = a.at
	switch a.what {
	case doRegister:
		if err := a.register(ctx, r); err != nil {
			a.o.Err = err
			a.log().Warn("agent stops: it could not register its source server", "err", err.Error())
			return false
		}
		a.reg = nil
		if a.pollAt >= 0 {
			a.pollAt = a.at + r.pollGap()
		}
		return true
	case doStart:
		a.startAt = -1
		if err := r.c.act(ctx, a.task.ID, lifecycle.ActStart); err != nil {
			a.o.Err = err
			a.log().Warn("agent could not start its task", "err", err.Error())
			return false
		}
		a.waiting = true
		a.pollAt = a.at // for the START just queued
		return true
	case doPoll:
		a.pollAt = a.at + r.pollGap()
		if a.sim != nil && a.sim.Silent(a.at-a.simBase) {
			return true // disconnected: no poll reaches SMS
		}
		return a.pollOnce(ctx, r)
	}
	return a.playEvent(ctx, r)
}

// pollOnce asks SMS for a command and acts on it.
func (a *agentRun) pollOnce(ctx context.Context, r *runner) bool {
	cmd, err := r.c.poll(ctx, a.source)
	if err != nil {
		a.o.Err = err
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
			a.log().Info("agent stops: its source server is gone", "err", err.Error())
		} else {
			a.log().Warn("agent stops: its poll failed", "err", err.Error())
		}
		return false
	}
	if err := a.handle(ctx, r, cmd); err != nil {
		a.o.Err = err
		a.log().Warn("agent stops: it could not answer a command", "command", cmd.CommandName, "err", err.Error())
		return false
	}
	return true
}

// handle acts on what a poll answered and reports the command's result.
func (a *agentRun) handle(ctx context.Context, r *runner, cmd sms.Command) error {
	taskID := ""
	if cmd.CommandParam != nil && cmd.CommandParam.TaskID != nil {
		taskID = *cmd.CommandParam.TaskID
	}
	switch cmd.CommandName {
	case lifecycle.CmdStart, lifecycle.CmdSync:
		if a.sim != nil && a.task.ID == taskID {
			break // already at work on it (a START queued twice): it goes on
		}
		if err := a.begin(ctx, r, taskID, cmd.CommandName); err != nil {
			a.log().Warn("agent cannot run the task it is told to", "command", cmd.CommandName, "task", taskID, "err", err.Error())
			return r.c.answer(ctx, a.source, cmd.CommandName, "fail", map[string]string{
				"error_code": "SMS.0007", "error_msg": "Agent error: " + err.Error()})
		}
	case lifecycle.CmdStop, lifecycle.CmdDelete:
		if a.task.ID == taskID || taskID == "" {
			a.sim, a.hasEv, a.waiting = nil, false, false
		}
		a.log().Info("agent stops its task", "command", cmd.CommandName, "task", taskID)
	case lifecycle.CmdSkip, lifecycle.CmdUploadLog, lifecycle.CmdResetACL:
		// SKIP: SMS moves the task on; the agent goes on with its work. The log is "uploaded".
	default:
		// TASK_NOT_STARTED, TASK_HAS_STOPPED, TASK_HAS_FINISHED or {}: nothing to do. An agent
		// waiting for the START of the task it started learns here that it will not come.
		if a.waiting && cmd.CommandName != lifecycle.TaskNotStarted {
			a.waiting = false
		}
		return nil
	}
	return r.c.answer(ctx, a.source, cmd.CommandName, "success", nil)
}

// begin starts a migration (START) or a synchronization (SYNC) of the task, from where the
// server says it stands.
func (a *agentRun) begin(ctx context.Context, r *runner, taskID, command string) error {
	v, err := r.c.getTask(ctx, taskID)
	if err != nil {
		return err
	}
	t := TaskFrom(v)
	t.State = lifecycle.Running // where the successful result puts it
	if command == lifecycle.CmdSync {
		t.State = lifecycle.Syncing
	}
	p, err := planFor(t)
	if err != nil {
		return err
	}
	var faults []Fault
	if !a.struck[t.ID] {
		faults = a.faults
		if t.ID != a.plannedFor {
			faults = faultsOf(r.cfg.Faults, t, p, r.cfg.Seed)
		}
	}
	sim, err := NewSim(t, SimConfig{Seed: r.cfg.Seed, Interval: r.cfg.Interval, Start: r.start.Add(a.at), Faults: faults})
	if err != nil {
		return err
	}
	if a.task.ID != t.ID {
		a.logger = nil
	}
	a.task, a.sim, a.simBase, a.hasEv, a.waiting = t, sim, a.at, false, false
	a.o.Task, a.o.Faults = t, faults
	if len(faults) > 0 {
		if a.struck == nil {
			a.struck = map[string]bool{}
		}
		a.struck[t.ID] = true
	}
	a.log().Info("agent starts", "command", command, "steps", len(sim.steps))
	return nil
}

// playEvent sends the Sim's event, due now.
func (a *agentRun) playEvent(ctx context.Context, r *runner) bool {
	ev, id := a.ev, a.task.ID
	a.hasEv = false
	switch {
	case ev.Report != nil:
		sent := time.Now()
		err := r.c.report(ctx, id, ev.Report)
		if r.cfg.Reported != nil {
			r.cfg.Reported(a.due, time.Since(sent), err)
		}
		if err != nil {
			return a.refused(ctx, r, err, *ev.Report.SubtaskName)
		}
		a.o.Reports++
		logger := a.log()
		if logger.Enabled(ctx, slog.LevelDebug) {
			logger.Debug("agent reported", "sub_task", *ev.Report.SubtaskName, "progress", *ev.Report.Progress,
				"replicatesize", *ev.Report.Replicatesize, "totalsize", *ev.Report.Totalsize, "migrate_speed", *ev.Report.MigrateSpeed)
		}
		if ev.Note != "" {
			logger.Info("agent: "+ev.Note, "sub_task", *ev.Report.SubtaskName, "progress", *ev.Report.Progress,
				"simulated", ev.At.Round(time.Second).String())
		}
	case ev.Fail != nil:
		if err := r.c.fail(ctx, id, ev.Fail); err != nil {
			a.o.Err = err
			a.log().Warn("agent could not fail the task", "err", err.Error())
			return false
		}
		a.o.Failed = ev.Fail.Code
		a.log().Info("agent: "+ev.Note, "state", ev.Fail.State, "error_json", ev.Fail.ErrorJSON)
	}
	return true
}

// refused handles a progress report the server did not take. A task that left the states taking
// reports (an operator stopped it) usually has a command waiting that says so: the agent polls
// at once and acts on it. Otherwise it stops driving the task, with the server's reason.
func (a *agentRun) refused(ctx context.Context, r *runner, err error, subTask string) bool {
	var apiErr *APIError
	if r.poll > 0 && errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
		cmd, perr := r.c.poll(ctx, a.source)
		if perr == nil && cmd.CommandParam != nil {
			return a.handle(ctx, r, cmd) == nil || a.stop(r, err)
		}
	}
	a.log().Warn("agent stops its task: its report was not taken", "sub_task", subTask, "err", err.Error())
	return a.stop(r, err)
}

// stop ends the agent's work on its task with err. An agent that stays goes on polling.
func (a *agentRun) stop(r *runner, err error) bool {
	a.o.Err = err
	a.sim, a.hasEv = nil, false
	return r.stay
}

// register sends the agent's registration. A source's stored facts fill what the registration
// lacks of the mandatory ones; what neither has is made up from its id.
func (a *agentRun) register(ctx context.Context, r *runner) error {
	reg := a.reg
	if reg.Name == nil || reg.OsType == nil || reg.OsVersion == nil || (reg.IP == nil && reg.IPv6 == nil) {
		if s, err := r.c.showSource(ctx, a.source); err == nil {
			reg.Name, reg.OsType, reg.OsVersion = cmp.Or(reg.Name, s.Name), cmp.Or(reg.OsType, s.OsType), cmp.Or(reg.OsVersion, s.OsVersion)
			if reg.IP == nil && reg.IPv6 == nil {
				reg.IP, reg.IPv6 = s.IP, s.IPv6
			}
		}
		fillRegistration(reg, a.source)
	}
	id, err := r.c.register(ctx, reg)
	if err != nil {
		return err
	}
	if id != a.source {
		return fmt.Errorf("registered source server %s as %s", a.source, id) // cannot happen: the id is given
	}
	return nil
}

// fillRegistration makes up the mandatory facts a registration lacks, from the source's id.
func fillRegistration(reg *sms.RegisterServerRequest, id string) {
	h := hashString(id)
	if reg.Name == nil || *reg.Name == "" {
		reg.Name = ptr(fmt.Sprintf("source-%08x", uint32(h)))
	}
	if reg.OsType == nil {
		reg.OsType = ptr("LINUX")
	}
	if reg.OsVersion == nil || *reg.OsVersion == "" {
		reg.OsVersion = ptr(map[string]string{"LINUX": "CENTOS_7_9_64BIT", "WINDOWS": "WINDOWS2016_64BIT"}[*reg.OsType])
	}
	if reg.IP == nil && reg.IPv6 == nil {
		reg.IP = ptr(fmt.Sprintf("10.%d.%d.%d", 100+h%100, h>>8%256, 1+h>>16%254))
	}
	reg.ID = &id
}

// registrationOf is what the agent of a task's source registers: the facts ListTasks shows.
func registrationOf(v sms.Task) *sms.RegisterServerRequest {
	reg := &sms.RegisterServerRequest{AgentVersion: ptr(AgentVersion)}
	if s := v.SourceServer; s != nil {
		reg.ID, reg.Name, reg.IP, reg.OsType, reg.OsVersion = s.ID, s.Name, s.IP, s.OsType, s.OsVersion
	}
	if reg.OsType == nil {
		reg.OsType = v.OsType
	}
	return reg
}

// AgentVersion is the agent_version the simulated agents register.
const AgentVersion = "smslab-agent-1"

// faultsOf places the fault specs on a task its agent starts during a run: a spec naming the
// task strikes it, and one for a share of the tasks strikes it with that chance, drawn from the
// seed and the task's id. Specs that do not fit are passed over.
func faultsOf(specs []FaultSpec, t Task, p plan, seed int64) []Fault {
	var out []Fault
	for i, spec := range specs {
		rng := rand.New(rand.NewPCG(uint64(seed), hashString(fmt.Sprintf("fault %d %s", i, t.ID))))
		if spec.TaskID != "" && spec.TaskID != t.ID || spec.TaskID == "" && rng.IntN(100) >= spec.Share {
			continue
		}
		if f, err := spec.resolve(t, p, rng); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// newAgentRng is an agent's own randomness: when it registers, when an operator starts its task.
func newAgentRng(seed int64, source string) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), hashString("agent "+source)))
}
