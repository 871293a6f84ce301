//go:build !unix

package db

import "errors"

// lockFile takes no lock where flock does not exist: running one smslab per database file is
// then up to the operator.
func lockFile(string) (unlock func(), err error) { return func() {}, nil }

// errReadOnlyFS is never returned where access(2) does not exist.
var errReadOnlyFS = errors.New("read-only file system")

// accessWrite leaves the question to the mode bits (a read-only file has none set for writing).
func accessWrite(string) error { return nil }
