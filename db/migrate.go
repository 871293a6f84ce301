package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies the migrations the database has not seen, all in one transaction, and records
// the schema version in PRAGMA user_version. It returns the version the database had. A
// database from a newer smslab is refused rather than touched.
//
// Every pending script runs first; then the Go steps of those migrations that have one, in
// order, on the schema the scripts end at, which is the one the generated queries are written
// for. A failure leaves the database as it was.
func migrate(ctx context.Context, conn *sql.DB) (int, error) {
	names := migrationNames()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
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
	for v := version + 1; v <= len(names); v++ {
		if step := migrationSteps[v]; step != nil {
			if err := step(ctx, New(tx)); err != nil {
				return version, fmt.Errorf("migration %s: %w", names[v-1], err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(names))); err != nil {
		return version, err
	}
	return version, tx.Commit()
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

// migrationSteps are what a migration (by version) does that SQL cannot: Go code run after the
// scripts, in their transaction.
var migrationSteps = map[int]func(ctx context.Context, q *Queries) error{
	2: renderListings,
}

// renderListings renders both listing fragments of every stored task (migration 0002), which
// before held the task's view and its sub-tasks in the ListTasks shape.
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
