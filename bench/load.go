package main

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"smslab/lifecycle"
)

// kind is the kind of a request: a progress report or a task listing.
type kind int

const (
	progressKind kind = iota
	listKind
	kinds
)

func (k kind) String() string { return [...]string{"progress", "list"}[k] }

// workload says what the clients of a scenario send.
type workload struct {
	// progressShare is the fraction of requests that are progress reports; the rest are listings.
	progressShare float64
	// stateShare is the fraction of listings that filter on a state.
	stateShare float64
	// sources makes the listings ListServers (GET /v3/sources) rather than ListTasks.
	sources bool
	// commands makes them agents' polls (ShowCommand, GET /v3/sources/{id}/command) of random
	// source servers, counted with the listings.
	commands bool
}

// target is a server under load and what the clients know about its tasks.
type target struct {
	addr        string // host:port
	tokenHeader string
	token       string
	tasks       int
	// stateCounts holds, for each state in taskStates, how many tasks are in it; a filtered
	// listing draws its offset from 0 to that count, so that it asks for a real page (an empty
	// one only when the draw is the count itself).
	stateCounts counts
}

// counts is how many tasks each state in taskStates holds, as last read. Reports move tasks
// between states as a run goes (READY to RUNNING above all), so a run that mixes them with
// filtered listings reads the counts again (loadOptions.recount).
type counts []atomic.Int64

func newCounts(n []int) counts {
	c := make(counts, len(n))
	c.set(n)
	return c
}

func (c counts) set(n []int) {
	for i := range c {
		c[i].Store(int64(n[i]))
	}
}

func (c counts) of(state int) int { return int(c[state].Load()) }

// recountEvery is how often a run that mixes reports and filtered listings reads the counts again.
const recountEvery = 500 * time.Millisecond

// maxOffset is the largest offset ListTasks accepts.
const maxOffset = 65535

// runResult is one measurement: its clients' latencies by kind, and what went wrong.
type runResult struct {
	latencies [kinds][]time.Duration
	errors    int64
	errSample []string
	acks      []*ackLog
}

// ackLog is what one client knows about the reports it sent: for each task, the last report the
// server acknowledged, and the report still in flight when the run stopped, if any.
type ackLog struct {
	acked    map[int]report
	recent   []int // the tasks of the latest acknowledgements, oldest first
	inflight report
	pending  bool
}

// report identifies a progress report by the sub-task it named and its unique process trace.
type report struct {
	task    int
	subTask string
	trace   string
}

// loadOptions sets the timing of a run.
type loadOptions struct {
	clients  int
	warmup   time.Duration
	duration time.Duration
	// newTransport makes each client's connection to the server.
	newTransport func(addr string) transport
	// kill, if set, is called as soon as the measured window ends, while clients are still
	// sending: it kills the server. Transport failures from then on are not counted (answers that
	// are not a 2xx still are), and each client stops after its request in flight, which it
	// keeps as the one whose fate is unknown. beforeKill, if set, runs just before, while the
	// clients still send as in the window.
	beforeKill, kill func()
	// window, if set, is called when the measured window starts and when it ends.
	window func(start bool)
	// recount, if set, reads the state counts again; generate calls it every recountEvery.
	recount func() ([]int, error)
}

