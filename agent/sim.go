package agent

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// Units. Rates (migrate_speed, speed_limit, the disk I/O figures) are in Mbit/s, 10^6 bits a
// second as network links are counted; sizes are bytes.
const (
	bytesPerMbit = 1e6 / 8
	gib          = 1 << 30
	mib          = 1 << 20
)

// AgentTimeLayout is how agent_time shows the source server's clock (UTC).
const AgentTimeLayout = "2006-01-02 15:04:05"

// Event is one thing an agent does, at a simulated time.
type Event struct {
	// At is the simulated time since the agent started.
	At time.Duration
	// Report is a progress report to send (PUT /v3/tasks/{id}/progress), or nil.
	Report *sms.ProgressReport
	// Fail, when set, ends the task: the agent sets its state and error_json
	// (PUT /v3/tasks/{id}).
	Fail *Failure
	// Note says, for the log, what changed at this event: a sub-task starts or ends, a fault
	// strikes or ends.
	Note string
}

// Failure is how a task ends when a fault fails it.
type Failure struct {
	State     string // MIGRATE_FAIL, or SYNC_FAIL in a synchronization
	ErrorJSON string
	Code      string
}

// SimConfig is what a Sim needs besides the task.
type SimConfig struct {
	// Seed makes the run repeatable: the same seed, task and faults give the same events.
	Seed int64
	// Interval is the simulated time between reports; zero means DefaultInterval.
	Interval time.Duration
	// Start is the simulated clock at the agent's start, for agent_time.
	Start time.Time
	// Faults are the faults the task meets, from resolveFaults.
	Faults []Fault
}

// DefaultInterval is how often an agent reports, in simulated time.
const DefaultInterval = 10 * time.Second

// Sim is one agent's migration in simulated time: a pure, deterministic model that yields the
// events the agent sends. It knows the task's size, the link, the server's load and the faults
// ahead; Next steps it from report to report.
type Sim struct {
	task     Task
	cfg      SimConfig
	rng      *rand.Rand
	host     host
	steps    []*step
	cur      int
	started  bool // the current step's first report is out
	now      time.Duration
	faults   []*pendingFault
	queue    []Event
	finished bool

	size, migrated int64   // bytes of the full migration, and copied so far
	rate           float64 // Mbit/s over the last tick
	ramp           time.Duration
	stallUntil     time.Duration
	silentFrom     time.Duration
	silentUntil    time.Duration
	noise          noise
}

type pendingFault struct {
	Fault
	fired bool
}

// step is one sub-task in progress.
type step struct {
	name     string
	transfer bool
	total    int64         // bytes to copy, for a transfer
	done     int64         // bytes copied
	duration time.Duration // how long it takes, for any other sub-task
	elapsed  time.Duration

	// What this run copied and how long it copied for: the average rate, for an estimate of
	// the time left while the rate is 0.
	copied   int64
	copyTime time.Duration
}

func (s *step) progress() int32 {
	if s.transfer {
		if s.total == 0 {
			return 100
		}
		return int32(s.done * 100 / s.total)
	}
	return int32(s.elapsed * 100 / s.duration)
}

func (s *step) complete() bool { return s.progress() >= 100 }

// at is the amount (bytes or nanoseconds) at which the step reaches percent, rounded up so that
// the progress then reads exactly percent.
func (s *step) at(percent int32) int64 {
	whole := s.total
	if !s.transfer {
		whole = int64(s.duration)
	}
	return (whole*int64(percent) + 99) / 100
}

func (s *step) amount() int64 {
	if s.transfer {
		return s.done
	}
	return int64(s.elapsed)
}

// host is what a source server and its link are like: drawn once per task.
type host struct {
	capacity   float64 // Mbit/s the link and the disks sustain
	cpuBase    float64 // % CPU the server's own work takes
	memBase    float64 // MB the server's own work takes
	diskBase   float64 // Mbit/s of the server's own disk I/O
	agentMem   float64 // MB the agent holds while copying
	compress   float64 // block-level compression ratio
	startDelay time.Duration
}

// noise is slowly varying randomness (first-order autoregressive), so figures wander rather
// than jump.
type noise struct{ rate, mix, cpu, mem, disk, compress float64 }

