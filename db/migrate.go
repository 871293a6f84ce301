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
	"migrations/0007_sources.sql":               linkSources,
}

// renderListings renders both listing fragments of every stored task from its columns: migration
// 0002 made them (they held the task's view and its sub-tasks in the ListTasks shape before), and
// 0004 renders them again with today's rules (no -0, a name and a creation date always).
func renderListings(ctx context.Context, q *Queries) error {
	const batch = 500 // tasks in memory at a time
	var after int64
	for {
		tasks, err := q.ListTasksAfter(ctx, ListTasksAfterParams{After: &after, Limit: batch})
		if err != nil {
			return err
		}
		for _, t := range tasks {
			v, err := taskView(t)
			if err == nil {
				err = renderListing(&t, v)
			}
			if err == nil {
				err = q.SetTaskListing(ctx, SetTaskListingParams{ListedStatic: t.ListedStatic, ListedDynamic: t.ListedDynamic, Seq: t.Seq})
			}
			if err != nil {
				return fmt.Errorf("task %s: %w", t.ID, err)
			}
			after = *t.Seq
		}
		if len(tasks) < batch {
			return nil
		}
	}
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
		AND name NOT IN ('tasks', 'sequences', 'templates', 'migprojects', 'sources', 'source_changes')
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
