package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smslab/seed"
)

// While `smslab -demo` plays its lab, and after, no duration ListTasks shows is longer than the
// demo has run: from DemoHistory before it was seeded (its oldest date) until now. Fixed dates in
// the demo once made a running task's total_time hundreds of hours.
func TestRunDemoDurationsFollowTheClock(t *testing.T) {
	seeded := time.Now()
	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "demo.db"),
		"-demo", "-demo-speedup", "1e9")
	// The operator's last step, and most of the wave settled: the agents stay, polling.
	played := waitUntil(60*time.Second, func() bool {
		if !strings.Contains(s.stderr.String(), `msg="operator tested a migrated task's target server and cloned it"`) {
			return false
		}
		finished := 0
		for _, task := range s.list(t, "limit=100").Tasks {
			if task.TotalTime != nil {
				finished++
			}
		}
		return finished >= 8
	})
	if !played {
		t.Fatalf("the demo lab did not play within 60s\n%s", s.stderr)
	}
	list := s.list(t, "limit=100")
	now := time.Now().UnixMilli()
	ran := now - seeded.Add(-seed.DemoHistory).UnixMilli()
	if list.Count < 19 {
		t.Fatalf("%d tasks, want the 19 of the demo and the operator's", list.Count)
	}
	finished := 0
	for _, task := range list.Tasks {
		name := *task.Name
		if task.TotalTime != nil {
			finished++
			if *task.TotalTime > ran {
				t.Errorf("%s: total_time %s, but the demo has run %s", name, ms(*task.TotalTime), ms(ran))
			}
		}
		for _, st := range task.SubTasks {
			if st.StartDate == nil {
				continue
			}
			end := now
			if st.EndDate != nil {
				end = *st.EndDate
			}
			if took := end - *st.StartDate; took > ran || took < 0 || end > now {
				t.Errorf("%s: sub-task %s from %d to %d (took %s), but the demo has run %s", name, *st.Name, *st.StartDate, end, ms(took), ms(ran))
			}
		}
	}
	if finished < 8 {
		t.Errorf("%d tasks have a total_time after the wave, want the 5 seeded and the wave's", finished)
	}
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
