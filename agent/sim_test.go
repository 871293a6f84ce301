package agent

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/lifecycle"
	"smslab/sms"
)

var simStart = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// simEvents runs a Sim to its end, reporting every DefaultInterval.
func simEvents(t *testing.T, task Task, seed int64, specs ...string) []Event {
	t.Helper()
	return simEventsEvery(t, DefaultInterval, task, seed, specs...)
}

func simEventsEvery(t *testing.T, interval time.Duration, task Task, seed int64, specs ...string) []Event {
	t.Helper()
	p, err := planFor(task)
	if err != nil {
		t.Fatal(err)
	}
	var parsed []FaultSpec
	for _, s := range specs {
		f, err := ParseFault(s)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	faults, err := resolveFaults(parsed, []Task{task}, map[string]plan{task.ID: p}, seed)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := NewSim(task, SimConfig{Seed: seed, Interval: interval, Start: simStart, Faults: faults[task.ID]})
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	for {
		ev, ok := sim.Next()
		if !ok {
			return events
		}
		events = append(events, ev)
		if len(events) > 100000 {
			t.Fatal("the simulation does not end")
		}
	}
}

func newTask(id, taskType, osType, state string) Task {
	return Task{ID: id, Name: id, Type: taskType, OSType: osType, State: state, Progress: map[string]int32{}}
}

// checkSeries holds a series of events to what an SMS agent's reports must be: every report
// valid for the API; time and per-sub-task progress never going back; sub-tasks in the order of
// the task's sequence; bytes within bounds and growing at the reported rate; the remaining time
// what the rate and the bytes left say; the rate under the speed limit; agent_time on the
// simulated clock.
func checkSeries(t *testing.T, task Task, events []Event) {
	t.Helper()
	dec := sms.NewDecoder()
	seq, err := lifecycle.SequenceFor(task.Type, task.OSType, task.Syncing)
	if err != nil {
		t.Fatal(err)
	}
	order := append(slices.Clone(seq.Migration), seq.Sync)
	var prev *Event
	lastIndex := -1
	progress := map[string]int32{}
	for i := range events {
		ev := &events[i]
		if prev != nil && ev.At < prev.At {
			t.Fatalf("event %d at %v, before the previous one at %v", i, ev.At, prev.At)
		}
		if ev.Fail != nil {
			if i != len(events)-1 {
				t.Fatalf("events after the failure: %d more", len(events)-1-i)
			}
			continue
		}
		r := ev.Report
		body, err := json.Marshal(r, json.OmitZeroStructFields(true))
		if err != nil {
			t.Fatal(err)
		}
		if err := dec.Decode(body, &sms.ProgressReport{}); err != nil {
			t.Fatalf("report %d is not valid for the API: %v\n%s", i, err, body)
		}
		name := *r.SubtaskName
		idx := slices.Index(order, name)
		if idx < lastIndex || idx < 0 {
			t.Fatalf("report %d on %s: out of the sequence %v", i, name, order)
		}
		if idx > lastIndex && lastIndex >= 0 && progress[order[lastIndex]] != 100 {
			t.Fatalf("report %d starts %s before %s reached 100", i, name, order[lastIndex])
		}
		lastIndex = idx
		if p, seen := progress[name]; seen && *r.Progress < p {
			t.Fatalf("report %d: %s progress %d after %d", i, name, *r.Progress, p)
		}
		progress[name] = *r.Progress
		if *r.Replicatesize > *r.Totalsize || *r.Replicatesize < 0 {
			t.Fatalf("report %d: replicatesize %d of totalsize %d", i, *r.Replicatesize, *r.Totalsize)
		}
		speed := *r.MigrateSpeed
		if task.SpeedLimit > 0 && speed > float64(task.SpeedLimit) {
			t.Fatalf("report %d: migrate_speed %v over the speed limit %d", i, speed, task.SpeedLimit)
		}
		if want := simStart.Add(ev.At).Format(AgentTimeLayout); *r.AgentTime != want {
			t.Fatalf("report %d: agent_time %s, want %s (simulated time %v)", i, *r.AgentTime, want, ev.At)
		}
		if isTransfer(name) {
			left := *r.Totalsize - *r.Replicatesize
			wantProgress := int32(*r.Replicatesize * 100 / *r.Totalsize)
			if *r.Progress != wantProgress {
				t.Fatalf("report %d: progress %d for %d of %d bytes", i, *r.Progress, *r.Replicatesize, *r.Totalsize)
			}
			switch {
			case left == 0:
				if r.RemainTime == nil || *r.RemainTime != 0 {
					t.Fatalf("report %d: nothing left but remain_time %v", i, r.RemainTime)
				}
			case speed > 0:
				exact := float64(left) * 8 / (speed * 1e6)
				if r.RemainTime == nil || math.Abs(float64(*r.RemainTime)-exact) > 1 {
					t.Fatalf("report %d: remain_time %v, want %.1f s for %d bytes at %v Mbit/s", i, r.RemainTime, exact, left, speed)
				}
			case r.RemainTime != nil && prev != nil && *prev.Report.SubtaskName == name && *prev.Report.MigrateSpeed == 0 &&
				prev.Report.RemainTime != nil && *r.RemainTime != *prev.Report.RemainTime:
				// At rate 0 the estimate is the average rate's, which holds while nothing moves.
				t.Fatalf("report %d: remain_time %d at rate 0 after %d", i, *r.RemainTime, *prev.Report.RemainTime)
			}
			if prev != nil && prev.Report != nil && *prev.Report.SubtaskName == name {
				pr := prev.Report
				if *r.Totalsize != *pr.Totalsize {
					t.Fatalf("report %d: totalsize changed within %s", i, name)
				}
				if *r.Replicatesize < *pr.Replicatesize {
					t.Fatalf("report %d: replicatesize went back from %d to %d", i, *pr.Replicatesize, *r.Replicatesize)
				}
				// Over one interval the bytes grow at the reported rate; over a silence
				// (disconnection) several rates add up.
				if dt := ev.At - prev.At; dt > 0 && dt <= DefaultInterval {
					got := float64(*r.Replicatesize - *pr.Replicatesize)
					want := speed * 1e6 / 8 * dt.Seconds()
					if math.Abs(got-want) > 1+want*1e-6 {
						t.Fatalf("report %d: %v bytes in %v at %v Mbit/s, want %.0f", i, got, dt, speed, want)
					}
				}
			}
		} else if speed != 0 || r.RemainTime != nil {
			t.Fatalf("report %d on %s: migrate_speed %v, remain_time %v outside a copy", i, name, speed, r.RemainTime)
		}
		prev = ev
	}
}

func TestSimSeries(t *testing.T) {
	limited := newTask("limited", "MIGRATE_FILE", "LINUX", "READY")
	limited.SpeedLimit = 100
	syncing := newTask("syncing", "MIGRATE_BLOCK", "WINDOWS", "READY")
	syncing.Syncing = true
	tests := []struct {
		name      string
		task      Task
		faults    []string
		wantLast  string
		wantState string
	}{
		{"linux file", newTask("web-01", "MIGRATE_FILE", "LINUX", "READY"), nil, "DETTACH_AGENT_IMAGE", ""},
		{"linux block", newTask("db-01", "MIGRATE_BLOCK", "LINUX", "READY"), nil, "DETTACH_AGENT_IMAGE", ""},
		{"speed limit", limited, nil, "DETTACH_AGENT_IMAGE", ""},
		{"windows block, syncing", syncing, nil, "SYNC_WINDOWS_BLOCK", ""},
		{"stall and disconnect", newTask("web-02", "MIGRATE_FILE", "LINUX", "READY"),
			[]string{"stall=web-02,at=MIGRATE:20,for=15m", "disconnect=web-02,at=MIGRATE:60,for=5m"}, "DETTACH_AGENT_IMAGE", ""},
		{"fail", newTask("web-03", "MIGRATE_FILE", "LINUX", "READY"),
			[]string{"task=web-03,at=MIGRATE_LINUX_FILE:40,code=SMS.1805"}, "MIGRATE_LINUX_FILE", "MIGRATE_FAIL"},
		{"fail a sync", syncing, []string{"task=syncing,at=SYNC:70"}, "SYNC_WINDOWS_BLOCK", "SYNC_FAIL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := simEvents(t, tt.task, 7, tt.faults...)
			checkSeries(t, tt.task, events)
			last := events[len(events)-1]
			if tt.wantState != "" {
				if last.Fail == nil || last.Fail.State != tt.wantState {
					t.Fatalf("the last event is %+v, want a failure to %s", last, tt.wantState)
				}
				last = events[len(events)-2]
			} else if last.Report == nil || *last.Report.Progress != 100 {
				t.Fatalf("the last event is %+v, want a report at 100", last)
			}
			if got := *last.Report.SubtaskName; got != tt.wantLast {
				t.Errorf("the last report is on %s, want %s", got, tt.wantLast)
			}
		})
	}
}

