package db

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// Tasks and sources agree: every stored task's source_server.id names a stored source, and a
// source's state and migration cycle follow its current task (the newest naming it) through
// lifecycle.SourceRules. Every write that stores a task, moves it to another state or deletes it
// calls linkTaskSource or refreshSource in its own transaction.

// withSourceID returns the task's source server with an id: its own, else keep (the task's
// former source), else a new one. A task without a source server gets one that holds only the id.
func withSourceID(ss *sms.TaskSourceServer, keep *string) *sms.TaskSourceServer {
	if ss != nil && ss.ID != nil {
		return ss
	}
	v := sms.TaskSourceServer{}
	if ss != nil {
		v = *ss
	}
	v.ID = keep
	if v.ID == nil {
		v.ID = new(sms.NewID())
	}
	return &v
}

// linkTaskSource makes sure the source task t names is stored, making one from the task's
// source_server object if not, and brings the state and listed current task of that source, and
// of the one the task named before (formerSource), in step with their tasks.
func linkTaskSource(ctx context.Context, q *Queries, t *Task, formerSource *string, now int64) error {
	if t.SourceServerID != nil {
		if err := sourceForTask(ctx, q, t); err != nil {
			return err
		}
		if err := refreshSource(ctx, q, *t.SourceServerID, now); err != nil {
			return err
		}
	}
	if formerSource != nil && (t.SourceServerID == nil || *formerSource != *t.SourceServerID) {
		return refreshSource(ctx, q, *formerSource, now)
	}
	return nil
}

// sourceForTask stores a source for task t unless the one it names is stored: made from the
// task's source_server object (name, addresses, OS and whatever else it holds), added when the
// task was created, in the default project and the task's enterprise project.
func sourceForTask(ctx context.Context, q *Queries, t *Task) error {
	id := *t.SourceServerID
	if _, err := q.GetSource(ctx, id); !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var facts sms.Source
	if err := loadJSON(t.SourceServer, &facts); err != nil {
		return err
	}
	if facts.OsType == nil {
		facts.OsType = t.OsType
	}
	project, err := projectFor(ctx, q, nil)
	if err != nil {
		return err
	}
	row := newSource(id, project, valueOr(t.EnterpriseProjectID, defaultEnterpriseProjectID), t.CreateDate)
	if err := applyFacts(&row, &facts); err != nil {
		return err
	}
	return writeSource(ctx, q, &row)
}

// refreshSource brings the source with the given id, and its ListServers listing, in step with
// its current task (followCurrentTask), whose members may have changed even where the source's
// state did not.
func refreshSource(ctx context.Context, q *Queries, id string, now int64) error {
	if err := followCurrentTask(ctx, q, id, now); err != nil {
		return err
	}
	return listSourceTask(ctx, q, id)
}

// followCurrentTask brings the source with the given id in step with its current task, if that
// task, or the task's state, changed since the source's state last followed it: the source then
// takes the state and cycle lifecycle.SourceRules gives (unavailable, checking for a source
// without a task whose checks failed). Otherwise it keeps the state it has, which
// UpdateCopyState may have set. A source that is not stored is left alone.
func followCurrentTask(ctx context.Context, q *Queries, id string, now int64) error {
	row, err := q.GetSource(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var taskID, taskState *string
	var taskSeq *int64
	switch cur, err := q.GetCurrentTaskOfSource(ctx, &id); {
	case err == nil:
		taskID, taskSeq, taskState = &cur.ID, cur.Seq, &cur.State
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if valueOf(row.TaskID) != valueOf(taskID) || valueOf(row.TaskState) != valueOf(taskState) || valueOf(row.TaskSeq) != valueOf(taskSeq) {
		state, cycle := lifecycle.SourceStateFor(valueOf(taskState))
		if taskID == nil && checksFailed(row.Checks) {
			state, cycle = lifecycle.SourceUnavailable, lifecycle.CycleChecking
		}
		setState(&row, state, cycle, now)
		row.TaskID, row.TaskSeq, row.TaskState = taskID, taskSeq, taskState
		return writeSourceState(ctx, q, &row)
	}
	return nil
}

// linkSources is migration 0007's Go step: it gives the database its default migration project
// and a source for every task. A task without a source id gets one, which its listing now shows.
func linkSources(ctx context.Context, q *Queries) error {
	if err := createDefaultMigproject(ctx, q); err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	var after int64
	for {
		tasks, err := q.ListTasksAfter(ctx, ListTasksAfterParams{After: &after, Limit: migrationBatch})
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if err := linkStoredTask(ctx, q, t, now); err != nil {
				return err
			}
			after = *t.Seq
		}
		if int64(len(tasks)) < migrationBatch {
			// The store builds its source index from the table; what the triggers noted is known.
			return q.ClearSourceChanges(ctx)
		}
	}
}

// linkStoredTask gives a stored task a source id if it has none (rendering its listing again),
// and a source.
func linkStoredTask(ctx context.Context, q *Queries, t Task, now int64) error {
	if t.SourceServerID == nil {
		var ss sms.SourceServer
		if err := loadJSON(t.SourceServer, &ss); err != nil {
			return err
		}
		ss.ID = new(sms.NewID())
		var err error
		if t.SourceServer, err = objectJSON(&ss); err != nil {
			return err
		}
		t.SourceServerID = ss.ID
		v, err := taskView(t)
		if err == nil {
			err = renderListing(&t, v)
		}
		if err == nil {
			err = q.SetTaskSourceServer(ctx, SetTaskSourceServerParams{
				SourceServerID: t.SourceServerID, SourceServer: t.SourceServer,
				ListedStatic: t.ListedStatic, ListedDynamic: t.ListedDynamic, Seq: t.Seq,
			})
		}
		if err != nil {
			return err
		}
	}
	return linkTaskSource(ctx, q, &t, nil, now)
}

// lastSeenBatch is the most sources whose last calls one write stores. A write is one
// transaction, which the WAL must hold whole: thousands of agents calling within a second would
// otherwise take the WAL megabytes past walBound in one go (docs/storage.md, "Checkpoints").
const lastSeenBatch = 256

// storeLastSeen stores the agents' last calls: agentCalls' store, in writes of lastSeenBatch
// sources at most, one after the other.
func (s *Store) storeLastSeen(ctx context.Context, calls map[string]int64) error {
	for ids := range slices.Chunk(slices.Sorted(maps.Keys(calls)), lastSeenBatch) {
		err := s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
			tx.bulky = true
			for _, id := range ids {
				at := calls[id]
				if err := tx.SetSourceLastSeen(ctx, SetSourceLastSeenParams{LastSeen: &at, ID: id}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// AgentCalled notes a call of the agent of the source with the given id (its command channel),
// which keeps the source connected for ConnectedTimeout. It is not a write: calls are stored
// in the background, at most every 10 s.
func (s *Store) AgentCalled(sourceID string) {
	s.calls.record(sourceID, s.Now().UnixMilli(), false)
}

// FlushAgentCalls stores the agents' calls noted and not stored yet now, in one write, rather
// than within the second: a test that counts the store's commits waits on it.
func (s *Store) FlushAgentCalls() { s.calls.flush() }
