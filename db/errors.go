package db

import "errors"

// ErrTaskNotFound means no task has the id asked for.
var ErrTaskNotFound = errors.New("task not found")
