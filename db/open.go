package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"smslab/sms"
)

// Store is smslab's task store: one SQLite file in WAL mode, written through a single connection
// and read through a pool. Each write is whole or not at all, in a transaction it shares with the
// writes that arrive with it (see committer); each read sees one committed state.
type Store struct {
	writer       *sql.DB
	reader       *sql.DB
	unlock       func()   // releases the database file's lock, after the connections close
	readQueries  *Queries // prepared on the reader pool
	committer    *committer
	checkpointer *checkpointer
	file         *fileWatch  // whether the database file is still the one opened
	calls        *agentCalls // when each source's agent last called
	paces        *paces      // each task's reporting pace since start, for the status page
	index        *listIndex
	sources      *listIndex // the source servers' list index (ListServers)
	created      bool
	upgradedFrom int // the schema version an existing database had before Open migrated it
	closing      sync.Once
	closed       atomic.Bool // set when Close begins: reads that fail from then on fail with ErrClosed
	closeErr     error

	// Now is the clock behind every date the store records; tests replace it.
	Now func() time.Time
}

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	synchronous string
	first       *sms.SeedFile
	onCommit    func(writes int)
	onFileGone  func(error)
}

// OnCommit has fn called, on the writer's goroutine, with the number of writes each transaction
// held once it commits (the metrics' commit batch sizes). fn must return quickly.
func OnCommit(fn func(writes int)) Option {
	return func(o *options) { o.onCommit = fn }
}

// FirstSeed gives a new database its first projects, sources, templates and tasks (smslab's demo
// set), imported in the transaction that creates its schema: a database either has its schema
// and these or is still new, whatever stops the first start (a full disk, kill -9). An existing
// database is left as it is.
func FirstSeed(f *sms.SeedFile) Option {
	return func(o *options) { o.first = f }
}

// FirstTasks is FirstSeed of a seed that holds only tasks.
func FirstTasks(tasks []sms.Task) Option { return FirstSeed(&sms.SeedFile{Tasks: tasks}) }

// SynchronousFull makes every commit wait until the WAL is on stable storage, so that committed
// transactions survive a power loss or an operating system crash too, at several times the cost
// of a commit. Without it (synchronous=NORMAL) they survive any crash of the process.
func SynchronousFull() Option {
	return func(o *options) { o.synchronous = "FULL" }
}

// OnFileGone has f told, once, when the store finds that the database file is no longer at its
// path (removed, or replaced by another): from then on every write fails with that error, an
// ErrUnavailable that says so, and so does Ready. f must not block.
func OnFileGone(f func(err error)) Option {
	return func(o *options) { o.onFileGone = f }
}

// The roles of the store's connections, which get different settings.
const (
	roleWriter = iota
	roleReader
	roleCheckpointer
)

// The WAL's bound (docs/storage.md, "Checkpoints"): once the WAL file passes walBound, the
// committer checkpoints so that the next write starts the WAL over (committer.checkpointWAL),
// and SQLite then cuts the file back to walSizeLimit. A smaller bound costs write throughput:
// every start-over waits for the disk. The writer's own automatic checkpoint, at
// walFallbackPages (32 MB), is there should that fail.
const (
	walBound         = 16 << 20
	walSizeLimit     = 4 << 20
	walFallbackPages = 8192
)

