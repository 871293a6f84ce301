package db

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The store's errors. Callers tell them apart with errors.Is and errors.As; the store wraps
// them with %w, and never returns an error of the API's.

// ErrTaskNotFound means no task has the id asked for. The error that wraps it is a
// *NotFoundError, which names the id.
var ErrTaskNotFound = errors.New("task not found")

// NotFoundError is an ErrTaskNotFound with the id no task has.
type NotFoundError struct{ ID string }

func (e *NotFoundError) Error() string { return "task not found: " + e.ID }

// Unwrap makes a NotFoundError an ErrTaskNotFound.
func (e *NotFoundError) Unwrap() error { return ErrTaskNotFound }

// ErrWrongState means the task's state does not allow the operation (a progress report on a
// finished or stopped task, say); nothing was stored. The error that wraps it is a *StateError.
var ErrWrongState = errors.New("the task's state does not allow the operation")

// StateError is an ErrWrongState refused by the task life cycle: the task's state, and the
// reason, which names the state and says why in words a client may be shown.
type StateError struct {
	State  string
	Reason string
}

func (e *StateError) Error() string { return e.Reason }

// Unwrap makes a StateError an ErrWrongState.
func (e *StateError) Unwrap() error { return ErrWrongState }

// ErrTemplateNotFound means no server template has the id asked for. The error that wraps it is
// a *TemplateNotFoundError, which names the id.
var ErrTemplateNotFound = errors.New("template not found")

// TemplateNotFoundError is an ErrTemplateNotFound with the id no template has.
type TemplateNotFoundError struct{ ID string }

func (e *TemplateNotFoundError) Error() string { return "template not found: " + e.ID }

// Unwrap makes a TemplateNotFoundError an ErrTemplateNotFound.
func (e *TemplateNotFoundError) Unwrap() error { return ErrTemplateNotFound }

// ErrConflict means the operation conflicts with the state of another resource (a name another
// template or project holds, a template a task uses, a source whose task is in progress, a
// project that holds sources); nothing was stored. The error that wraps it is a
// *ConflictError.
var ErrConflict = errors.New("the operation conflicts with the state of another resource")

// ConflictError is an ErrConflict with its reason, which names the other resource and its state
// in words a client may be shown.
type ConflictError struct{ Reason string }

func (e *ConflictError) Error() string { return e.Reason }

// Unwrap makes a ConflictError an ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// MaxSubTasks is the most sub-tasks a task may have: the API gives sub_tasks an array length of
// 0 to 65535, and a listing with more would break it and not load as a seed.
const MaxSubTasks = 65535

// ErrTooManySubTasks refuses a report that would add a sub-task to a task that has MaxSubTasks.
var ErrTooManySubTasks = fmt.Errorf("the task has %d sub-tasks, the most it may have", MaxSubTasks)

// ErrNoSubTaskID refuses a report that would create a sub-task when no sub-task id is left: ids
// are used up to 9223372036854775807, the largest the API allows.
var ErrNoSubTaskID = errors.New("sub-task ids are used up to 9223372036854775807, the largest")

// ErrTooLarge refuses a read whose answer would pass SQLite's 1 GB limit for one value: a page
// of many tasks with tens of thousands of sub-tasks each. Fewer tasks at once fit.
var ErrTooLarge = errors.New("the answer would be over 1 GB, SQLite's limit for one value")

// ErrUnavailable means the database cannot serve the operation now, for a reason no change to the
// request would fix: the disk is full or read-only, the file cannot be opened or written, or
// another process holds it locked beyond busy_timeout. Nothing of the operation was stored.
var ErrUnavailable = errors.New("the task database is unavailable")

// ErrClosed means the store was closed before the operation could run.
var ErrClosed = fmt.Errorf("%w: the store is closed", ErrUnavailable)

// storageError wraps the SQLite failures that mean ErrUnavailable, recognised by result code, and
// makes an answer too large for SQLite ErrTooLarge.
func storageError(err error) error {
	var sqliteErr *sqlite.Error
	if !errors.As(err, &sqliteErr) {
		return err
	}
	switch sqliteErr.Code() & 0xff { // the primary code; extended codes add detail above it
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_PROTOCOL:
		return fmt.Errorf("%w: %s", ErrUnavailable, sqliteErr.Error())
	case sqlite3.SQLITE_TOOBIG:
		return ErrTooLarge
	}
	return err
}

// ErrSourceNotFound means no source server has the id asked for. The error that wraps it is a
// *SourceNotFoundError, which names the id.
var ErrSourceNotFound = errors.New("source server not found")

// SourceNotFoundError is an ErrSourceNotFound with the id no source server has.
type SourceNotFoundError struct{ ID string }

func (e *SourceNotFoundError) Error() string { return "source server not found: " + e.ID }

// Unwrap makes a SourceNotFoundError an ErrSourceNotFound.
func (e *SourceNotFoundError) Unwrap() error { return ErrSourceNotFound }

// ErrMigprojectNotFound means no migration project has the id asked for. The error that wraps
// it is a *MigprojectNotFoundError, which names the id.
var ErrMigprojectNotFound = errors.New("migration project not found")

// MigprojectNotFoundError is an ErrMigprojectNotFound with the id no project has.
type MigprojectNotFoundError struct{ ID string }

func (e *MigprojectNotFoundError) Error() string { return "migration project not found: " + e.ID }

// Unwrap makes a MigprojectNotFoundError an ErrMigprojectNotFound.
func (e *MigprojectNotFoundError) Unwrap() error { return ErrMigprojectNotFound }

// conflict is a *ConflictError with a formatted reason.
func conflict(format string, args ...any) error {
	return &ConflictError{Reason: fmt.Sprintf(format, args...)}
}

// isNotFound reports whether err says that a task, source server or project does not exist.
func isNotFound(err error) bool {
	return errors.Is(err, ErrTaskNotFound) || errors.Is(err, ErrSourceNotFound) || errors.Is(err, ErrMigprojectNotFound)
}