// generate runs opt.clients clients in a closed loop against t for opt.warmup, then measures for
// opt.duration. Only requests that start and end inside the measured window are timed; errors are
// counted from the first request. Each client sends its progress reports to its own share of the
// tasks (task i belongs to client i mod C), so that the last acknowledged report of every task is
// well defined for the durability check.
func generate(ctx context.Context, t target, w workload, opt loadOptions) *runResult {
	start := time.Now()
	measureFrom := start.Add(opt.warmup)
	end := measureFrom.Add(opt.duration)
	// stopped is set when the window ends; killed just before the server is killed.
	var stopped, killed atomic.Bool

	r := &runResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := range opt.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := newClient(t, w, c, opt.clients)
			tr := opt.newTransport(t.addr)
			defer tr.close()
			for !stopped.Load() && !killed.Load() && ctx.Err() == nil {
				req := cl.next()
				if req.kind == progressKind {
					cl.acks.inflight, cl.acks.pending = req.rep, true
				}
				t0 := time.Now()
				err := tr.do(req)
				t1 := time.Now()
				if err != nil {
					if status := (*statusError)(nil); !killed.Load() || errors.As(err, &status) {
						cl.errors++
						if len(cl.errSample) < 3 {
							cl.errSample = append(cl.errSample, req.method+" "+req.target+": "+err.Error())
						}
					}
					continue
				}
				if req.kind == progressKind {
					cl.acks.acked[req.rep.task] = req.rep
					cl.acks.pending = false
					if len(cl.acks.recent) == recentAcks {
						cl.acks.recent = append(cl.acks.recent[:0], cl.acks.recent[1:]...)
					}
					cl.acks.recent = append(cl.acks.recent, req.rep.task)
				}
				if !t0.Before(measureFrom) && !t1.After(end) {
					cl.latencies[req.kind] = append(cl.latencies[req.kind], t1.Sub(t0))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k := range kinds {
				r.latencies[k] = append(r.latencies[k], cl.latencies[k]...)
			}
			r.errors += cl.errors
			r.errSample = append(r.errSample, cl.errSample...)
			r.acks = append(r.acks, cl.acks)
		}()
	}
	if opt.recount != nil {
		go func() {
			tick := time.NewTicker(recountEvery)
			defer tick.Stop()
			for !stopped.Load() && !killed.Load() && ctx.Err() == nil {
				<-tick.C
				if n, err := opt.recount(); err == nil && !killed.Load() {
					t.stateCounts.set(n)
				}
			}
		}()
	}
	for _, at := range []time.Time{measureFrom, end} {
		select {
		case <-time.After(time.Until(at)):
		case <-ctx.Done():
		}
		if opt.window != nil {
			opt.window(at == measureFrom)
		}
	}
	if opt.kill != nil {
		if opt.beforeKill != nil {
			opt.beforeKill()
		}
		killed.Store(true)
		opt.kill()
	}
	stopped.Store(true)
	wg.Wait()
	return r
}

// request is one request a client sends. The client reuses it, and its body, for the next one.
type request struct {
	kind   kind
	method string
	target string // path and query
	body   []byte
	token  [2]string // header name and value
	rep    report    // for a progress report
}

// client is one closed-loop client: its random source, its requests and what it saw.
type client struct {
	t         target
	w         workload
	rng       *rand.Rand
	id, count int
	seq       int
	req       request
	latencies [kinds][]time.Duration
	errors    int64
	errSample []string
	acks      *ackLog
}

func newClient(t target, w workload, id, count int) *client {
	return &client{
		t: t, w: w, id: id, count: count,
		rng:  rand.New(rand.NewPCG(uint64(id)+1, 0x5eed)),
		req:  request{token: [2]string{t.tokenHeader, t.token}, body: make([]byte, 0, 512)},
		acks: &ackLog{acked: map[int]report{}},
	}
}

// next builds the client's next request.
func (c *client) next() *request {
	if c.rng.Float64() < c.w.progressShare {
		c.progress()
	} else {
		c.list()
	}
	return &c.req
}

// progress builds an UpdateTaskSpeed report on a random task of the client's share whose state
// takes reports, about one of the task's own sub-tasks, as an agent sends it.
func (c *client) progress() {
	share := (c.t.tasks - c.id + c.count - 1) / c.count
	if share <= 0 {
		share = 1 // more clients than tasks: the extra clients share task id mod N
	}
	var i int
	p := reportableTask(func() int {
		i = (c.id + c.count*c.rng.IntN(share)) % c.t.tasks
		return i
	})
	c.seq++
	rep := report{task: i, subTask: p.reportSubTask(c.rng),
		trace: "bench c" + strconv.Itoa(c.id) + " n" + strconv.Itoa(c.seq)}
	c.req.kind, c.req.method, c.req.rep = progressKind, http.MethodPut, rep
	c.req.target = "/v3/tasks/" + p.id + "/progress"
	c.req.body = progressBody(c.req.body[:0], c.rng, rep)
}