func TestSimFailsWhereTheSpecSays(t *testing.T) {
	task := newTask("erp-01", "MIGRATE_FILE", "LINUX", "READY")
	events := simEvents(t, task, 3, "task=erp-01,at=MIGRATE_LINUX_FILE:40,code=SMS.1805")
	fail, rep := events[len(events)-1], events[len(events)-2].Report
	if *rep.SubtaskName != "MIGRATE_LINUX_FILE" || *rep.Progress != 40 ||
		*rep.ProcessTrace != "write failed on /data: No space left on device (28)" {
		t.Errorf("last report: %s %d%% %q", *rep.SubtaskName, *rep.Progress, *rep.ProcessTrace)
	}
	want := `{"error_code":"SMS.1805","error_msg":"Disk space on the target server is insufficient.","error_param":["/data"]}`
	if fail.Fail == nil || fail.Fail.State != "MIGRATE_FAIL" || fail.Fail.ErrorJSON != want || fail.At != events[len(events)-2].At {
		t.Errorf("failure %+v, want MIGRATE_FAIL with %s at the last report's time", fail.Fail, want)
	}

	// Each stage fails with its usual error unless a code is given.
	windows := newTask("win-01", "MIGRATE_BLOCK", "WINDOWS", "READY")
	events = simEvents(t, windows, 3, "task=win-01,at=CONFIGURE:10")
	want = `{"error_code":"SMS.0210","error_msg":"Failed to create file C:\\Windows\\System32\\drivers\\etc\\hosts on target server","error_param":["C:\\Windows\\System32\\drivers\\etc\\hosts"]}`
	if got := events[len(events)-1].Fail; got == nil || got.ErrorJSON != want {
		t.Errorf("failure %+v, want %s", got, want)
	}
}

