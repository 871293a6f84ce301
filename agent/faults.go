package agent

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"smslab/lifecycle"
)

// FaultKind is what goes wrong in a migration.
type FaultKind int

// The faults an agent can play.
const (
	// Fail makes the task fail with an SMS error: MIGRATE_FAIL, or SYNC_FAIL in a
	// synchronization.
	Fail FaultKind = iota + 1
	// Stall drops the transfer rate to zero for a while; the agent keeps reporting.
	Stall
	// Disconnect cuts the agent off from SMS for a while: it reports nothing, the copy to the
	// target server goes on, and it resumes reporting when it reconnects.
	Disconnect
)

func (k FaultKind) String() string {
	switch k {
	case Fail:
		return "fail"
	case Stall:
		return "stall"
	case Disconnect:
		return "disconnect"
	}
	return "fault"
}

// FaultSpec is one -fail flag: a fault and the task, or share of tasks, it strikes.
type FaultSpec struct {
	Kind FaultKind
	// TaskID is the task struck; empty when Share is.
	TaskID string
	// Share is the percentage of the tasks struck, chosen at random from the run's seed.
	Share int
	// Stage is where it strikes: a sub-task (MIGRATE_LINUX_FILE) or a stage word that picks the
	// task's own sub-task of that stage (MIGRATE).
	Stage string
	// Percent is the sub-task's progress at which it strikes; -1 means chosen at random.
	Percent int32
	// Code is the SMS error of a Fail; empty means the stage's usual one.
	Code string
	// For is how long a Stall or Disconnect lasts, in simulated time.
	For time.Duration

	text string
}

func (f FaultSpec) String() string { return f.text }

// stageWords are the words that name a stage whatever the task's sequence; a word matches the
// task's sub-task that is named so or starts with it and an underscore.
var stageWords = []string{"CREATE", "SSL", "ATTACH", "FORMAT", "MIGRATE", "CONFIGURE", "DETTACH", "SYNC"}

// FaultSyntax describes -fail specs, for usage texts.
const FaultSyntax = `task=ID|random=N%|stall=ID|N%|disconnect=ID|N%[,at=SUBTASK[:P]][,code=SMS.NNNN][,for=DURATION]`

// ParseFault reads a -fail spec: a first key that says the fault and whom it strikes
// (task=ID or random=N% for a failure, stall=ID|N%, disconnect=ID|N%), then at=SUBTASK[:P]
// (default MIGRATE at a random progress), code=SMS.NNNN for a failure, for=DURATION for a stall
// (default 10m) or a disconnection (default 2m).
func ParseFault(spec string) (FaultSpec, error) {
	f := FaultSpec{Stage: "MIGRATE", Percent: -1, text: spec}
	fail := func(format string, args ...any) (FaultSpec, error) {
		return FaultSpec{}, fmt.Errorf("-fail %q: %s (want %s)", spec, fmt.Sprintf(format, args...), FaultSyntax)
	}
	seen := map[string]bool{}
	for i, part := range strings.Split(spec, ",") {
		key, value, ok := strings.Cut(part, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || value == "" {
			return fail("%q is not key=value", part)
		}
		if seen[key] {
			return fail("%s is given twice", key)
		}
		seen[key] = true
		if i == 0 {
			var err error
			switch key {
			case "task":
				f.Kind, f.TaskID = Fail, value
			case "random":
				f.Kind = Fail
				if f.Share, err = share(value); err != nil {
					return fail("random: %v", err)
				}
			case "stall", "disconnect":
				f.Kind, f.For = Stall, 10*time.Minute
				if key == "disconnect" {
					f.Kind, f.For = Disconnect, 2*time.Minute
				}
				if strings.HasSuffix(value, "%") {
					if f.Share, err = share(value); err != nil {
						return fail("%s: %v", key, err)
					}
				} else {
					f.TaskID = value
				}
			default:
				return fail("it must start with task=, random=, stall= or disconnect=")
			}
			continue
		}
		switch key {
		case "at":
			stage, p, hasP := strings.Cut(value, ":")
			if !slices.Contains(stageWords, stage) && !slices.Contains(lifecycle.SubTasks(), stage) {
				return fail("at: %s is not a sub-task any task runs nor one of %s", stage, strings.Join(stageWords, ", "))
			}
			f.Stage = stage
			if hasP {
				n, err := strconv.Atoi(p)
				if err != nil || n < 0 || n > 99 {
					return fail("at: the progress %q must be a whole number from 0 to 99", p)
				}
				f.Percent = int32(n)
			}
		case "code":
			if f.Kind != Fail {
				return fail("code is for failures (task= or random=), not a %s", f.Kind)
			}
			if _, ok := lookupError(value); !ok {
				return fail("code: %s is not one of %s", value, strings.Join(ErrorCodes(), ", "))
			}
			f.Code = value
		case "for":
			if f.Kind == Fail {
				return fail("for is for stall= and disconnect=, not a failure")
			}
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return fail("for: %q is not a positive duration such as 90s or 10m", value)
			}
			f.For = d
		default:
			return fail("unknown key %q", key)
		}
	}
	return f, nil
}

