// Package lifecycle holds the rules of a migration task's life that smslab's server and its
// simulated agents share: the sub-tasks each kind of task runs, in order, and what a progress
// report does to a task in each state. Both sides read them from here, so they cannot disagree.
package lifecycle

import (
	"fmt"
	"slices"
	"strings"
)

// The task states: the ListTasks response enum plus the two rollback states of its query.
// States lists them; everything else that names a state uses these constants or that list.
const (
	Ready               = "READY"
	Running             = "RUNNING"
	Syncing             = "SYNCING"
	MigrateSuccess      = "MIGRATE_SUCCESS"
	SyncSuccess         = "SYNC_SUCCESS"
	MigrateFail         = "MIGRATE_FAIL"
	SyncFail            = "SYNC_FAIL"
	Aborting            = "ABORTING"
	Abort               = "ABORT"
	Skipping            = "SKIPPING"
	Deleting            = "DELETING"
	Reseting            = "RESETING" // sic: the API's spelling
	SyncFailRollingBack = "SYNC_F_ROLLBACKING"
	SyncFailRolledBack  = "SYNC_F_ROLLBACK_SUCCESS"
)

// states is every task state once, in the order of the API's enum, which the validator's error
// messages and the agent's -tasks help list.
var states = []string{Ready, Running, Syncing, MigrateSuccess, SyncSuccess, MigrateFail, SyncFail,
	Aborting, Abort, Skipping, Deleting, Reseting, SyncFailRollingBack, SyncFailRolledBack}

// States returns every state a task can be in, in the order of the API's enum.
func States() []string { return slices.Clone(states) }

const (
	taskTypeFile  = "MIGRATE_FILE"
	taskTypeBlock = "MIGRATE_BLOCK"
	osLinux       = "LINUX"
	osWindows     = "WINDOWS"
)

// LastMigrationSubTask ends every full migration: once it reaches 100 the migration has
// succeeded. Sequence's tests hold every sequence to it.
const LastMigrationSubTask = "DETTACH_AGENT_IMAGE"

// Sequence is what a task runs: the sub-tasks of its full migration, in order, and, for a task
// that synchronizes incremental data afterwards, the sync sub-task.
type Sequence struct {
	Migration []string
	// Sync is the sub-task of each incremental synchronization; empty when the task does not
	// sync.
	Sync string
}

// sequences are the full migrations by task type and OS. SMS creates and prepares the target
// server (CREATE_CLOUD_SERVER, SSL_CONFIG for the agent's secure channel, ATTACH_AGENT_IMAGE to
// boot the target on the agent image), formats the target disks, copies the data, makes the
// target bootable (drivers, boot loader, network), and detaches the agent image.
var sequences = map[[2]string][]string{
	{taskTypeFile, osLinux}: {"CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE",
		"FORMAT_DISK_LINUX_FILE", "MIGRATE_LINUX_FILE", "CONFIGURE_LINUX_FILE", LastMigrationSubTask},
	{taskTypeBlock, osLinux}: {"CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE",
		"FORMAT_DISK_LINUX_BLOCK", "MIGRATE_LINUX_BLOCK", "CONFIGURE_LINUX_BLOCK", LastMigrationSubTask},
	{taskTypeBlock, osWindows}: {"CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE",
		"FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK", "CONFIGURE_WINDOWS", LastMigrationSubTask},
}

// syncSubTasks are the incremental synchronizations by task type and OS.
var syncSubTasks = map[[2]string]string{
	{taskTypeFile, osLinux}:    "SYNC_LINUX_FILE",
	{taskTypeBlock, osLinux}:   "SYNC_LINUX_BLOCK",
	{taskTypeBlock, osWindows}: "SYNC_WINDOWS_BLOCK",
}

// SequenceFor returns the sequence of a task of the type (MIGRATE_FILE or MIGRATE_BLOCK) and OS
// (LINUX or WINDOWS). SMS migrates Windows at block level only, so a Windows task of type
// MIGRATE_FILE runs the Windows block sequence.
func SequenceFor(taskType, osType string, syncing bool) (Sequence, error) {
	if osType == osWindows && taskType == taskTypeFile {
		taskType = taskTypeBlock
	}
	key := [2]string{taskType, osType}
	migration, ok := sequences[key]
	if !ok {
		return Sequence{}, fmt.Errorf("no sub-task sequence for a task of type %q and OS %q: want type MIGRATE_FILE or MIGRATE_BLOCK and OS LINUX or WINDOWS",
			taskType, osType)
	}
	seq := Sequence{Migration: append([]string(nil), migration...)}
	if syncing {
		seq.Sync = syncSubTasks[key]
	}
	return seq, nil
}

// CopiesData reports whether the sub-task copies the source's data to the target (MIGRATE_*, the
// full copy, and SYNC_*, an incremental one): only then do a rate, bytes copied and time left
// mean something.
func CopiesData(subTask string) bool {
	return IsSync(subTask) || strings.HasPrefix(subTask, "MIGRATE_")
}

// IsSync reports whether the sub-task is an incremental synchronization (SYNC_LINUX_FILE, ...)
// rather than a step of the full migration.
func IsSync(subTask string) bool { return strings.HasPrefix(subTask, "SYNC_") }

// Step says what a progress report on one phase (the full migration, or a synchronization) does
// to a task in a given state.
type Step struct {
	// Next is the state after the report; empty means the state refuses the report.
	Next string
	// Done is the state after a report that completes the phase: LastMigrationSubTask at 100
	// for the migration, the sync sub-task at 100 for a synchronization.
	Done string
	// Why says why the state refuses the report, when it does.
	Why string
}

