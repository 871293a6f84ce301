package main

import (
	"testing"

	"smslab/sms"
)

// TestGeneratedTasksAreValid checks that generated tasks pass the rules a seed file must pass,
// so the benchmark's database holds nothing the API could not have stored.
func TestGeneratedTasksAreValid(t *testing.T) {
	dec := sms.NewDecoder()
	ids := map[string]bool{}
	for i := range 2000 {
		task := taskAt(i)
		if err := dec.Validate(&task); err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
		if ids[*task.ID] {
			t.Fatalf("task %d: id %s repeats", i, *task.ID)
		}
		ids[*task.ID] = true
	}
}