func share(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
	if !strings.HasSuffix(v, "%") || err != nil || n < 1 || n > 100 {
		return 0, fmt.Errorf("%q must be a percentage from 1%% to 100%%", v)
	}
	return n, nil
}

// Fault is a fault resolved for one task: the sub-task and progress where it strikes.
type Fault struct {
	Kind    FaultKind
	SubTask string
	Percent int32
	For     time.Duration
	Error   SMSError
}

func (f Fault) String() string {
	switch f.Kind {
	case Fail:
		return fmt.Sprintf("fail with %s at %s %d%%", f.Error.Code, f.SubTask, f.Percent)
	case Disconnect:
		return fmt.Sprintf("disconnect for %s at %s %d%%", f.For, f.SubTask, f.Percent)
	}
	return fmt.Sprintf("stall for %s at %s %d%%", f.For, f.SubTask, f.Percent)
}

// matchStage returns the step of the plan the stage names.
func matchStage(stage string, steps []string) (string, bool) {
	for _, name := range steps {
		if name == stage || slices.Contains(stageWords, stage) && strings.HasPrefix(name, stage+"_") {
			return name, true
		}
	}
	return "", false
}

// resolveFaults decides, for a run on tasks with their plans, which tasks each spec strikes and
// where. A spec that names a task must fit it (the task is in the run and has not passed the
// point yet); a share is of the tasks that fit, at least one when any does. Random choices come
// from the seed alone, so a seeded run strikes the same tasks at the same points.
func resolveFaults(specs []FaultSpec, tasks []Task, plans map[string]plan, seed int64) (map[string][]Fault, error) {
	ids := make([]string, 0, len(tasks))
	byID := map[string]Task{}
	for _, t := range tasks {
		ids = append(ids, t.ID)
		byID[t.ID] = t
	}
	slices.Sort(ids)
	out := map[string][]Fault{}
	for i, spec := range specs {
		rng := rand.New(rand.NewPCG(uint64(seed), hashString(fmt.Sprintf("fault %d", i))))
		candidates := ids
		if spec.TaskID != "" {
			if _, ok := byID[spec.TaskID]; !ok {
				return nil, fmt.Errorf("-fail %q: task %s is not among the tasks this run migrates", spec, spec.TaskID)
			}
			candidates = []string{spec.TaskID}
		}
		var fits []Fault
		var fitIDs []string
		for _, id := range candidates {
			fault, err := spec.resolve(byID[id], plans[id], rng)
			if err != nil {
				if spec.TaskID != "" {
					return nil, fmt.Errorf("-fail %q: %v", spec, err)
				}
				continue
			}
			fits = append(fits, fault)
			fitIDs = append(fitIDs, id)
		}
		picked := rng.Perm(len(fits))
		if spec.TaskID == "" {
			n := int(math.Round(float64(spec.Share) / 100 * float64(len(fits))))
			picked = picked[:min(len(fits), max(n, 1))]
		}
		for _, k := range picked {
			out[fitIDs[k]] = append(out[fitIDs[k]], fits[k])
		}
	}
	return out, nil
}

// resolve places the spec on a task with its plan.
func (spec FaultSpec) resolve(t Task, p plan, rng *rand.Rand) (Fault, error) {
	sub, ok := matchStage(spec.Stage, p.steps)
	if !ok {
		return Fault{}, fmt.Errorf("task %s does not run %s in this run (it runs %s)", t.ID, spec.Stage, strings.Join(p.steps, ", "))
	}
	from := int32(0)
	if sub == p.steps[0] {
		from = p.resume
	}
	percent := spec.Percent
	if percent < 0 {
		lo := max(5, from)
		if lo > 95 {
			return Fault{}, fmt.Errorf("task %s is at %s %d%% already", t.ID, sub, from)
		}
		percent = lo + rng.Int32N(96-lo)
	}
	if percent < from {
		return Fault{}, fmt.Errorf("task %s is past %s %d%% already (it resumes at %d%%)", t.ID, sub, percent, from)
	}
	f := Fault{Kind: spec.Kind, SubTask: sub, Percent: percent, For: spec.For}
	if spec.Kind == Fail {
		code := spec.Code
		if code == "" {
			code = defaultErrorFor(sub, t.Type)
		}
		f.Error, _ = lookupError(code)
	}
	return f, nil
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
