package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"smslab/sms"
)

func TestSynchronousFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.db")
	for _, tt := range []struct {
		opts []Option
		want int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{nil, 1}, {[]Option{SynchronousFull()}, 2}} {
		store, err := Open(context.Background(), path, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := store.committer.conn.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&got); err != nil || got != tt.want {
			t.Errorf("synchronous %d (%v), want %d", got, err, tt.want)
		}
		store.Close()
	}
}

// Every connection keeps SQLite's default page cache, the writer's included: modernc's SQLite
// pools the caches, and a writer allowed more than the readers lost its pages to them
// (BenchmarkReportsAfterLargeReads measures it; docs/storage.md).
func TestConnectionsShareOneCacheSize(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	var writer, reader int
	if err := store.committer.conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&writer); err != nil {
		t.Fatal(err)
	}
	if err := store.reader.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&reader); err != nil {
		t.Fatal(err)
	}
	if writer != reader {
		t.Errorf("cache_size: writer %d, readers %d; want the same", writer, reader)
	}
}

// BenchmarkReportsAfterLargeReads measures the pages progress reports read from the file
// (writer-misses/report) right after the readers have read far more than the page caches hold.
// An op is the whole scenario: open the store, read every task, send 1000 reports from 20
// clients. About 0.6 a report while the writer keeps the table's upper pages cached; 2.0-2.4
// with a writer cache larger than the readers' (see TestConnectionsShareOneCacheSize).
func BenchmarkReportsAfterLargeReads(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "cache.db")
	const n = 8000 // a leaf page each: 32 MB, more than all the page caches together
	store := mustOpen(b, path)
	if err := store.Import(ctx, manyTasks(n)); err != nil {
		b.Fatal(err)
	}
	store.Close()
	const reports, clients = 1000, 20
	rep := &sms.ProgressReport{SubtaskName: ptr("MIGRATE_LINUX_BLOCK"), Progress: ptr(int32(50)),
		Replicatesize: ptr(int64(1)), Totalsize: ptr(int64(2))}
	misses := 0
	for b.Loop() {
		store := mustOpen(b, path) // building the list index reads every task through the writer
		if page, err := store.ListStatusTasks(ctx, StatusQuery{Limit: n}); err != nil || len(page.Tasks) != n {
			b.Fatalf("reading every task: %d (%v)", len(page.Tasks), err)
		}
		writerCacheMisses(b, store) // count from here
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := c; i < reports; i += clients {
					// manyTasks makes every 14th task, from 1, RUNNING.
					id := fmt.Sprintf("task-%05d", i%(n/14)*14+1)
					if err := store.ReportProgress(ctx, id, rep); err != nil {
						b.Errorf("report on %s: %v", id, err)
					}
				}
			})
		}
		wg.Wait()
		misses += writerCacheMisses(b, store)
		store.Close()
	}
	b.ReportMetric(float64(misses)/float64(b.N*reports), "writer-misses/report")
}

