package main

import (
	"slices"
	"testing"
	"time"

	"smslab/agent"
	"smslab/lifecycle"
)

// The lab's population is N running tasks, one per agent, and each can run.
func TestLabPopulationRuns(t *testing.T) {
	idx := population{n: 500, lab: true}.indices()
	if len(idx) != 500 || !slices.IsSorted(idx) {
		t.Fatalf("%d indices (sorted %v), want 500 in order", len(idx), slices.IsSorted(idx))
	}
	for _, i := range idx {
		task := taskAt(i)
		if *task.State != lifecycle.Running {
			t.Fatalf("task %d is %s, want RUNNING", i, *task.State)
		}
		if _, err := agent.NewSim(agent.TaskFrom(task), agent.SimConfig{Seed: 1}); err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
	}
}

// The reports asked in a window are those the agents' schedules put in it: a report every
// interval from each agent's start, within 10 s, so a window that opens after every start holds
// window/interval reports an agent, give or take the sub-tasks that start or end in it.
func TestReportsDue(t *testing.T) {
	pop := population{n: 200, lab: true}
	lc := labConfig{speedup: 1, interval: 5 * time.Second, warmup: 12 * time.Second}
	due := reportsDue(pop, lc, 20*time.Second)
	if lo, hi := 4*pop.n, 5*pop.n; due < lo || due > hi {
		t.Errorf("%d reports due in 20 s from 200 agents reporting every 5 s, want %d to %d", due, lo, hi)
	}
	// At speed-up 2 the same window holds twice the simulated time, and about twice the reports.
	lc.speedup = 2
	if twice := reportsDue(pop, lc, 20*time.Second); twice < 2*due*9/10 || twice > 2*due*11/10 {
		t.Errorf("at speed-up 2: %d reports due, want about %d", twice, 2*due)
	}
}

func TestParseCounts(t *testing.T) {
	got, err := parseCounts("1k, 10000,50K")
	if err != nil || !slices.Equal(got, []int{1000, 10000, 50000}) {
		t.Errorf("parseCounts: %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "x", "-1k"} {
		if _, err := parseCounts(bad); err == nil {
			t.Errorf("parseCounts(%q) accepted", bad)
		}
	}
}
