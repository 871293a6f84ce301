package agent

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// DefaultConnections is how many requests a run's agents have in flight at most, and so how many
// connections they keep to the server, unless Config.Connections says otherwise.
const DefaultConnections = 64

// schedule plays the agents' events against the server, each at its simulated time divided by
// the speedup, until every agent is done or ctx is. One timer and a fixed number of workers
// (each with at most one request, so one connection, at a time) drive every agent: a goroutine,
// a timer and a connection per agent cost more than the agents' own work at ten thousand of them.
// The figures never depend on the pace: a slow server or busy workers delay reports, they do not
// change them.
func schedule(ctx context.Context, r *runner, agents []*agentRun, workers int, discover func(add func(*agentRun))) {
	s := &scheduler{wake: make(chan struct{}, 1), done: make(chan struct{}), stay: discover != nil}
	for _, a := range agents {
		if a.next(r) {
			s.queue = append(s.queue, a)
			s.pending++
		} else {
			s.finish(ctx, r.c, a)
		}
	}
	heap.Init(&s.queue)
	if s.pending == 0 && !s.stay {
		return
	}
	if discover != nil {
		go discover(func(a *agentRun) {
			if a.next(r) {
				s.add(a)
			}
		})
	}
	due := make(chan *agentRun)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				var a *agentRun
				select {
				case a = <-due:
				case <-s.done:
					return
				case <-ctx.Done():
					return
				}
				if ctx.Err() != nil {
					a.o.Err = ctx.Err()
					s.leave()
					continue
				}
				if !a.play(ctx, r) {
					a.o = a.o.withState(ctx, r.c, a.task.ID)
					s.leave()
					continue
				}
				if !a.next(r) {
					s.finish(ctx, r.c, a)
					s.leave()
					continue
				}
				s.push(a)
			}
		})
	}
	s.dispatch(ctx, due)
	wg.Wait()
	// Agents still waiting for their next event were stopped by ctx.
	for _, a := range s.queue {
		a.o.Err = ctx.Err()
	}
}

// scheduler holds the agents waiting for their next event, earliest first.
type scheduler struct {
	mu      sync.Mutex
	queue   agentQueue
	pending int           // agents not done yet, waiting or being played
	wake    chan struct{} // an agent was queued: the dispatcher looks at the queue again
	done    chan struct{} // closed once every agent is done, unless the run stays
	stay    bool          // the run goes on until ctx is done: agents may join it
}

// dispatch hands each agent to a worker when its event is due, until every agent is done or ctx
// is.
func (s *scheduler) dispatch(ctx context.Context, due chan<- *agentRun) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var a *agentRun
		wait := time.Duration(-1)
		if len(s.queue) > 0 {
			if wait = time.Until(s.queue[0].due); wait <= 0 {
				a = heap.Pop(&s.queue).(*agentRun)
			}
		}
		s.mu.Unlock()
		if a != nil {
			select {
			case due <- a:
				continue
			case <-ctx.Done():
				s.push(a) // stopped while waiting, like the rest of the queue
				return
			case <-s.done:
				return
			}
		}
		var tick <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case <-tick:
		case <-s.wake:
		case <-s.done:
			return
		case <-ctx.Done():
			return
		}
		timer.Stop()
	}
}

// push queues an agent for its next event.
func (s *scheduler) push(a *agentRun) {
	s.mu.Lock()
	heap.Push(&s.queue, a)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// add queues an agent that joins the run.
func (s *scheduler) add(a *agentRun) {
	s.mu.Lock()
	s.pending++
	s.mu.Unlock()
	s.push(a)
}

// leave counts an agent done; the last one ends the run, unless it stays.
func (s *scheduler) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending--; s.pending == 0 && !s.stay {
		close(s.done)
	}
}

// finish records the state of an agent that played its plan, or stopped at until.
func (s *scheduler) finish(ctx context.Context, c *client, a *agentRun) {
	a.o = a.o.withState(ctx, c, a.task.ID)
	a.log().Info("agent done", "state", a.o.State, "reports", a.o.Reports, "simulated", a.o.Simulated.Round(time.Second).String())
}

// agentQueue is a heap of agents by the time their next event is due.
type agentQueue []*agentRun

func (q agentQueue) Len() int           { return len(q) }
func (q agentQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q agentQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *agentQueue) Push(x any)        { *q = append(*q, x.(*agentRun)) }
func (q *agentQueue) Pop() any {
	old := *q
	a := old[len(old)-1]
	*q = old[:len(old)-1]
	return a
}