func TestSimStallsAndDisconnects(t *testing.T) {
	task := newTask("web-02", "MIGRATE_BLOCK", "LINUX", "READY")
	events := simEvents(t, task, 11, "stall=web-02,at=MIGRATE:20,for=15m", "disconnect=web-02,at=MIGRATE:60,for=5m")
	var stalledFrom, stalledTo time.Duration = -1, -1
	var longestGap time.Duration
	for i, ev := range events {
		r := ev.Report
		if *r.SubtaskName != "MIGRATE_LINUX_BLOCK" {
			continue
		}
		if *r.MigrateSpeed == 0 && *r.Progress == 20 && i > 0 && *events[i-1].Report.SubtaskName == "MIGRATE_LINUX_BLOCK" {
			if stalledFrom < 0 {
				stalledFrom = events[i-1].At
			}
			stalledTo = ev.At
		}
		if i > 0 {
			longestGap = max(longestGap, ev.At-events[i-1].At)
		}
	}
	// The stall reports rate 0 from its start to its end, 15 minutes on.
	if stalledFrom < 0 || stalledTo-stalledFrom != 15*time.Minute {
		t.Errorf("stalled from %v to %v, want 15m", stalledFrom, stalledTo)
	}
	// The disconnection is a silence of 5 minutes.
	if longestGap != 5*time.Minute {
		t.Errorf("the longest silence is %v, want 5m", longestGap)
	}
}

func TestSimResumesWhereTheTaskIs(t *testing.T) {
	task := newTask("db-orders", "MIGRATE_BLOCK", "LINUX", "RUNNING")
	for _, name := range []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE", "FORMAT_DISK_LINUX_BLOCK"} {
		task.Progress[name] = 100
	}
	task.Progress["MIGRATE_LINUX_BLOCK"] = 63
	events := simEvents(t, task, 1)
	first := events[0].Report
	if *first.SubtaskName != "MIGRATE_LINUX_BLOCK" || *first.Progress != 63 || *first.Replicatesize != (*first.Totalsize*63+99)/100 {
		t.Errorf("first report: %s %d%% %d/%d", *first.SubtaskName, *first.Progress, *first.Replicatesize, *first.Totalsize)
	}
	checkSeries(t, task, events)

	// A syncing task resumes its pass; one whose migration succeeded runs a new pass.
	sync := newTask("file-share", "MIGRATE_BLOCK", "WINDOWS", "SYNCING")
	sync.Syncing = true
	sync.Progress["SYNC_WINDOWS_BLOCK"] = 55
	if r := simEvents(t, sync, 1)[0].Report; *r.SubtaskName != "SYNC_WINDOWS_BLOCK" || *r.Progress != 55 {
		t.Errorf("first report of a SYNCING task: %s %d%%", *r.SubtaskName, *r.Progress)
	}
	sync.State = "MIGRATE_SUCCESS"
	if r := simEvents(t, sync, 1)[0].Report; *r.SubtaskName != "SYNC_WINDOWS_BLOCK" || *r.Progress != 0 {
		t.Errorf("first report of a MIGRATE_SUCCESS syncing task: %s %d%%", *r.SubtaskName, *r.Progress)
	}
}