// NewSim returns the model of the task's migration from where the task stands. It fails for a
// task whose state takes no reports or whose type and OS have no sequence.
func NewSim(t Task, cfg SimConfig) (*Sim, error) {
	p, err := planFor(t)
	if err != nil {
		return nil, err
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	s := &Sim{task: t, cfg: cfg, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), hashString(t.ID)))}
	block := t.Type == "MIGRATE_BLOCK" || t.OSType == "WINDOWS"
	s.size = s.drawSize(block)
	s.host = host{
		capacity: uniform(s.rng, 120, 450),
		cpuBase:  uniform(s.rng, 5, 35),
		memBase:  uniform(s.rng, 2048, 24576),
		diskBase: uniform(s.rng, 5, 60),
		agentMem: uniform(s.rng, 150, 300),
		compress: uniform(s.rng, 1.2, 2.2),
	}
	if block {
		s.host.capacity = uniform(s.rng, 200, 850)
		s.host.agentMem = uniform(s.rng, 300, 600)
	}
	// To the millisecond, not whole seconds: agents started on whole seconds would report on
	// them too, in bursts of a tenth of a wave at once.
	s.host.startDelay = drawDelay(s.rng, 10)
	if t.State == lifecycle.Ready {
		// Operators start a wave's tasks one after another.
		s.host.startDelay = drawDelay(s.rng, 90)
	}
	if p.migrated {
		s.migrated = s.size
	}
	for i, name := range p.steps {
		st := &step{name: name, transfer: isTransfer(name)}
		switch {
		case lifecycle.IsSync(name):
			// An incremental pass copies what changed since the last: a few percent.
			st.total = min(s.size, max(512*mib, int64(float64(s.size)*uniform(s.rng, 0.01, 0.04))))
		case st.transfer:
			st.total = s.size
		default:
			st.duration = s.drawDuration(name)
		}
		if i == 0 {
			if st.transfer {
				st.done = st.at(p.resume)
			} else {
				st.elapsed = time.Duration(st.at(p.resume))
			}
			if st.transfer && !lifecycle.IsSync(name) {
				s.migrated = st.done
			}
		}
		s.steps = append(s.steps, st)
	}
	for _, f := range cfg.Faults {
		s.faults = append(s.faults, &pendingFault{Fault: f})
	}
	return s, nil
}

// drawSize is the data a task's full migration copies. ListTasks does not show the source
// disks, so it is a plausible size drawn from the task (log-uniform: small servers are common).
func (s *Sim) drawSize(block bool) int64 {
	lo, hi := 20.0, 160.0 // GiB of files
	if block {
		lo, hi = 40, 320 // GiB of used blocks
	}
	gibs := math.Exp(uniform(s.rng, math.Log(lo), math.Log(hi)))
	return int64(gibs*1024) * mib
}

// drawDuration is how long a sub-task that copies no data takes.
func (s *Sim) drawDuration(name string) time.Duration {
	lo, hi := 60.0, 120.0
	switch {
	case name == "CREATE_CLOUD_SERVER":
		lo, hi = 90, 240
	case name == "SSL_CONFIG":
		lo, hi = 15, 45
	case name == "ATTACH_AGENT_IMAGE":
		lo, hi = 60, 150
	case strings.HasPrefix(name, "FORMAT_DISK"):
		lo, hi = 30, 120
	case name == "CONFIGURE_WINDOWS":
		lo, hi = 180, 420
	case strings.HasPrefix(name, "CONFIGURE"):
		lo, hi = 60, 180
	case name == lifecycle.LastMigrationSubTask:
		lo, hi = 45, 120
	}
	return time.Duration(uniform(s.rng, lo, hi) * float64(time.Second))
}

// Silent reports whether the agent is cut off from SMS at simulated time at (since the Sim's
// start) by a disconnection that has struck: it then neither reports nor polls.
func (s *Sim) Silent(at time.Duration) bool { return at >= s.silentFrom && at < s.silentUntil }

// Size is the data the task's full migration copies, in bytes.
func (s *Sim) Size() int64 { return s.size }

// Next returns the agent's next event; false when the agent has nothing more to do.
func (s *Sim) Next() (Event, bool) {
	for len(s.queue) == 0 && !s.finished {
		s.tick()
	}
	if len(s.queue) == 0 {
		return Event{}, false
	}
	ev := s.queue[0]
	s.queue = s.queue[1:]
	return ev, true
}

// tick moves the simulation on to its next report, or through one interval of silence.
func (s *Sim) tick() {
	if s.cur >= len(s.steps) {
		s.finished = true
		return
	}
	st := s.steps[s.cur]
	if !s.started {
		if s.cur == 0 {
			s.now += s.host.startDelay
		}
		s.started = true
		s.ramp = 0
		s.rate = 0
		s.emit(st, "start "+st.name)
		s.moveOnIfComplete(st)
		return
	}
	silent := s.now < s.silentUntil
	dt := s.cfg.Interval
	if silent {
		dt = min(dt, s.silentUntil-s.now)
	}
	stalled := s.now < s.stallUntil
	if stalled {
		dt = min(dt, s.stallUntil-s.now)
	}
	s.advance(st, dt, stalled)
	note := ""
	if stalled && s.now >= s.stallUntil {
		note = "the transfer resumes"
		s.ramp = 0
	}
	if silent {
		if s.now < s.silentUntil {
			return // nothing reaches SMS; the work goes on
		}
		note = "reconnected to SMS"
	}
	if st.complete() {
		note = strings.TrimPrefix(note+"; finish "+st.name, "; ")
	}
	s.emit(st, note)
	s.moveOnIfComplete(st)
}

