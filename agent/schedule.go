package agent

import (
	"container/heap"
	"context"
	"log/slog"
	"sync"
	"time"
)

// DefaultConnections is how many requests a run's agents have in flight at most, and so how many
// connections they keep to the server, unless Config.Connections says otherwise.
const DefaultConnections = 64

// An agent is one task's simulated agent within a run: its model, the event it sends next, and
// how its run went so far.
type agentRun struct {
	sim    *Sim
	ev     Event
	due    time.Time // when ev is sent, in real time
	o      Outcome
	logger *slog.Logger
}

// next takes the agent's next event and says when it is due; false when the agent is done (its
// plan is played, or the next event lies past until).
func (a *agentRun) next(start time.Time, speedup float64, until time.Duration) bool {
	ev, ok := a.sim.Next()
	if !ok {
		return false
	}
	if until > 0 && ev.At > until {
		a.o.Halted = true
		return false
	}
	a.ev, a.due = ev, start.Add(time.Duration(float64(ev.At)/speedup))
	return true
}

// play sends the agent's event, due now; false if the server did not take it, and the agent stops.
func (a *agentRun) play(ctx context.Context, c *client, cfg Config) bool {
	ev, id := a.ev, a.sim.task.ID
	a.o.Simulated = ev.At
	switch {
	case ev.Report != nil:
		sent := time.Now()
		err := c.report(ctx, id, ev.Report)
		if cfg.Reported != nil {
			cfg.Reported(a.due, time.Since(sent), err)
		}
		if err != nil {
			a.o.Err = err
			a.logger.Warn("agent stops: its report was not taken", "sub_task", *ev.Report.SubtaskName, "err", err.Error())
			return false
		}
		a.o.Reports++
		if a.logger.Enabled(ctx, slog.LevelDebug) {
			a.logger.Debug("agent reported", "sub_task", *ev.Report.SubtaskName, "progress", *ev.Report.Progress,
				"replicatesize", *ev.Report.Replicatesize, "totalsize", *ev.Report.Totalsize, "migrate_speed", *ev.Report.MigrateSpeed)
		}
		if ev.Note != "" {
			a.logger.Info("agent: "+ev.Note, "sub_task", *ev.Report.SubtaskName, "progress", *ev.Report.Progress,
				"simulated", ev.At.Round(time.Second).String())
		}
	case ev.Fail != nil:
		if err := c.fail(ctx, id, ev.Fail); err != nil {
			a.o.Err = err
			a.logger.Warn("agent could not fail the task", "err", err.Error())
			return false
		}
		a.o.Failed = ev.Fail.Code
		a.logger.Info("agent: "+ev.Note, "state", ev.Fail.State, "error_json", ev.Fail.ErrorJSON)
	}
	return true
}

// schedule plays the agents' events against the server, each at its simulated time divided by
// the speedup, until every agent is done or ctx is. One timer and a fixed number of workers
// (each with at most one request, so one connection, at a time) drive every agent: a goroutine,
// a timer and a connection per agent cost more than the agents' own work at ten thousand of them.
// The figures never depend on the pace: a slow server or busy workers delay reports, they do not
// change them.
func schedule(ctx context.Context, c *client, agents []*agentRun, start time.Time, cfg Config, workers int) {
	s := &scheduler{wake: make(chan struct{}, 1), done: make(chan struct{})}
	for _, a := range agents {
		if a.next(start, cfg.Speedup, cfg.Until) {
			s.queue = append(s.queue, a)
			s.pending++
		} else {
			s.finish(ctx, c, a)
		}
	}
	heap.Init(&s.queue)
	if s.pending == 0 {
		return
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
				if !a.play(ctx, c, cfg) {
					a.o = a.o.withState(ctx, c, a.sim.task.ID)
					s.leave()
					continue
				}
				if !a.next(start, cfg.Speedup, cfg.Until) {
					s.finish(ctx, c, a)
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
	done    chan struct{} // closed once every agent is done
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

// leave counts an agent done; the last one ends the run.
func (s *scheduler) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending--; s.pending == 0 {
		close(s.done)
	}
}

// finish records the state of an agent that played its plan, or stopped at until.
func (s *scheduler) finish(ctx context.Context, c *client, a *agentRun) {
	a.o = a.o.withState(ctx, c, a.sim.task.ID)
	a.logger.Info("agent done", "state", a.o.State, "reports", a.o.Reports, "simulated", a.o.Simulated.Round(time.Second).String())
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
