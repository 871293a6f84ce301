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

// migrate applies the migrations the database has not seen, each in its own transaction, and
// records the schema version in PRAGMA user_version. It returns the version the database had.
// A database from a newer smslab is refused rather than touched.
func migrate(ctx context.Context, conn *sql.DB) (int, error) {
	names := migrationNames()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if version > len(names) {
		return version, fmt.Errorf("schema version %d is newer than this smslab knows (%d): use a newer smslab", version, len(names))
	}
	for i := version; i < len(names); i++ {
		script, err := migrationFiles.ReadFile(names[i])
		if err != nil {
			return version, err
		}
		if err := applyMigration(ctx, conn, string(script), i+1); err != nil {
			return version, fmt.Errorf("migration %s: %w", names[i], err)
		}
	}
	return version, nil
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

// migrationSteps are done in Go after the script of the migration (by version) they belong to,
// in its transaction: what SQL cannot compute.
var migrationSteps = map[int]func(ctx context.Context, q *Queries) error{
	2: renderListings,
}

func applyMigration(ctx context.Context, conn *sql.DB, script string, version int) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return err
	}
	if step := migrationSteps[version]; step != nil {
		if err := step(ctx, New(tx)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return err
	}
	return tx.Commit()
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
