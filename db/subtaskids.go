package db

import "math"

// subTaskIDs numbers the sub-tasks progress reports create. The committer keeps it in memory,
// loaded with the list index, and stores it once per transaction in which ids were taken; an id
// taken by a write that fails, or in a transaction that does not commit, is skipped.
type subTaskIDs struct {
	next    int64 // subTaskIDsUsedUp once the largest id is taken or stored
	unsaved bool  // since it was last stored
}

// subTaskIDsUsedUp is the sequence's next id once an import or update has stored sub-task id
// 9223372036854775807 (the API's largest) or it was handed out: no id is left above it.
const subTaskIDsUsedUp = -1

// subTaskIDSequenceName names the sub-task id sequence in the sequences table.
const subTaskIDSequenceName = "sub_task_id"

// take returns the next id and moves the sequence past it. The next id is above every stored
// one (imports and updates skip past theirs, and migration 0005 made sure of it), so it is free
// in every task.
func (s *subTaskIDs) take() (int64, error) {
	if s.next == subTaskIDsUsedUp {
		return 0, ErrNoSubTaskID
	}
	id := s.next
	s.markUsed(id)
	return id, nil
}

// skipPast moves the sequence past id, an id stored by an import or an update, so that no
// sub-task created later gets it.
func (s *subTaskIDs) skipPast(id int64) {
	if s.next != subTaskIDsUsedUp && id >= s.next {
		s.markUsed(id)
	}
}

// markUsed moves the sequence past id, which is now used.
func (s *subTaskIDs) markUsed(id int64) {
	s.next, s.unsaved = id+1, true
	if id == math.MaxInt64 {
		s.next = subTaskIDsUsedUp
	}
}