// pragmas are applied, in this order, to every connection of a role. busy_timeout comes first
// so that the others wait for a lock instead of failing. No cache_size: a writer cache larger
// than the readers' loses its pages to them (docs/storage.md, "Page caches").
func pragmas(o options, role int) string {
	p := []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(" + o.synchronous + ")"}
	switch role {
	case roleWriter:
		p = append(p, fmt.Sprintf("wal_autocheckpoint(%d)", walFallbackPages), fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	case roleReader:
		p = append(p, "query_only(1)")
	}
	return "_pragma=" + strings.Join(p, "&_pragma=")
}

// Open opens the database file at path, creating it if needed, checks that WAL mode took effect
// and applies pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if strings.ContainsAny(path, "?#") || path == "" {
		return nil, fmt.Errorf("database path %q: must be a file name without '?' or '#'", path)
	}
	o := options{synchronous: "NORMAL"}
	for _, opt := range opts {
		opt(&o)
	}
	s, err := open(ctx, path, o)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string, o options) (_ *Store, err error) {
	// What is opened is closed again, last first, if a later step fails.
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("it is a directory: give the path of a file, such as %s", filepath.Join(path, "smslab.db"))
	}
	if err := checkWritable(path); err != nil {
		return nil, err
	}
	// Taken first and released last: see lockFile.
	unlock, err := lockFile(path)
	if err != nil {
		return nil, err
	}
	undo = append(undo, unlock)
	if err := refuseForeign(ctx, path); err != nil {
		return nil, err
	}
	writer, err := sql.Open("sqlite", path+"?"+pragmas(o, roleWriter)+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { writer.Close() })
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	s := &Store{writer: writer, unlock: unlock, index: newListIndex(), sources: newListIndex(), Now: time.Now}
	if err := s.checkWAL(ctx); err != nil {
		return nil, err
	}
	if s.file, err = newFileWatch(path, o.onFileGone); err != nil {
		return nil, err
	}
	fromVersion, err := migrate(ctx, writer, func(ctx context.Context, q *Queries) error {
		return importFirstSeed(ctx, q, o.first, s.Now().UnixMilli())
	})
	if err != nil {
		return nil, err
	}
	s.created = fromVersion == 0
	if fromVersion > 0 && fromVersion < len(migrationNames()) {
		s.upgradedFrom = fromVersion
	}

	if s.reader, err = sql.Open("sqlite", path+"?"+pragmas(o, roleReader)); err != nil {
		return nil, err
	}
	undo = append(undo, func() { s.reader.Close() })
	s.reader.SetMaxOpenConns(runtime.GOMAXPROCS(0) + 1)
	if s.readQueries, err = Prepare(ctx, s.reader); err != nil {
		return nil, err
	}
	checkpoints, err := sql.Open("sqlite", path+"?"+pragmas(o, roleCheckpointer))
	if err != nil {
		return nil, err
	}
	s.checkpointer = startCheckpointer(checkpoints, path)
	undo = append(undo, s.checkpointer.close)
	if s.committer, err = newCommitter(ctx, writer, s.index, s.sources, s.file, s.checkpointer, o.onCommit); err != nil {
		return nil, err
	}
	s.calls = newAgentCalls(s.storeLastSeen)
	s.paces = newPaces(time.Now().UnixMilli())
	s.checkpointer.committed() // what the migrations and the first seed left in the WAL
	return s, nil
}

// checkWAL fails unless the database really is in WAL mode: on some file systems SQLite falls
// back silently, and the durability and concurrency promises depend on WAL.
func (s *Store) checkWAL(ctx context.Context) error {
	var mode string
	if err := s.writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		if sqliteErr := (*sqlite.Error)(nil); errors.As(err, &sqliteErr) && sqliteErr.Code()&0xff == sqlite3.SQLITE_CANTOPEN {
			return fmt.Errorf("%w (is the directory there and writable?)", err)
		}
		return err // "file is not a database", say: the hint would mislead
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal (does the file system support it?)", mode)
	}
	return nil
}

// Created reports whether Open made the schema from nothing, that is, the database is new.
func (s *Store) Created() bool { return s.created }

// Upgraded reports the schema versions an existing database was migrated from and to by Open,
// if it was: ok is false for a new database and for one already at the current version.
func (s *Store) Upgraded() (from, to int, ok bool) {
	return s.upgradedFrom, len(migrationNames()), s.upgradedFrom > 0
}

// Close lets the writes under way finish and closes the readers, then the writer, whose closing
// checkpoints the WAL into the database file and removes it. Writes after it, and reads that
// fail once it has begun, fail with ErrClosed. Closing again does nothing.
func (s *Store) Close() error {
	s.closing.Do(func() {
		s.closed.Store(true)
		s.calls.close() // its last store goes through the committer
		s.committer.close()
		s.checkpointer.close()
		s.readQueries.Close()
		rerr := s.reader.Close()
		s.closeErr = errors.Join(s.writer.Close(), rerr)
		s.unlock()
	})
	return s.closeErr
}
