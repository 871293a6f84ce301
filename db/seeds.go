package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"smslab/sms"
)

// ImportSeed stores what a seed file holds, all or nothing: its migration projects, then its
// source servers, then its server templates, then its tasks, each upserted by id. A fault that only the store can see (a
// source naming a project that does not exist, a project name another project holds) is an
// *sms.InvalidError naming the item and field, as the file's own faults are; a template name
// another stored template holds is a *ConflictError, as CreateTemplate's is.
func (s *Store) ImportSeed(ctx context.Context, f *sms.SeedFile) error {
	now := s.Now().UnixMilli()
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		tx.sourcesChanged, tx.bulky = true, true
		maxSubTaskID, err := importSeed(ctx, tx.Queries, f, now, tx.noteIndexChange)
		// Sub-tasks that progress reports create later get ids above the imported ones.
		tx.subTaskIDs.skipPast(maxSubTaskID)
		return err
	})
}

// importSeed stores f through q at time now (epoch ms), hands each stored task to
// noteIndexChange if it is set, and returns the largest sub-task id among the tasks.
func importSeed(ctx context.Context, q *Queries, f *sms.SeedFile, now int64, noteIndexChange func(Task)) (int64, error) {
	if err := importMigprojects(ctx, q, f.Migprojects, now); err != nil {
		return 0, err
	}
	if err := importSources(ctx, q, f.Sources, now); err != nil {
		return 0, err
	}
	if err := importTemplates(ctx, q, f.Templates, now); err != nil {
		return 0, err
	}
	maxSubTaskID, err := importTasks(ctx, q, f.Tasks, now, noteIndexChange)
	if err != nil {
		return 0, err
	}
	// A source's state given in the file holds until its task moves, as an UpdateCopyState does.
	for _, src := range f.Sources {
		if src.State == nil {
			continue
		}
		if err := keepStateGiven(ctx, q, src); err != nil {
			return 0, err
		}
	}
	return maxSubTaskID, nil
}

// importMigprojects upserts the file's projects. Exactly one project stays the default: the
// file's, if it has one, else the one that was. A project whose name a stored project without
// sources has (a new database's default, say) takes that project's place.
func importMigprojects(ctx context.Context, q *Queries, projects []sms.Migproject, now int64) error {
	fileDefault := -1
	for i, p := range projects {
		if valueOf(p.Isdefault) {
			if fileDefault >= 0 {
				return &sms.InvalidError{Field: fmt.Sprintf("migprojects[%d].isdefault", i),
					Rule: fmt.Sprintf("makes a second default project: migprojects[%d] is one", fileDefault)}
			}
			fileDefault = i
		}
	}
	formerDefault, err := q.GetDefaultMigproject(ctx)
	if err != nil {
		return fmt.Errorf("the default migration project: %w", err)
	}
	defaultID := formerDefault.ID
	if err := q.ClearDefaultMigproject(ctx); err != nil { // set again at the end
		return err
	}
	for i, p := range projects {
		row, err := q.GetMigproject(ctx, *p.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Newest first in the file is newest first in the list.
			row = Migproject{ID: *p.ID, StartTargetServer: true, UsePublicIp: true, ExistServer: true,
				Type: defaultProjectType, EnterpriseProject: defaultEnterpriseProject, CreateDate: now - int64(i)}
		case err != nil:
			return err
		}
		if other, err := q.GetMigprojectByName(ctx, *p.Name); err == nil && other.ID != row.ID {
			n, err := q.CountSourcesInMigproject(ctx, other.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return &sms.InvalidError{Field: fmt.Sprintf("migprojects[%d].name", i),
					Rule: fmt.Sprintf("is the name of stored project %s, which holds %d source servers", other.ID, n)}
			}
			if err := q.DeleteMigproject(ctx, other.ID); err != nil {
				return err
			}
			if other.ID == defaultID {
				defaultID = row.ID
			}
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		row.Name = *p.Name
		assign(&row.Description, p.Description)
		assign(&row.Region, p.Region)
		assign(&row.StartTargetServer, p.StartTargetServer)
		if p.SpeedLimit != nil {
			row.SpeedLimit = int64(*p.SpeedLimit)
		}
		assign(&row.UsePublicIp, p.UsePublicIP)
		assign(&row.ExistServer, p.ExistServer)
		assign(&row.Type, p.Type)
		assign(&row.EnterpriseProject, p.EnterpriseProject)
		assign(&row.Syncing, p.Syncing)
		assign(&row.StartNetworkCheck, p.StartNetworkCheck)
		row.Isdefault = false
		if i == fileDefault {
			defaultID = row.ID
		}
		if err := q.UpsertMigproject(ctx, migprojectParams(row)); err != nil {
			return err
		}
	}
	return q.SetDefaultMigproject(ctx, defaultID)
}

// importSources upserts the file's sources: a source given replaces the stored one's facts, and
// takes the project, enterprise project, add date and last call the file gives (else it keeps
// its own, or takes the default project, 0 and now). Checks and the recommended target are worked
// out again, keeping the adjustments the file's init_target_server made.
func importSources(ctx context.Context, q *Queries, sources []sms.Source, now int64) error {
	for i, src := range sources {
		row, err := q.GetSource(ctx, *src.ID)
		created := errors.Is(err, sql.ErrNoRows)
		if created {
			project, err := projectFor(ctx, q, nil)
			if err != nil {
				return err
			}
			row = newSource(*src.ID, project, defaultEnterpriseProjectID, now)
		} else if err != nil {
			return err
		}
		if src.Migproject != nil {
			if _, err := q.GetMigproject(ctx, *src.Migproject); errors.Is(err, sql.ErrNoRows) {
				return &sms.InvalidError{Field: fmt.Sprintf("sources[%d].migproject", i),
					Rule: "names no migration project of the file or the database: " + *src.Migproject}
			} else if err != nil {
				return err
			}
			row.Migproject = *src.Migproject
		}
		assign(&row.EnterpriseProjectID, src.EnterpriseProjectID)
		assign(&row.AddDate, src.AddDate)
		assign(&row.IsConsistencyResultExist, src.IsConsistencyResultExist)
		setIfPresent(&row.LastSeen, src.LastVisitTime)
		if src.InitTargetServer != nil {
			t, err := encodeJSON(src.InitTargetServer)
			if err != nil {
				return err
			}
			row.InitTargetServer = *t
		}
		if err := applyFacts(&row, &src); err != nil {
			return err
		}
		if row.TaskID == nil { // a task of the file makes it follow the task's state
			idleState(&row, nil, nil, created, now)
		}
		if err := writeSource(ctx, q, &row); err != nil {
			return err
		}
	}
	return nil
}

// keepStateGiven gives a seed's source the state and migration cycle the file gives it, and
// notes its current task's state, so that the state holds until that task moves.
func keepStateGiven(ctx context.Context, q *Queries, src sms.Source) error {
	row, err := q.GetSource(ctx, *src.ID)
	if err != nil {
		return err
	}
	var taskID, taskState *string
	var taskSeq *int64
	switch cur, err := q.GetCurrentTaskOfSource(ctx, src.ID); {
	case err == nil:
		taskID, taskSeq, taskState = &cur.ID, cur.Seq, &cur.State
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	row.State = *src.State
	assign(&row.MigrationCycle, src.MigrationCycle)
	assign(&row.StateActionTime, src.StateActionTime)
	assign(&row.StageActionTime, src.StageActionTime)
	row.TaskID, row.TaskSeq, row.TaskState = taskID, taskSeq, taskState
	return writeSourceState(ctx, q, &row)
}
