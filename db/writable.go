package db

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkWritable refuses, before anything touches the files, a database smslab could not write:
// a read-only file, a read-only -wal or -shm left beside it, or a directory in which SQLite
// could not create them. It reads the mode bits as well as asking the system (accessWrite),
// because for root the bits stop nothing, yet a file made read-only is meant to stay so; served
// anyway, it would answer every write with 503 and leave a read-only -shm behind.
func checkWritable(path string) error {
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		what := "it"
		if name != path {
			what = filepath.Base(name) + ", left beside it by an earlier run,"
		}
		if err := writable(name, fi, what); err != nil {
			return err
		}
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return nil // no directory: SQLite says it cannot open the file
	}
	what := fmt.Sprintf("its directory %s, where SQLite keeps %s-wal and -shm,", dir, filepath.Base(path))
	return writable(dir, fi, what)
}

// writable says what to change if the file or directory name (described as what) cannot be
// written.
func writable(name string, fi fs.FileInfo, what string) error {
	mode := fi.Mode().Perm()
	switch err := accessWrite(name); {
	case mode&0o222 == 0:
		return fmt.Errorf("%s is read-only (mode %04o): make it writable (chmod u+w %s) or use another database file", what, mode, name)
	case errors.Is(err, errReadOnlyFS):
		return fmt.Errorf("%s is on a read-only file system: mount it read-write or use another database file", what)
	case err != nil:
		return fmt.Errorf("%s cannot be written by this user (mode %04o): change its owner or mode, or use another database file", what, mode)
	}
	return nil
}