// moveOnIfComplete goes on to the next step once the current one is complete and reported.
func (s *Sim) moveOnIfComplete(st *step) {
	if st.complete() && !s.finished {
		s.cur++
		s.started = false
	}
}

// advance runs the step for up to dt, stopping early at the next point where something happens
// (a fault's progress, the step's end) so that the report there reads exactly that progress. A
// fault reached but not yet struck (the agent is disconnected, and faults strike as it reports)
// holds the step where it is until the agent reports again.
func (s *Sim) advance(st *step, dt time.Duration, stalled bool) {
	limit := int64(math.MaxInt64)
	if st.transfer {
		limit = st.total
	} else {
		limit = int64(st.duration)
	}
	faultDue := false
	for _, f := range s.faults {
		if !f.fired && f.SubTask == st.name {
			if a := st.at(f.Percent); a > st.amount() {
				limit = min(limit, a)
			} else {
				faultDue = true
			}
		}
	}
	s.rate = 0
	switch {
	case stalled || faultDue || st.complete():
		// No progress: stalled, at a fault that strikes at the next report, or done and
		// waiting to tell SMS.
	case st.transfer:
		s.rate = s.drawRate(dt)
		perSec := s.rate * bytesPerMbit
		before := st.done
		if want := perSec * dt.Seconds(); float64(st.done)+want >= float64(limit) {
			need := limit - st.done
			dt = time.Duration(math.Ceil(float64(need) / perSec * 1e9))
			st.done = limit
		} else {
			st.done += int64(math.Round(want))
		}
		s.ramp += dt
		st.copied += st.done - before
		st.copyTime += dt
	default:
		before := st.elapsed
		st.elapsed = min(before+dt, time.Duration(limit))
		dt = st.elapsed - before
	}
	if st.transfer && !lifecycle.IsSync(st.name) {
		s.migrated = st.done
	}
	s.now += dt
}

// drawRate is the copy rate for the next tick: the link's capacity, ramping up over the first
// tens of seconds (TCP slow start, the agent's threads), with noise, slower stretches of small
// files for file-level copies, and under the task's speed limit, which the agent's shaping keeps
// just below.
func (s *Sim) drawRate(dt time.Duration) float64 {
	n := &s.noise
	n.rate = ar(s.rng, n.rate, 0.85, 0.05)
	r := s.host.capacity * (1 - math.Exp(-(s.ramp+dt).Seconds()/20)) * clamp(1+n.rate, 0.6, 1.3)
	if s.task.Type == "MIGRATE_FILE" && s.task.OSType != "WINDOWS" {
		n.mix = ar(s.rng, n.mix, 0.97, 0.04)
		r *= clamp(0.85+n.mix, 0.5, 1)
	}
	if lim := float64(s.task.SpeedLimit); lim > 0 {
		r = min(r, lim*uniform(s.rng, 0.96, 1))
	}
	return max(0.01, math.Floor(r*100)/100)
}

// emit queues the report of the step as it stands, after striking any fault due at its
// progress.
func (s *Sim) emit(st *step, note string) {
	trace := s.trace(st)
	var failure *Failure
	for _, f := range s.faults {
		if f.fired || f.SubTask != st.name || st.progress() < f.Percent {
			continue
		}
		f.fired = true
		note = strings.TrimPrefix(note+"; "+f.String(), "; ")
		switch f.Kind {
		case Fail:
			state := lifecycle.MigrateFail
			if lifecycle.IsSync(st.name) {
				state = lifecycle.SyncFail
			}
			failure = &Failure{State: state, ErrorJSON: f.Error.errorJSON(s.task.OSType), Code: f.Error.Code}
			trace = f.Error.processTrace(s.task.OSType)
		case Stall:
			s.stallUntil = s.now + f.For
		case Disconnect:
			s.silentFrom, s.silentUntil = s.now, s.now+f.For
		}
	}
	s.queue = append(s.queue, Event{At: s.now, Report: s.report(st, trace), Note: note})
	if failure != nil {
		s.queue = append(s.queue, Event{At: s.now, Fail: failure, Note: "the task fails: " + failure.Code})
		s.finished = true
	}
}

