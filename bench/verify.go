package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// recentAcks is how many of its latest acknowledged reports each client remembers in order: those
// are the ones a server that answers before committing would lose in a crash.
const recentAcks = 32

// durability is the outcome of checking, after kill -9, that acknowledged reports were kept.
type durability struct {
	checked  int
	failures []string
}

func (d *durability) ok() bool { return d != nil && len(d.failures) == 0 }

// expectation is what a task must show after the crash: the last acknowledged report, or the one
// in flight when the server was killed, whose fate is unknown.
type expectation struct {
	acked    report
	inflight *report
}

// expectations gathers, from every client's log, the tasks to check: every task among the
// latest acknowledgements of each client, and besides them a random sample of sample others.
func expectations(logs []*ackLog, sample int, rng *rand.Rand) map[int]expectation {
	want := map[int]expectation{}
	add := func(l *ackLog, task int) {
		e := expectation{acked: l.acked[task]}
		if l.pending && l.inflight.task == task {
			e.inflight = &l.inflight
		}
		want[task] = e
	}
	for _, l := range logs {
		for _, task := range l.recent {
			add(l, task)
		}
	}
	var rest []struct {
		l    *ackLog
		task int
	}
	for _, l := range logs {
		for task := range l.acked {
			if _, ok := want[task]; !ok {
				rest = append(rest, struct {
					l    *ackLog
					task int
				}{l, task})
			}
		}
	}
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	for _, r := range rest[:min(len(rest), sample)] {
		add(r.l, r.task)
	}
	return want
}

// checkDurability asks the restarted server at addr for every task in want and reports each task
// whose sub-task does not carry the trace of its last acknowledged report.
func checkDurability(ctx context.Context, addr, tokenHeader, token string, want map[int]expectation) *durability {
	type job struct {
		task int
		e    expectation
	}
	jobs := make(chan job)
	d := &durability{checked: len(want)}
	var mu sync.Mutex
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(d.failures) < 100 {
			d.failures = append(d.failures, fmt.Sprintf(format, args...))
		}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				id := taskID(j.task)
				body, err := getBody(ctx, client, "http://"+addr+"/v3/tasks?id="+url.QueryEscape(id), tokenHeader, token)
				if err != nil {
					fail("task %s: %v", id, err)
					continue
				}
				var page struct {
					Tasks []struct {
						SubTasks []struct {
							Name         string `json:"name"`
							ProcessTrace string `json:"process_trace"`
						} `json:"sub_tasks"`
					} `json:"tasks"`
				}
				if err := json.Unmarshal(body, &page); err != nil || len(page.Tasks) != 1 {
					fail("task %s: unexpected answer %.200s", id, body)
					continue
				}
				got := "(no such sub-task)"
				for _, st := range page.Tasks[0].SubTasks {
					if st.Name == j.e.acked.subTask {
						got = st.ProcessTrace
					}
				}
				in := j.e.inflight
				if got != j.e.acked.trace && (in == nil || in.subTask != j.e.acked.subTask || got != in.trace) {
					fail("task %s: sub-task %s shows trace %q, but report %q was acknowledged",
						id, j.e.acked.subTask, got, j.e.acked.trace)
				}
			}
		}()
	}
	for task, e := range want {
		jobs <- job{task, e}
	}
	close(jobs)
	wg.Wait()
	return d
}