func TestSimRefusesTasksThatCannotRun(t *testing.T) {
	tests := []struct {
		task Task
		want string
	}{
		{newTask("a", "MIGRATE_FILE", "LINUX", "MIGRATE_FAIL"), "the task is MIGRATE_FAIL: its migration failed"},
		{newTask("b", "MIGRATE_FILE", "LINUX", "MIGRATE_SUCCESS"), "the task is MIGRATE_SUCCESS: its migration has finished"},
		{newTask("c", "MIGRATE_FILE", "LINUX", "ABORT"), "the task is ABORT: it is stopped"},
		{newTask("d", "", "LINUX", "READY"), "no sub-task sequence"},
	}
	for _, tt := range tests {
		if _, err := NewSim(tt.task, SimConfig{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %s: %v, want %q", tt.task.ID, tt.task.State, err, tt.want)
		}
	}
}

func TestSimIsRepeatable(t *testing.T) {
	task := newTask("web-01", "MIGRATE_FILE", "LINUX", "READY")
	task.Syncing = true
	specs := []string{"stall=web-01,at=MIGRATE,for=3m", "disconnect=web-01,at=SYNC,for=1m"}
	a, b := simEvents(t, task, 42, specs...), simEvents(t, task, 42, specs...)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	if c := simEvents(t, task, 43, specs...); reflect.DeepEqual(a, c) {
		t.Fatal("runs with different seeds are the same")
	}
}

// A migration of a plausible server takes a plausible time: tens of minutes to hours.
func TestSimDurationsArePlausible(t *testing.T) {
	for _, kind := range [][2]string{{"MIGRATE_FILE", "LINUX"}, {"MIGRATE_BLOCK", "LINUX"}, {"MIGRATE_BLOCK", "WINDOWS"}} {
		for seed := range int64(20) {
			events := simEvents(t, newTask("t", kind[0], kind[1], "READY"), seed)
			if d := events[len(events)-1].At; d < 15*time.Minute || d > 8*time.Hour {
				t.Errorf("%v seed %d: the migration takes %v", kind, seed, d)
			}
		}
	}
}

// A fault whose point the copy reaches while the agent is disconnected strikes there, when the
// agent reports again: the copy does not run on past it in the silence.
func TestSimFaultsInsideADisconnection(t *testing.T) {
	task := newTask("web-03", "MIGRATE_BLOCK", "LINUX", "READY")
	for _, tt := range []struct {
		fault string
		check func(t *testing.T, events []Event)
	}{
		{"task=web-03,at=MIGRATE:60", func(t *testing.T, events []Event) {
			fail, last := events[len(events)-1], events[len(events)-2].Report
			if fail.Fail == nil || *last.SubtaskName != "MIGRATE_LINUX_BLOCK" || *last.Progress != 60 {
				t.Errorf("failed after a report on %s at %d%%, want MIGRATE_LINUX_BLOCK at 60%%", *last.SubtaskName, *last.Progress)
			}
		}},
		{"stall=web-03,at=MIGRATE:30,for=10m", func(t *testing.T, events []Event) {
			stalled := 0
			for _, ev := range events {
				if r := ev.Report; *r.SubtaskName == "MIGRATE_LINUX_BLOCK" && *r.Progress == 30 && *r.MigrateSpeed == 0 {
					stalled++
				}
			}
			if stalled < 2 {
				t.Errorf("%d reports of the copy stalled at 30%%, want the 10 minutes of the stall", stalled)
			}
		}},
	} {
		t.Run(tt.fault, func(t *testing.T) {
			tt.check(t, simEvents(t, task, 5, "disconnect=web-03,at=MIGRATE:20,for=5h", tt.fault))
		})
	}
}

// Agents start, and so report, at times spread to the millisecond: on whole seconds a wave's
// agents would report in bursts, a tenth of them at once.
func TestAgentsDoNotStartInStep(t *testing.T) {
	seconds := map[time.Duration]int{}
	for _, state := range []string{lifecycle.Running, lifecycle.Ready} {
		for i := range 200 {
			task := newTask(fmt.Sprintf("task-%s-%d", state, i), "MIGRATE_BLOCK", "LINUX", state)
			sim, err := NewSim(task, SimConfig{Seed: 1, Interval: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			ev, ok := sim.Next()
			if !ok {
				t.Fatalf("%s: no first event", task.ID)
			}
			seconds[ev.At.Truncate(time.Millisecond)]++
		}
	}
	if len(seconds) < 390 {
		t.Errorf("400 agents start at %d distinct milliseconds, want nearly one each", len(seconds))
	}
}
