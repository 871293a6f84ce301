//go:build unix

package db

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock on the database file at path, creating it if needed, and
// returns what releases it: two smslabs on one file would hand out the same sub-task ids. Call
// unlock only after every SQLite connection has closed, and open a file once per process:
// closing any descriptor of a file drops the process's fcntl locks on it, SQLite's included.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return func() {}, nil // no lock: SQLite says why when it opens the file
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

// errReadOnlyFS is what accessWrite returns for a file on a file system mounted read-only.
var errReadOnlyFS = syscall.EROFS

// accessWrite asks the system whether this process may write the file or directory name.
func accessWrite(name string) error {
	const wOK = 2 // W_OK in access(2)
	return syscall.Access(name, wOK)
}
