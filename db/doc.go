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
//	                 tables tasks, sub_tasks, sequences <--- checkpointer (checkpoint.go)
//
// From the file up:
//
//   - The tasks table (migrations/; the queries in ../queries, compiled by sqlc into *.sql.go):
//     one row per task, nested objects and up to 32 sub-tasks as JSON text. A row also keeps
//     the task's listing, its ListTasks JSON, in fragments (listing.go): listed_static, what
//     imports and updates change, and listed_dynamic and listed_tail, what a progress report
//     changes, up to and with the sub_tasks array and after it.
//   - The sub_tasks table (subtasks.go): the sub-tasks of a task that has more than 32, one row
//     each, by the task's seq and their position, each with its ListTasks JSON. A report reads
//     and writes one; the task row counts them (sub_task_count) and points at the status page's
//     current one. SQLite joins a page's fragments, and such a task's sub-task listings, into
//     one string, so a page is read, not decoded and encoded.
//   - The sequences table: the next sub-task id.
//   - The list index: in memory, every task's seq (rowid) and index key (creation date and id
//     for the order, state and enterprise project for the filters), in the lists ListTasks
//     pages through (all tasks, by state, by project, by both). A page and its count cost the
//     same at any offset. The status page takes its counts and order from it too.
//   - The committer: one goroutine holding the only writer connection. The writes that arrive
//     while it commits share its next transaction (group commit), each in a savepoint of its
//     own; it applies their index changes when that transaction commits.
//   - The sub-task id sequence (subtaskids.go): numbers the sub-tasks progress reports create;
//     the committer keeps it and stores it with each transaction that takes ids.
//   - The checkpointer: copies the WAL back into the file in the background, after commits;
//     once the WAL file passes 16 MB, the committer finishes the copy between two batches, so
//     that the WAL starts over.
//   - The file watch (filewatch.go): after each COMMIT, and in Ready, the committer checks that
//     the file at the path is still the one it has open; once removed or replaced, every write
//     is refused with the reason. Open refuses a file it could not write (writable.go).
//
// # A write: a progress report
//
//	handler -> Store.ReportProgress -> committer.write (queues it, waits for the answer)
//	committer.loop -> nextBatch -> commitBatch: BEGIN
//	    runWrites -> the write reportProgress made (progress.go), without a savepoint:
//	        listIndex.seqOf(id) -> GetTaskProgress(seq): the task's columns but the large ones
//	        lifecycle picks the state (stateAfterReport), then either
//	            applyProgressInRow: the sub-task is found among those in the row, or added with
//	                the next sub-task id; the task's columns and listing (listing.go)
//	            or, if they are rows, reportOnSubTaskRow: GetSubTaskByName, or a new one;
//	                the sub-task's and the task's columns and listings; UpdateSubTaskProgress
//	        noteIndexChange, if the state changed -> UpdateTaskProgress
//	    saveSubTaskIDs -> commit: COMMIT, then listIndex.put, both under the index's lock
//	    fileWatch.check: is the file still at its path?
//	-> the answer (nil, or the write's error) to Store.ReportProgress -> handler
//	committer.loop, once the WAL file passes walBound -> checkpointWAL
//
// UpdateTask and Import take the same path, each in a savepoint of its own; sub-tasks they give
// go to the task's row, or past 32 to sub-task rows.
//
// # Reads
//
// ListTasks with a selective filter (id, name, source server) picks the page's seqs and the
// count by SQL on the reader pool. Without one: under the list index's read lock, listIndex.page
// picks them. Either way, ListTaskPage has SQLite join those tasks' fragments (and sub-task rows'
// listings) into the answer. The status page's ListStatusTasks picks with listIndex.statusPage
// and reads the rows with ListTasksBySeq, each with its current sub-task row if it has sub-task
// rows and no other, and decodes them once it has let the index go; GetStatusTask reads one task
// and its first 200 sub-tasks. GetTask reads one task and all of its sub-tasks.
//
// Why it is built this way, with the measurements: docs/storage.md.
package db
