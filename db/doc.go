// Package db is smslab's store: the migration tasks, source servers, migration projects and
// server templates in one SQLite file in WAL mode, and the in-memory state that makes listing
// them cheap. Start at Store: Open it, then call one method per operation (tasks: ListTasks,
// GetTask, UpdateTask, ReportProgress; sources.go: RegisterServer, ListServers, GetSource,
// UpdateSource, DeleteSources, SetCopyState, SetDiskInfo, Overview, ListErrorServers;
// migprojects.go; templates.go; commands.go: CreateTask, ShowTask, TaskAction, CollectLog,
// DeleteTasks, NextCommand, CommandResult; tasksettings.go: SpeedLimits, SetSpeedLimits,
// ConfigSettings, MergeConfigSettings, TaskKeys; seeds.go: ImportSeed; the status page's ListStatusTasks,
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
//	 tables tasks, sub_tasks, sources, migprojects, templates, sequences <--- checkpointer
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
//     current one. A write that replaces a task's sub-tasks deletes its rows first, and deleting
//     a task deletes them (ON DELETE CASCADE). SQLite joins a page's fragments, and such a
//     task's sub-task listings, into one string, so a page is read, not decoded and encoded.
//   - The sources and migprojects tables (sources.go, migprojects.go): one row per source
//     server and project, nested facts as JSON text, each source with its listing rendered.
//     Every task names a source, whose state follows its task (tasksources.go). Triggers note
//     in source_changes every source a transaction adds, moves or deletes.
//   - The commands and task_events tables (commands.go, migration 0008): the commands queued
//     for each source's agent, delivered once and answered, and each task's timeline. Actions
//     and results move a task through lifecycle's state table in the write that records them;
//     an agent's poll with nothing pending reads one row by index and writes nothing.
//   - The source_listings table (sourcelisting.go): each source's ListServers JSON in a short
//     row of its own, which triggers keep in step with the source, with its current task's
//     members that only imports and updates change (linkTaskSource renders them).
//   - The sequences table: the next sub-task id.
//   - The templates table (templates.go): server templates, read through plain SQL and written
//     through the committer like tasks, with no index in memory. A template is bound to the
//     tasks whose vm_template_id names it.
//   - The task_speed_limits, task_configurations and task_keys tables (tasksettings.go): a
//     task's speed-limit windows, advanced migration options and secure-channel keys, keyed by
//     its id, read and written through plain SQL; a trigger deletes them with the task.
//   - The list index: in memory, every task's seq (rowid) and index key (creation date and id
//     for the order, state and enterprise project for the filters), in the lists ListTasks
//     pages through (all tasks, by state, by project, by both). A page and its count cost the
//     same at any offset. The status page takes its counts and order from it too. Beside each
//     task it keeps the members of ListServers' current_task that progress reports change.
//   - The source index: the same structure for sources (by add date; state and enterprise
//     project), which ListServers pages through, with each source's last agent call stored.
//   - The committer: one goroutine holding the only writer connection. The writes that arrive
//     while it commits share its next transaction (group commit), each in a savepoint of its
//     own; it applies their index changes (and source_changes') when that transaction commits.
//   - The agents' calls (agentcalls.go): when each source's agent last called, in memory, for
//     connected; stored at most every 10 s, and only after a call.
//   - The sub-task id sequence (subtaskids.go): numbers the sub-tasks progress reports create;
//     the committer keeps it and stores it with each transaction that takes ids.
//   - The checkpointer (checkpoint.go): copies the WAL back into the file in the background,
//     woken by the committer after each commit, never on an idle timer; once the WAL file
//     passes 16 MB (walBound), the committer finishes the copy between two batches, so that the
//     WAL starts over and SQLite cuts it back to 4 MB.
//   - The file watch (filewatch.go): the committer after each COMMIT, and Ready, check that the
//     file at the path is still the one the store has open; once removed or replaced, every
//     write is refused with the reason. Open refuses a file it could not write (writable.go).
//
// # A write: a progress report
//
//	handler -> Store.ReportProgress -> committer.write (queues it, waits for the answer)
//	committer.loop -> nextBatch -> commitBatch: BEGIN
//	    runWrites -> the write reportProgress made (progress.go), without a savepoint:
//	        listIndex.seqOf(id) -> GetTaskProgress(seq): the task's columns but the large ones
//	        agentCalls.record: the task's source's agent called (stored later, agentcalls.go)
//	        lifecycle picks the state (stateAfterReport), then either
//	            applyProgressInRow: the sub-task is found among those in the row, or added with
//	                the next sub-task id; the task's columns and listing (listing.go)
//	            or, if they are rows, reportOnSubTaskRow: GetSubTaskByName, or a new one;
//	                the sub-task's and the task's columns and listings; UpdateSubTaskProgress
//	        UpdateTaskProgress; noteIndexChange (the task's new members, for ListServers);
//	        if the state changed, linkTaskSource: the source follows its task and lists its
//	        new state (tasksources.go), a trigger notes it in source_changes
//	    saveSubTaskIDs; takeSourceChanges (reads and empties source_changes)
//	    commit: COMMIT, then listIndex and source index changes, under the indexes' locks;
//	        checkpointer.committed wakes the checkpointer
//	    OnCommit's hook hears the batch's size (the metrics); fileWatch.check: is the file
//	        still at its path?
//	-> the answer (nil, or the write's error) to Store.ReportProgress -> handler
//	committer.loop, once the WAL file passes walBound -> checkpointWAL
//
// UpdateTask, ImportSeed (tasks, sources, projects and templates in one transaction) and the
// source writes take the same path, each in a savepoint of its own; sub-tasks a task is given go
// to its row, or past 32 to sub-task rows in place of any it had.
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
// ListServers without other filters than state and enterprise project picks its page from the
// source index, others by SQL; under both indexes' read locks, ListSourcePage has SQLite join the
// page's stored listings (one short row a source), and the store puts in each current task's
// members that progress reports change, from the list index, and connected and last_visit_time,
// from the agents' calls and the source index.
//
// Why it is built this way, with the measurements: docs/storage.md.
package db