func accept(next, done string) Step { return Step{Next: next, Done: done} }
func refuse(why string) Step        { return Step{Why: why} }

// Rule is one row of the state table.
type Rule struct {
	State string
	// Migration is what a report on a sub-task of the full migration does.
	Migration Step
	// Sync is what a report on the sync sub-task does, for a task that syncs.
	Sync Step
	// On is what each action (UpdateTaskStatus' operations, CollectLog, DeleteTask) and each
	// command's successful result does (actions.go); an action it lacks is refused, a result it
	// lacks is recorded and changes nothing.
	On map[string]Move
}

// Rules is the state table: what a progress report, an action and a command's result do in
// each state. docs/api.md shows it.
var Rules = []Rule{
	{Ready, accept(Running, MigrateSuccess), refuse("its full migration has not run yet; incremental data is synchronized after it"),
		on(anyState, deletable, m{ActStart: stay(CmdStart), CmdStart: to(Running, "")})},
	{Running, accept(Running, MigrateSuccess), refuse("its full migration is still running; incremental data is synchronized after it"),
		on(anyState, m{ActStop: to(Aborting, CmdStop), ActSkip: to(Skipping, CmdSkip)})},
	{MigrateSuccess, refuse("its migration has finished"), accept(Syncing, SyncSuccess),
		on(anyState, deletable, restartable, succeeded, m{ActStart: syncAgain, CmdSync: to(Syncing, "")})},
	{Syncing, refuse("it is synchronizing incremental data; its full migration has finished"), accept(Syncing, SyncSuccess),
		on(anyState, m{ActStop: to(Aborting, CmdStop), ActTest: stay(""), ActCloneTest: stay(""), ActCutover: to(SyncSuccess, "")})},
	{SyncSuccess, refuse("its migration has finished"), accept(Syncing, SyncSuccess),
		on(anyState, deletable, succeeded, m{ActStart: syncAgain, CmdSync: to(Syncing, "")})},
	both(MigrateFail, "its migration failed; restart the task before reporting again", on(anyState, deletable, restartable)),
	both(SyncFail, "its synchronization failed; synchronize again before reporting",
		on(anyState, deletable, restartable, m{ActSyncFailedRollback: to(SyncFailRolledBack, "")})),
	both(Aborting, "it is being stopped", on(anyState, m{CmdStop: to(Abort, "")})),
	both(Abort, "it is stopped; start it again before reporting",
		on(anyState, deletable, restartable, m{ActStart: stay(CmdStart), CmdStart: to(Running, "")})),
	both(Skipping, "it is being skipped", on(anyState, m{CmdSkip: to(Running, "")})),
	both(Deleting, "it is being deleted", nil),
	both(Reseting, "it is being reset", on(anyState)),
	both(SyncFailRollingBack, "its failed synchronization is being rolled back", on(anyState)),
	both(SyncFailRolledBack, "its failed synchronization was rolled back; start it again before reporting",
		on(anyState, deletable, m{ActStart: stay(CmdStart), CmdStart: to(Running, "")})),
}

func both(state, why string, moves map[string]Move) Rule {
	return Rule{state, refuse(why), refuse(why), moves}
}

// RuleFor returns the row of the state table for state.
func RuleFor(state string) (Rule, bool) {
	for _, r := range Rules {
		if r.State == state {
			return r, true
		}
	}
	return Rule{}, false
}

// Refusal is a progress report a task's state does not accept. Its message names the state and
// says why.
type Refusal struct {
	State   string
	SubTask string
	Why     string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("The task is %s and takes no progress report on %s: %s.", r.State, r.SubTask, r.Why)
}

// Report returns the state of a task after a progress report on subTask at progress, given the
// task's state and whether it syncs, or a *Refusal when the state does not accept the report.
func Report(state string, syncing bool, subTask string, progress int32) (string, error) {
	rule, ok := RuleFor(state)
	if !ok {
		return "", &Refusal{state, subTask, "the state is unknown"}
	}
	step, completes := rule.Migration, subTask == LastMigrationSubTask && progress == 100
	if IsSync(subTask) {
		step, completes = rule.Sync, progress == 100
	}
	if step.Next == "" {
		return "", &Refusal{state, subTask, step.Why}
	}
	if IsSync(subTask) && !syncing {
		return "", &Refusal{state, subTask, "it does not synchronize incremental data (syncing is off)"}
	}
	if completes {
		return step.Done, nil
	}
	return step.Next, nil
}

// Table is the state table in Markdown, as docs/api.md shows it.
func Table() string {
	var b strings.Builder
	b.WriteString("| state | a report on a sub-task of the full migration | a report on the sync sub-task (tasks with `syncing` only) | actions taken (others refused) | the agent's successful result of |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, r := range Rules {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.State,
			describe(r.State, r.Migration, "`"+LastMigrationSubTask+"` reaches 100"),
			describe(r.State, r.Sync, "it reaches 100"), describeMoves(r.State, r.On))
	}
	return b.String()
}

func describe(state string, s Step, completion string) string {
	if s.Next == "" {
		return "refused: " + s.Why
	}
	next := "becomes `" + s.Next + "`"
	if s.Next == state {
		next = "stays `" + s.Next + "`"
	}
	return fmt.Sprintf("accepted, %s; `%s` when %s", next, s.Done, completion)
}

// SubTasks returns every sub-task some sequence runs, each once.
func SubTasks() []string {
	var names []string
	for key, migration := range sequences {
		for _, name := range append(slices.Clone(migration), syncSubTasks[key]) {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}
