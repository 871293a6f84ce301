package db_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"smslab/db"
)

func TestOpenMigratesOnceInWALMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if !store.Created() {
		t.Error("a new file is not reported as created")
	}
	store.Close()

	store, err = db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if store.Created() {
		t.Error("an existing database is reported as created")
	}
	if _, _, ok := store.Upgraded(); ok {
		t.Error("a database at the current version is reported as upgraded")
	}
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var mode string
	var version int
	if err := conn.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q (%v), want wal", mode, err)
	}
	if err := conn.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != migrationCount(t) {
		t.Errorf("user_version %d (%v), want %d, one for each migration", version, err, migrationCount(t))
	}
}
