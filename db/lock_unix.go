//go:build unix

package db

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock (flock) on the database file at path, creating the
// file if needed, and returns what releases it. A second smslab on the same file would keep its
// own list index and sub-task sequence in memory and hand out the same ids; it is refused
// instead. SQLite locks with fcntl, which flock does not touch.
//
// The descriptor must stay open until every SQLite connection to the file has closed: closing any
// descriptor of a file drops the fcntl locks the process holds on it, SQLite's included. For the
// same reason a process must not open a store on a file it already has one open on (a refused
// open closes its descriptor); smslab opens its database once. When the file cannot be opened
// here, no lock is taken and SQLite reports why when it opens the file.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, os.ErrPermission) {
		f, err = os.Open(path) // a read-only database: SQLite opens it read-only too
	}
	if err != nil {
		return func() {}, nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("another process has it open: run one smslab per database file")
		}
		return func() {}, nil // a file system without flock: run unguarded, as before
	}
	return func() { f.Close() }, nil
}
