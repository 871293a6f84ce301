package db

import (
	"context"
	"testing"

	"smslab/sms"
)

// A moving task is flagged once it has been silent, or its copy has stood at 0 Mbit/s, for
// SilenceFactor times its usual interval (and at least MinSilence), with the reason in words.
func TestPaceHealth(t *testing.T) {
	const t0 = int64(1_800_000_000_000)
	calls := newAgentCalls(func(context.Context, map[string]int64) error { return nil })
	defer calls.close()
	speed := func(v float64) *float64 { return &v }
	p := newPaces(t0)
	for i := range int64(5) { // every second, copying at 100 Mbit/s
		p.record("run", "src-1", t0+i*1000, "MIGRATE_LINUX_BLOCK", 40, speed(100), nil, nil)
		calls.record("src-1", t0+i*1000, false)
	}
	last := t0 + 4000
	for _, c := range []struct {
		name          string
		at            int64
		state, reason string
	}{
		{"reporting", last + 500, HealthOK, ""},
		{"late, within three intervals", last + 3000, HealthOK, ""},
		{"silent past three intervals", last + 3500, HealthDisconnected, "agent not polling: nothing for 3.5 s, 3 times its usual 1.0 s"},
		{"silent for long", last + 125_000, HealthDisconnected, "agent not polling: nothing for 2 min 05 s, 125 times its usual 1.0 s"},
	} {
		h := p.health("run", c.at, calls)
		if h.State != c.state || h.Reason != c.reason || h.Interval != 1000 || !h.Copying || h.Speed != 100 {
			t.Errorf("%s: %+v, want %q %q", c.name, h, c.state, c.reason)
		}
	}

	// The agent still calls (its command channel, say) but sends no report: stalled.
	calls.record("src-1", last+3400, false)
	if h := p.health("run", last+3500, calls); h.State != HealthStalled ||
		h.Reason != "no progress report for 3.5 s, 3 times its usual 1.0 s; its agent still calls" {
		t.Errorf("agent calling, no report: %+v", h)
	}

	// The rate falls to zero and stays there while reports keep coming.
	for i := range int64(6) {
		p.record("run", "src-1", last+1000+i*1000, "MIGRATE_LINUX_BLOCK", 40, speed(0), nil, nil)
	}
	if h := p.health("run", last+6000, calls); h.State != HealthStalled || h.Reason != "copy rate 0 Mbit/s for 5.0 s" {
		t.Errorf("rate at zero: %+v", h)
	}
	// A rate of zero outside a copy is no stall, nor is one that comes back.
	p.record("run", "src-1", last+7000, "CONFIGURE_LINUX_BLOCK", 10, speed(0), nil, nil)
	if h := p.health("run", last+7000, calls); h.State != HealthOK || h.Copying {
		t.Errorf("configuring: %+v", h)
	}

	// A gap much longer than the pace (an outage) does not become the usual interval.
	p.record("run", "src-1", last+60_000, "CONFIGURE_LINUX_BLOCK", 20, nil, nil, nil)
	if h := p.health("run", last+60_000, calls); h.Interval != 1000 {
		t.Errorf("after an outage the interval is %d ms", h.Interval)
	}

	// A task that has not reported since smslab started is silent since then; until it has
	// reported twice its interval is the default.
	limit := SilenceFactor * DefaultReportInterval.Milliseconds()
	if h := p.health("quiet", t0+limit, calls); h.State != HealthOK || h.Interval != DefaultReportInterval.Milliseconds() {
		t.Errorf("quiet at the limit: %+v", h)
	}
	if h := p.health("quiet", t0+limit+1000, calls); h.State != HealthDisconnected || h.Reason != "no report since smslab started 31 s ago" {
		t.Errorf("quiet: %+v", h)
	}
	// The shortest silence flagged is MinSilence, however fast a task reports.
	p.record("fast", "", t0, "MIGRATE_LINUX_FILE", 1, speed(5), nil, nil)
	p.record("fast", "", t0+100, "MIGRATE_LINUX_FILE", 2, speed(5), nil, nil)
	if h := p.health("fast", t0+100+MinSilence.Milliseconds(), calls); h.State != HealthOK {
		t.Errorf("fast, at MinSilence: %+v", h)
	}
	if h := p.health("fast", t0+101+MinSilence.Milliseconds(), calls); h.State != HealthDisconnected {
		t.Errorf("fast, past MinSilence: %+v", h)
	}
}

// A deleted task's pace goes when the wave's sizes are read again, so a lab that creates and
// deletes tasks for days does not keep them all in memory.
func TestWaveForgetsDeletedTasks(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	if err := store.Import(ctx, []sms.Task{{ID: ptr("kept"), State: ptr("READY")}, {ID: ptr("gone"), State: ptr("READY")}}); err != nil {
		t.Fatal(err)
	}
	// Both reported (a RUNNING task cannot be deleted: its pace is recorded as a report would).
	for _, id := range []string{"kept", "gone"} {
		store.paces.record(id, "", store.Now().UnixMilli(), "SSL_CONFIG", 5, nil, nil, nil)
	}
	if err := store.DeleteTasks(ctx, []string{"gone"}); err != nil {
		t.Fatal(err)
	}
	store.paces.setSizes(nil) // due again
	if _, err := store.WaveTotals(ctx, store.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	store.paces.mu.Lock()
	defer store.paces.mu.Unlock()
	if _, ok := store.paces.tasks["gone"]; ok {
		t.Error("the deleted task's pace is still kept")
	}
	if _, ok := store.paces.tasks["kept"]; !ok {
		t.Error("the remaining task's pace was dropped")
	}
}
