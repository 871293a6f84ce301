// Package seed reads the task files smslab loads at start-up: the built-in demo set, or a file
// shaped like a ListTasks response, so that GET /v3/tasks saved from the real service or from
// smslab loads as it is.
package seed

import (
	_ "embed"
	"fmt"
	"os"

	"smslab/sms"
)

//go:embed demo.json
var demo []byte

// The values of -seed that are not file paths.
const (
	Demo = "demo"
	None = "none"
)

// Load returns the tasks the -seed value names: the demo set, nothing, or the tasks of a file.
func Load(dec *sms.Decoder, spec string) ([]sms.Task, error) {
	switch spec {
	case None:
		return nil, nil
	case Demo:
		return Parse(dec, demo)
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return nil, fmt.Errorf("seed file: %w", err)
	}
	tasks, err := Parse(dec, data)
	if err != nil {
		return nil, fmt.Errorf("seed file %s: %w", spec, err)
	}
	return tasks, nil
}

// Parse reads a seed file: {"count": N, "tasks": [...]} with count optional and ignored (a saved
// page of a longer listing counts more tasks than it holds). Every task is checked with the
// rules the API applies; an error names the task's index and the field at fault.
func Parse(dec *sms.Decoder, data []byte) ([]sms.Task, error) {
	var file sms.ListTasksResponse
	if err := dec.DecodeFile(data, &file); err != nil {
		return nil, err
	}
	seen := make(map[string]int, len(file.Tasks))
	for i, t := range file.Tasks {
		if first, dup := seen[*t.ID]; dup {
			return nil, &sms.InvalidError{
				Field: fmt.Sprintf("tasks[%d].id", i),
				Rule:  fmt.Sprintf("repeats the id of tasks[%d] (%s)", first, *t.ID),
			}
		}
		seen[*t.ID] = i
	}
	if err := sms.CheckSeedTemplates(file.Templates); err != nil {
		return nil, err
	}
	return file.Tasks, nil
}
