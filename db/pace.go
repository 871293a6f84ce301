package db

import (
	"fmt"
	"math"
	"sync"
	"time"

	"smslab/lifecycle"
)

// The thresholds of a task's health on the status page (docs/status-page.md, "Stalls and
// disconnects"): a moving task is flagged once it has been silent, or its copy has stood at
// 0 Mbit/s, for SilenceFactor times its usual report interval, and never sooner than
// MinSilence, so that a busy server's jitter is no alarm.
const (
	// DefaultReportInterval is a task's usual interval until it has sent two reports since
	// smslab started: the agents' own default.
	DefaultReportInterval = 10 * time.Second
	SilenceFactor         = 3
	MinSilence            = 2 * time.Second
)

// What a task's health is: fine, its copy stalled, or its agent gone.
const (
	HealthOK           = ""
	HealthStalled      = "stalled"
	HealthDisconnected = "disconnected"
)

// Health is how a moving (running or syncing) task fares at a moment, and why.
type Health struct {
	State  string // HealthOK, HealthStalled or HealthDisconnected
	Reason string // in words, for the page; empty when fine
	// Interval is the task's usual interval between reports, in ms (DefaultReportInterval until
	// it is known); Silent is how long it has sent none, in ms (since smslab started, if none).
	Interval, Silent int64
	// Copying says whether the task's last report was on a sub-task that copies data; Speed is
	// its rate then, in Mbit/s.
	Copying bool
	Speed   float64
}

// pace is what the status page knows of a task's reports since smslab started.
type pace struct {
	last      int64 // epoch ms of the last report
	interval  int64 // usual interval between reports, ms; 0 until two reports
	zeroSince int64 // when the copy's rate fell to 0 and stayed there; 0 while it moves
	copying   bool
	speed     float64
	source    string // the task's source server, whose agent's calls say whether it is there
}

// sizesEvery is how often the wave's sizes are read again from every task, to take in what
// imports and deletions changed; progress reports update them in memory at once.
const sizesEvery = time.Minute

// paces keeps, in memory, each task's reporting pace since smslab started: its last report, its
// usual interval and whether its copy stands still. It is lost on restart, as agentCalls is. It
// also keeps every task's reported sizes (bytes copied, to copy) for the wave's totals.
type paces struct {
	mu      sync.Mutex
	tasks   map[string]*pace
	since   int64               // when the store opened: a task that has not reported since is silent since then
	sizes   map[string][2]int64 // task id -> replicatesize, totalsize; nil until read
	sizesAt time.Time           // when they were last read from every task
}

func newPaces(since int64) *paces { return &paces{tasks: map[string]*pace{}, since: since} }

// record notes a report on task id, whose source is source, at time at (epoch ms), on subTask
// at progress, at speed Mbit/s (nil if the report gave none), with the sizes it gave.
func (p *paces) record(id, source string, at int64, subTask string, progress int32, speed *float64, replicated, total *int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.sizes == nil:
	case total != nil:
		p.sizes[id] = [2]int64{valueOf(replicated), *total}
	default:
		delete(p.sizes, id)
	}
	pc := p.tasks[id]
	if pc == nil {
		pc = &pace{}
		p.tasks[id] = pc
	}
	if gap := at - pc.last; pc.last > 0 && gap > 0 {
		switch {
		case pc.interval == 0:
			pc.interval = gap
		case gap <= 4*pc.interval: // a longer gap is an outage, not the pace
			pc.interval = (3*pc.interval + gap) / 4
		}
	}
	pc.last, pc.source = at, source
	pc.copying = lifecycle.CopiesData(subTask) && progress < 100
	pc.speed = 0
	if speed != nil {
		pc.speed = *speed
	}
	switch {
	case !pc.copying || pc.speed > 0:
		pc.zeroSince = 0
	case pc.zeroSince == 0:
		pc.zeroSince = at
	}
}

// sizesDue reports whether the sizes are to be read again from every task.
func (p *paces) sizesDue() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sizes == nil || time.Since(p.sizesAt) >= sizesEvery
}

// setSizes replaces the sizes with those read from every task.
func (p *paces) setSizes(sizes map[string][2]int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sizes, p.sizesAt = sizes, time.Now()
}

// forgetUnless drops the pace of every task for which exists is false: a deleted task's.
func (p *paces) forgetUnless(exists func(id string) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id := range p.tasks {
		if !exists(id) {
			delete(p.tasks, id)
		}
	}
}

// sumSizes returns how many tasks have a size, and their bytes copied and to copy.
func (p *paces) sumSizes() (n, replicated, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.sizes {
		n, replicated, total = n+1, replicated+s[0], total+s[1]
	}
	return n, replicated, total
}

// health returns how task id, in a running or syncing state, fares at now (epoch ms); calls
// says whether its agent still calls at all.
func (p *paces) health(id string, now int64, calls *agentCalls) Health {
	p.mu.Lock()
	pc, known := p.tasks[id]
	var c pace
	if known {
		c = *pc
	}
	p.mu.Unlock()
	h := Health{Interval: c.interval, Copying: c.copying, Speed: c.speed}
	if h.Interval == 0 {
		h.Interval = DefaultReportInterval.Milliseconds()
	}
	limit := max(SilenceFactor*h.Interval, MinSilence.Milliseconds())
	last := c.last
	if !known {
		last = p.since
	}
	h.Silent = max(now-last, 0)
	switch {
	case h.Silent > limit && !known:
		h.State = HealthDisconnected
		h.Reason = "no report since smslab started " + span(h.Silent) + " ago"
	case h.Silent > limit:
		times := fmt.Sprintf("%.0f times its usual %s", math.Floor(float64(h.Silent)/float64(h.Interval)), span(h.Interval))
		if at, ok := calls.lastCall(c.source); ok && at > c.last && now-at <= limit {
			h.State = HealthStalled
			h.Reason = "no progress report for " + span(h.Silent) + ", " + times + "; its agent still calls"
		} else {
			h.State = HealthDisconnected
			h.Reason = "agent not polling: nothing for " + span(h.Silent) + ", " + times
		}
	case c.copying && c.zeroSince > 0 && now-c.zeroSince > limit:
		h.State = HealthStalled
		h.Reason = "copy rate 0 Mbit/s for " + span(now-c.zeroSince)
	}
	return h
}

// span writes a duration in ms as the page does: "850 ms", "4.2 s", "42 s", "3 min 05 s", "2 h 10 min".
func span(ms int64) string {
	switch s := ms / 1000; {
	case ms < 1000:
		return fmt.Sprintf("%d ms", ms)
	case ms < 10_000:
		return fmt.Sprintf("%.1f s", float64(ms)/1000)
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %02d s", s/60, s%60)
	default:
		return fmt.Sprintf("%d h %02d min", s/3600, s%3600/60)
	}
}
