// Package db is smslab's task store: the migration tasks in one SQLite file in WAL mode, and the
// in-memory state that makes listing them cheap. Start at Store: Open it, then call one method
// per operation (ListTasks, GetTask, UpdateTask, ReportProgress, Import; ListStatusTasks,
// GetStatusTask and CountTasksPerState for the status page). It returns its own errors
// (errors.go), which the handlers turn into API answers.
//
// # Parts
//
//	                   Store (open.go, store.go, status.go)
//	         reads /            | finds tasks,        \ writes
//	              v             v pages, counts        v
//	reader pool (sqlc queries)   list index (memory)    committer, on the writer connection
//	    |                        listindex.go, ids.go   commit.go: group commit, savepoints;
//	    |                             ^                 subtaskids.go: sub-task ids
//	    |                             +--- index changes at COMMIT ---+
//	    v                                                             v
//	    +-----------------> SQLite file, WAL mode <-------------------+
//	                        tables tasks, sequences <--- checkpointer (checkpoint.go)
//
// From the file up:
//
//   - The tasks table (migrations/; the queries in ../queries, compiled by sqlc into *.sql.go):
//     one row per task, nested objects as JSON text. A row also keeps the task's listing, its
//     ListTasks JSON, in two fragments (listing.go): listed_static, what imports and updates
//     change, and listed_dynamic, what a progress report changes. SQLite joins a page's
//     fragments into one string, so a page is read, not decoded and encoded.
//   - The sequences table: the next sub-task id.
//   - The templates table (templates.go): server templates, read through plain SQL and written
//     through the committer like tasks, with no index in memory. A template is bound to the
//     tasks whose vm_template_id names it.
//   - The list index: in memory, every task's seq (rowid) and index key (creation date and id
//     for the order, state and enterprise project for the filters), in the lists ListTasks
//     pages through (all tasks, by state, by project, by both). A page and its count cost the
//     same at any offset. The status page takes its counts and order from it too.
//   - The committer: one goroutine holding the only writer connection. The writes that arrive
//     while it commits share its next transaction (group commit), each in a savepoint of its
//     own; it applies their index changes when that transaction commits.
//   - The sub-task id sequence (subtaskids.go): numbers the sub-tasks progress reports create;
//     the committer keeps it and stores it with each transaction that takes ids.
//   - The checkpointer: copies the WAL back into the file in the background.
//
// # A write: a progress report
//
//	handler -> Store.ReportProgress -> committer.write (queues it, waits for the answer)
//	committer.loop -> nextBatch -> commitBatch: BEGIN
//	    runWrites -> the write reportProgress made (progress.go), without a savepoint:
//	        listIndex.seqOf(id) -> GetTaskProgress(seq)
//	        applyProgress: lifecycle picks the state; the sub-task is found, or added with
//	            the next sub-task id; listed_dynamic is rendered (listing.go)
//	        noteIndexChange, if the state changed -> UpdateTaskProgress
//	    saveSubTaskIDs -> commit: COMMIT, then listIndex.put, both under the index's lock
//	-> the answer (nil, or the write's error) to Store.ReportProgress -> handler
//
// UpdateTask and Import take the same path, each in a savepoint of its own.
//
// # Reads
//
// ListTasks with a selective filter (id, name, source server) is SQL on the reader pool. Without
// one: under the list index's read lock, listIndex.page picks the page's seqs and the count, and
// ListTaskPage has SQLite join those tasks' fragments into the answer. The status page's
// ListStatusTasks does the same with listIndex.statusPage and ListTasksBySeq, and decodes the
// rows once it has let the index go. GetTask reads one row by id.
//
// Why it is built this way, with the measurements: docs/storage.md.
package db