// writerCacheMisses returns how many pages the writer has read since the last call.
func writerCacheMisses(t testing.TB, store *Store) int {
	t.Helper()
	var misses int
	if err := store.committer.conn.Raw(func(dc any) error {
		var err error
		misses, _, err = dc.(sqlite.DBStatus).Status(sqlite.DBStatusCacheMiss, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return misses
}

// A second smslab on a file another has open is refused, until the first closes: each keeps its
// list index and sub-task sequence in memory, and two would hand out the same sub-task ids. The
// second runs in a child process, as it would: see lockFile for why not in this one.
func TestOneStorePerFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "one.db")
	first := mustOpen(t, path)
	if out, err := openInChild(path); err == nil || !strings.Contains(out, "another process has it open") {
		t.Fatalf("a second process opening the file: %v: %s; want it refused", err, out)
	}
	if err := first.Import(ctx, manyTasks(1)); err != nil {
		t.Fatalf("the first store after the refused open: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if out, err := openInChild(path); err != nil {
		t.Fatalf("a second process once the first closed: %v: %s", err, out)
	}
}

// openInChild runs TestOpenInChild in a new process of this test binary, opening the database
// at path, and returns its output.
func openInChild(path string) (string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenInChild$")
	cmd.Env = append(os.Environ(), "SMSLAB_TEST_OPEN="+path)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestOpenInChild is the child of TestOneStorePerFile; it does nothing on its own.
func TestOpenInChild(t *testing.T) {
	path := os.Getenv("SMSLAB_TEST_OPEN")
	if path == "" {
		t.Skip("run by TestOneStorePerFile")
	}
	store, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
}

// Open refuses a directory, and a database another application made, before changing anything
// in it: its journal mode stays as it was and no smslab table is added.
func TestOpenRefusesWhatIsNotItsOwn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, dir); err == nil || !strings.Contains(err.Error(), "it is a directory: give the path of a file, such as "+filepath.Join(dir, "smslab.db")) {
		t.Errorf("a directory: %v", err)
	}

	foreign := filepath.Join(dir, "other.db")
	other, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, stmt := range []string{"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)", "CREATE TABLE orders (id INTEGER)", "INSERT INTO users VALUES (1, 'ann')"} {
		if _, err := other.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(ctx, foreign); err == nil || !strings.Contains(err.Error(), "it holds tables smslab does not make (orders, users)") {
		t.Errorf("another application's database: %v", err)
	}
	// Whatever schema version it keeps, and whatever its tables are called.
	for _, f := range []struct{ name, stmt string }{
		{"versioned.db", "CREATE TABLE customers (id INTEGER); PRAGMA user_version = 3"},
		{"lookalike.db", "CREATE TABLE sqliteman_notes (id INTEGER)"},
		{"views.db", "CREATE VIEW answers AS SELECT 42"},
	} {
		path := filepath.Join(dir, f.name)
		other, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.ExecContext(ctx, f.stmt); err != nil {
			t.Fatal(err)
		}
		other.Close()
		before, _ := os.ReadFile(path)
		if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "it holds tables smslab does not make") {
			t.Errorf("%s: %v", f.name, err)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("%s changed by the refusal", f.name)
		}
	}
	var mode string
	var tables int
	if err := other.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "delete" {
		t.Errorf("journal mode after the refusal: %q (%v), want delete", mode, err)
	}
	if err := other.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'tasks'").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("smslab tables after the refusal: %d (%v)", tables, err)
	}

	// Its own database, and an empty file, open as before.
	own := filepath.Join(dir, "own.db")
	for range 2 {
		store := mustOpen(t, own)
		store.Close()
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, empty).Close()
}

// An answer over SQLite's length limit (1 GB by default; lowered here on one connection) is
// ErrTooLarge, which clients see as a 400 naming limit, not a storage failure or a 500.
func TestAnswerTooLargeForSQLite(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	defer store.Close()
	conn, err := store.reader.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_LENGTH, 1000); err != nil {
		t.Fatal(err)
	}
	var b []byte
	err = conn.QueryRowContext(ctx, "SELECT group_concat(value, '') FROM json_each(json_array(printf('%600s', 'a'), printf('%600s', 'b')))").Scan(&b)
	if err = storageError(err); err != ErrTooLarge {
		t.Errorf("an answer over the length limit: %v, want ErrTooLarge", err)
	}
}

// A new database gets its first tasks in the transaction that creates its schema: when that
// fails, the file stays new, and the next start creates it with them; the sub-task sequence
// starts past their ids; an existing database takes none.
func TestFirstTasksComeWithTheSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "first.db")

	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate(ctx, conn, func(context.Context, *Queries) error { return errors.New("stopped") }); err == nil {
		t.Fatal("a creation whose first tasks fail: no error")
	}
	var tables int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("after a failed creation: %d schema objects (%v), want none", tables, err)
	}
	conn.Close()

	first := []sms.Task{
		{ID: ptr("a"), State: ptr("READY"), SubTasks: []sms.TaskSubTask{{ID: ptr(int64(7)), Name: ptr("CREATE_CLOUD_SERVER")}}},
		{ID: ptr("c"), State: ptr("READY")},
	}
	store, err := Open(ctx, path, FirstTasks(first))
	if err != nil {
		t.Fatal(err)
	}
	if !store.Created() {
		t.Error("a database created on the second try is not reported as created")
	}
	if id := newSubTaskID(t, store, "c"); id != 8 {
		t.Errorf("first sub-task a report creates: id %d, want 8, past the first tasks' 7", id)
	}
	store.Close()

	store, err = Open(ctx, path, FirstTasks([]sms.Task{{ID: ptr("b"), State: ptr("READY")}}))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.GetTask(ctx, "b"); !errors.Is(err, ErrTaskNotFound) || store.Created() {
		t.Errorf("an existing database took first tasks: %v, created %v", err, store.Created())
	}
}