// report is the progress report of the step as it stands.
func (s *Sim) report(st *step, trace string) *sms.ProgressReport {
	n := &s.noise
	n.cpu = ar(s.rng, n.cpu, 0.8, 0.05)
	n.mem = ar(s.rng, n.mem, 0.9, 0.01)
	n.disk = ar(s.rng, n.disk, 0.8, 0.1)
	busy := s.rate / s.host.capacity // how hard the agent works, 0 to about 1
	agentCPU := 0.5 + 1.5*uniform(s.rng, 0, 1)
	agentMem := 60 + 40*uniform(s.rng, 0, 1)
	agentDisk := uniform(s.rng, 0, 2)
	rep := &sms.ProgressReport{
		SubtaskName:  &st.name,
		Progress:     ptr(st.progress()),
		ProcessTrace: &trace,
		MigrateSpeed: ptr(s.rate),
		AgentTime:    ptr(s.cfg.Start.Add(s.now).UTC().Format(AgentTimeLayout)),
	}
	if st.transfer {
		rep.Replicatesize, rep.Totalsize = ptr(st.done), ptr(st.total)
		agentMem = s.host.agentMem * (1 + n.mem)
		agentDisk = s.rate * clamp(1+n.disk/4, 0.9, 1.1) // it reads what it sends
		if block := s.task.Type == "MIGRATE_BLOCK" || s.task.OSType == "WINDOWS"; block {
			agentCPU += busy * 22 * clamp(1+n.cpu, 0.7, 1.3) // compression and encryption
			n.compress = ar(s.rng, n.compress, 0.9, 0.03)
			rep.CompressRate = ptr(round2(s.host.compress * clamp(1+n.compress, 0.8, 1.2)))
		} else {
			agentCPU += busy * 14 * clamp(1+n.cpu, 0.7, 1.3)
		}
		switch left := st.total - st.done; {
		case left == 0:
			rep.RemainTime = ptr(int64(0))
		case s.rate > 0:
			rep.RemainTime = ptr(int64(math.Ceil(float64(left) / (s.rate * bytesPerMbit))))
		case st.copied > 0:
			// Stalled: the estimate the agent had, from its average rate so far.
			avg := float64(st.copied) / st.copyTime.Seconds()
			rep.RemainTime = ptr(int64(math.Ceil(float64(left) / avg)))
		}
	} else {
		// Outside the copy the figures are the full migration's: nothing or everything copied.
		rep.Replicatesize, rep.Totalsize = ptr(s.migrated), ptr(s.size)
	}
	rep.AgentCPUUsage = ptr(round2(clamp(agentCPU, 0, 100)))
	rep.TotalCPUUsage = ptr(round2(clamp(s.host.cpuBase*(1+n.cpu)+agentCPU, 0, 100)))
	rep.AgentMemUsage = ptr(round2(agentMem))
	rep.TotalMemUsage = ptr(round2(clamp(s.host.memBase*(1+n.mem)+agentMem, 0, 1048576)))
	rep.AgentDiskIO = ptr(round2(clamp(agentDisk, 0, 10000)))
	rep.TotalDiskIO = ptr(round2(clamp(s.host.diskBase*clamp(1+n.disk, 0.2, 2)+agentDisk, 0, 10000)))
	return rep
}

// trace is the process_trace of a report on the step.
func (s *Sim) trace(st *step) string {
	if st.transfer {
		t := fmt.Sprintf("Replicated %.2f GiB of %.2f GiB", float64(st.done)/gib, float64(st.total)/gib)
		if s.now < s.stallUntil {
			t += "; waiting for data: the transfer has stalled"
		}
		return t
	}
	switch {
	case st.name == "CREATE_CLOUD_SERVER":
		return "Creating the target server"
	case st.name == "SSL_CONFIG":
		return "Setting up the secure transmission channel to the target server"
	case st.name == "ATTACH_AGENT_IMAGE":
		return "Booting the target server from the agent image"
	case strings.HasPrefix(st.name, "FORMAT_DISK"):
		return "Partitioning and formatting the target disks"
	case st.name == "CONFIGURE_WINDOWS":
		return "Configuring the target server: drivers, registry, boot configuration"
	case strings.HasPrefix(st.name, "CONFIGURE"):
		return "Configuring the target server: drivers, boot loader, fstab, network"
	case st.name == lifecycle.LastMigrationSubTask:
		return "Detaching the agent image and restarting the target server"
	}
	return st.name
}

// ar is one step of a first-order autoregressive process: it drifts back to 0 at rate 1-phi
// and wanders by sigma.
func ar(rng *rand.Rand, x, phi, sigma float64) float64 { return phi*x + sigma*rng.NormFloat64() }

// drawDelay is a delay of up to seconds, to the millisecond.
func drawDelay(rng *rand.Rand, seconds float64) time.Duration {
	return time.Duration(uniform(rng, 0, seconds)*1000) * time.Millisecond
}

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func clamp(x, lo, hi float64) float64 { return min(hi, max(lo, x)) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func ptr[T any](v T) *T { return &v }
