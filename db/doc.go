// Package db is smslab's store: the migration tasks, source servers, migration projects and
// server templates in one SQLite file in WAL mode, and the in-memory state that makes listing
// them cheap. Start at Store: Open it, then call one method per operation (tasks: ListTasks,
// GetTask, UpdateTask, ReportProgress; sources.go: RegisterServer, ListServers, GetSource,
// UpdateSource, DeleteSources, SetCopyState, SetDiskInfo, Overview, ListErrorServers;
// migprojects.go; templates.go; seeds.go: ImportSeed; the status page's ListStatusTasks,
// ListStatusSources and counts). It returns its own errors (errors.go), which the handlers turn
// into API answers.
//
// # Parts
//
//	                   Store (open.go, store.go, sources.go, migprojects.go, status.go)
//	         reads /            | finds tasks,        \ writes
//	              v             v pages, counts        v
//	reader pool (sqlc queries)   list index, source     committer, on the writer connection
//	    |                        index (memory)         commit.go: group commit, savepoints;
//	    |                        listindex.go, ids.go   subtaskids.go: sub-task ids
//	    |                             ^
//	    |                             +--- index changes at COMMIT ---+
//	    v                                                             v
//	    +-----------------> SQLite file, WAL mode <-------------------+
//	  tables tasks, sources, migprojects, templates, sequences <--- checkpointer (checkpoint.go)
//
// From the file up:
//
//   - The tasks table (migrations/; the queries in ../queries, compiled by sqlc into *.sql.go):
//     one row per task, nested objects as JSON text. A row also keeps the task's listing, its
//     ListTasks JSON, in two fragments (listing.go): listed_static, what imports and updates
//     change, and listed_dynamic, what a progress report changes. SQLite joins a page's
//     fragments into one string, so a page is read, not decoded and encoded.
//   - The sources and migprojects tables (sources.go, migprojects.go): one row per source
//     server and project, nested facts as JSON text, each source with its listing rendered.
//     Every task names a source, whose state follows its task (tasksources.go). Triggers note
//     in source_changes every source a transaction adds, moves or deletes.
//   - The sequences table: the next sub-task id.
//   - The templates table (templates.go): server templates, read through plain SQL and written
//     through the committer like tasks, with no index in memory. A template is bound to the
//     tasks whose vm_template_id names it.
//   - The list index: in memory, every task's seq (rowid) and index key (creation date and id
//     for the order, state and enterprise project for the filters), in the lists ListTasks
//     pages through (all tasks, by state, by project, by both). A page and its count cost the
//     same at any offset. The status page takes its counts and order from it too.
//   - The source index: the same structure for sources (by add date; state and enterprise
//     project), which ListServers pages through.
//   - The committer: one goroutine holding the only writer connection. The writes that arrive
//     while it commits share its next transaction (group commit), each in a savepoint of its
//     own; it applies their index changes (and source_changes') when that transaction commits.
//   - The agents' calls (agentcalls.go): when each source's agent last called, in memory, for
//     connected; stored at most once a second, and only after a call.
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
