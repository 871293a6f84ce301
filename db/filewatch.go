package db

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// fileWatch notices that the database file at its path is no longer the file the store has
// open: removed, or replaced by another renamed over it. SQLite goes on writing to the file it
// has open, and a restart would find none of those writes, so from then on the store refuses
// writes and says it is not ready. The committer asks once per batch, after its COMMIT and
// before answering, and Ready asks too: a stat each, and nothing runs while the store is idle.
type fileWatch struct {
	path   string
	opened os.FileInfo // the file as the store opened it
	gone   atomic.Pointer[error]
	once   sync.Once
	notify func(error) // told once, when the file is found gone; may be nil
}

func newFileWatch(path string, notify func(error)) (*fileWatch, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return &fileWatch{path: path, opened: fi, notify: notify}, nil
}

// lost returns why the file is gone if it was found gone before, else nil: it looks at nothing.
func (w *fileWatch) lost() error {
	if err := w.gone.Load(); err != nil {
		return *err
	}
	return nil
}

// check looks at the path and returns an ErrUnavailable that says why if the file is no longer
// there, and from then on.
func (w *fileWatch) check() error {
	if err := w.lost(); err != nil {
		return err
	}
	var how string
	switch fi, err := os.Stat(w.path); {
	case err == nil && os.SameFile(fi, w.opened):
		return nil
	case err == nil:
		how = "replaced by another file"
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		how = "removed"
	default:
		return nil // it cannot tell (a directory made unreadable, say); SQLite reports real failures
	}
	w.once.Do(func() {
		err := fmt.Errorf("%w: the database file %s was %s while smslab ran, and what is written now would be lost: restart smslab", ErrUnavailable, w.path, how)
		w.gone.Store(&err)
		if w.notify != nil {
			w.notify(err)
		}
	})
	return w.lost()
}
