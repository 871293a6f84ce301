package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"sort"

	"smslab/sms"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies, in one transaction, the pending migration scripts, then their Go steps (on
// the schema the generated queries are written for), then created for a new database, and
// records the schema version in PRAGMA user_version. It returns the version the database had; a
// newer one than this smslab knows is refused untouched. A failure leaves the database as it was.
func migrate(ctx context.Context, conn *sql.DB, created func(context.Context, *Queries) error) (int, error) {
	names := migrationNames()
	version, err := schemaVersion(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if version > len(names) {
		return version, fmt.Errorf("schema version %d is newer than this smslab knows (%d): use a newer smslab", version, len(names))
	}
	if version == len(names) {
		return version, nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return version, err
	}
	defer tx.Rollback()
	for _, name := range names[version:] {
		script, err := migrationFiles.ReadFile(name)
		if err == nil {
			_, err = tx.ExecContext(ctx, string(script))
		}
		if err != nil {
			return version, fmt.Errorf("migration %s: %w", name, err)
		}
	}
	for _, name := range names[version:] {
		if step := migrationSteps[name]; step != nil {
			if err := step(ctx, New(tx)); err != nil {
				return version, fmt.Errorf("migration %s: %w", name, err)
			}
		}
	}
	if version == 0 && created != nil {
		if err := created(ctx, New(tx)); err != nil {
			return version, err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(names))); err != nil {
		return version, err
	}
	return version, tx.Commit()
}

// importFirstSeed imports a new database's first content (see FirstSeed) at time now, and moves
// the sub-task id sequence past its tasks' ids.
func importFirstSeed(ctx context.Context, q *Queries, f *sms.SeedFile, now int64) error {
	if f == nil {
		return nil
	}
	maxSubTaskID, err := importSeed(ctx, q, f, now, nil)
	if err == nil {
		err = q.ClearSourceChanges(ctx) // the source index is built from the table
	}
	if err != nil || maxSubTaskID == 0 {
		return err
	}
	ids := subTaskIDs{next: 1}
	ids.skipPast(maxSubTaskID)
	return q.SetSequence(ctx, SetSequenceParams{Next: ids.next, Name: subTaskIDSequenceName})
}

// migrationNames lists the embedded migrations in the order they apply.
func migrationNames() []string {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err) // the pattern is constant and valid
	}
	sort.Strings(names)
	return names
}

// migrationSteps are what a migration (by file) does that SQL cannot: Go code run after the
// scripts, in their transaction.
var migrationSteps = map[string]func(ctx context.Context, q *Queries) error{
	"migrations/0002_listings.sql":              renderListings,
	"migrations/0004_render_listings_again.sql": renderListings,
	"migrations/0005_sub_tasks.sql":             renderListings,
	"migrations/0007_sources.sql":               linkSources,
	"migrations/0010_source_listings.sql":       listSourceTasks,
}

// migrationBatch is how many tasks, and how many sub-tasks of one task, a migration step holds
// in memory at a time. A variable so that a test can make batches small.
var migrationBatch int64 = 500

// renderListings renders the listing fragments of every stored task, and of its sub-tasks if
// they are rows, from their columns, and picks its current sub-task: migration 0002 made the
// fragments (they held the task's view and its sub-tasks in the ListTasks shape before), 0004
// renders them again with today's rules (no -0, a name and a creation date always), and 0005
// splits listed_dynamic and moves the sub-tasks of tasks with more than 32 into rows.
func renderListings(ctx context.Context, q *Queries) error {
	var after int64
	for {
		tasks, err := q.ListTasksAfter(ctx, ListTasksAfterParams{After: &after, Limit: migrationBatch})
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if err := renderListingOf(ctx, q, t); err != nil {
				return fmt.Errorf("task %s: %w", t.ID, err)
			}
			after = *t.Seq
		}
		if int64(len(tasks)) < migrationBatch {
			return nil
		}
	}
}

// renderListingOf renders the listings of stored task t and, if its sub-tasks are rows, of
// those, a batch at a time, and sets its current sub-task.
func renderListingOf(ctx context.Context, q *Queries, t Task) error {
	var subTasks []sms.SubTask // names and progress, for currentSubTask
	for from := int64(0); inRows(&t); from += migrationBatch {
		rows, err := q.ListSubTasks(ctx, ListSubTasksParams{TaskSeq: *t.Seq, From: from, Limit: migrationBatch})
		if err != nil {
			return err
		}
		for _, r := range rows {
			listed := subTaskRow(r.TaskSeq, r.Position, r.subTask()).Listed
			if err := q.SetSubTaskListing(ctx, SetSubTaskListingParams{Listed: listed, TaskSeq: r.TaskSeq, Position: r.Position}); err != nil {
				return err
			}
			subTasks = append(subTasks, sms.SubTask{Name: r.Name, Progress: narrow(r.Progress)})
		}
		if int64(len(rows)) < migrationBatch {
			break
		}
	}
	if inRows(&t) {
		t.CurrentSubTask = currentSubTask(t.SubtaskInfo, subTasks)
	}
	v, err := taskView(t)
	if err != nil {
		return err
	}
	if err := renderListing(&t, v); err != nil {
		return err
	}
	return q.SetTaskListing(ctx, SetTaskListingParams{ListedStatic: t.ListedStatic, ListedDynamic: t.ListedDynamic,
		ListedTail: t.ListedTail, CurrentSubTask: t.CurrentSubTask, Seq: t.Seq})
}

// refuseForeign refuses a database with tables or views smslab does not make, before smslab's
// connections switch it to WAL mode: a mistyped -db must not change another application's data.
// A file it cannot read as a database is left for those connections to report.
func refuseForeign(ctx context.Context, path string) error {
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return nil // a new database
	}
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		return nil
	}
	defer conn.Close()
	const q = `SELECT group_concat(name, ', ') FROM (SELECT name FROM sqlite_master
		WHERE type IN ('table', 'view') AND substr(name, 1, 7) <> 'sqlite_'
		AND name NOT IN ('tasks', 'sub_tasks', 'sequences', 'templates', 'migprojects', 'sources', 'source_changes',
			'commands', 'task_events', 'task_speed_limits', 'task_configurations', 'task_keys', 'source_listings')
		ORDER BY name LIMIT 3)`
	var foreign sql.NullString
	if err := conn.QueryRowContext(ctx, q).Scan(&foreign); err != nil || !foreign.Valid {
		return nil
	}
	return fmt.Errorf("it holds tables smslab does not make (%s): give smslab a file of its own", foreign.String)
}

// schemaVersion reads the schema version migrate keeps in PRAGMA user_version.
func schemaVersion(ctx context.Context, conn *sql.DB) (int, error) {
	var version int
	err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	return version, err
}