// progressBody is a valid UpdateTaskSpeed body for rep with varying figures.
// It appends to b.
func progressBody(b []byte, rng *rand.Rand, rep report) []byte {
	total := int64(1+rng.IntN(2000)) << 30
	progress := rng.IntN(101)
	if rep.subTask == lifecycle.LastMigrationSubTask {
		progress = rng.IntN(100) // at 100 it would end the migration, and the task's reports
	}
	b = append(b, `{"subtask_name":"`...)
	b = append(b, rep.subTask...)
	b = append(b, `","progress":`...)
	b = strconv.AppendInt(b, int64(progress), 10)
	b = append(b, `,"replicatesize":`...)
	b = strconv.AppendInt(b, total/100*int64(progress), 10)
	b = append(b, `,"totalsize":`...)
	b = strconv.AppendInt(b, total, 10)
	b = append(b, `,"process_trace":"`...)
	b = append(b, rep.trace...)
	b = append(b, `","migrate_speed":`...)
	b = strconv.AppendFloat(b, math.Round(rng.Float64()*10000)/10, 'f', -1, 64)
	b = append(b, `,"compress_rate":`...)
	b = strconv.AppendFloat(b, math.Round(rng.Float64()*300)/100, 'f', -1, 64)
	b = append(b, `,"remain_time":`...)
	b = strconv.AppendInt(b, int64(rng.IntN(86400)), 10)
	b = append(b, `,"total_cpu_usage":`...)
	b = strconv.AppendFloat(b, math.Round(rng.Float64()*1000)/10, 'f', -1, 64)
	b = append(b, `,"agent_cpu_usage":`...)
	b = strconv.AppendFloat(b, math.Round(rng.Float64()*300)/10, 'f', -1, 64)
	b = append(b, `,"total_mem_usage":`...)
	b = strconv.AppendInt(b, int64(rng.IntN(65536)), 10)
	b = append(b, `,"agent_mem_usage":`...)
	b = strconv.AppendInt(b, int64(rng.IntN(1024)), 10)
	b = append(b, `,"total_disk_io":`...)
	b = strconv.AppendFloat(b, math.Round(rng.Float64()*2000)/10, 'f', -1, 64)
	b = append(b, `,"agent_disk_io":`...)
	b = strconv.AppendFloat(b, math.Round(rng.Float64()*1000)/10, 'f', -1, 64)
	b = append(b, `,"need_migration_test":false,"agent_time":"2026-01-01 08:00:00"}`...)
	return b
}

// list builds GET /v3/tasks?limit=100 at a random offset, filtered on a random state for the
// workload's share of listings; or, for a workload of sources, GET /v3/sources?limit=100 at a
// random offset (every task has its source: there are as many).
func (c *client) list() {
	q := make([]byte, 0, 64)
	if c.w.commands {
		q = append(q, "/v3/sources/"...)
		q = append(q, taskID(c.rng.IntN(c.t.tasks)+1<<30)...)
		q = append(q, "/command"...)
		c.req.kind, c.req.method, c.req.target, c.req.body = listKind, http.MethodGet, string(q), c.req.body[:0]
		return
	}
	if c.w.sources {
		q = append(q, "/v3/sources?limit=100&offset="...)
		q = strconv.AppendInt(q, int64(c.rng.IntN(min(c.t.tasks, maxOffset)+1)), 10)
		c.req.kind, c.req.method, c.req.target, c.req.body = listKind, http.MethodGet, string(q), c.req.body[:0]
		return
	}
	q = append(q, "/v3/tasks?limit=100&offset="...)
	if c.rng.Float64() < c.w.stateShare {
		s := c.rng.IntN(len(taskStates))
		q = strconv.AppendInt(q, int64(c.rng.IntN(min(c.t.stateCounts.of(s), maxOffset)+1)), 10)
		q = append(q, "&state="...)
		q = append(q, taskStates[s]...)
	} else {
		q = strconv.AppendInt(q, int64(c.rng.IntN(min(c.t.tasks, maxOffset)+1)), 10)
	}
	c.req.kind, c.req.method, c.req.target, c.req.body = listKind, http.MethodGet, string(q), c.req.body[:0]
}

// stats summarises latencies measured over a window.
type stats struct {
	count              int
	rate               float64 // requests per second
	p50, p99, p999, mx time.Duration
}

func summarise(lat []time.Duration, window time.Duration) stats {
	if len(lat) == 0 {
		return stats{}
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration {
		return lat[max(0, int(math.Ceil(q*float64(len(lat))))-1)]
	}
	return stats{
		count: len(lat), rate: float64(len(lat)) / window.Seconds(),
		p50: at(0.50), p99: at(0.99), p999: at(0.999), mx: lat[len(lat)-1],
	}
}
