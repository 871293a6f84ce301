package lifecycle

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The actions a task takes: UpdateTaskStatus' operations (cutover and sync_failed_rollback from
// the pages' text and older pages), CollectLog's collect_log and DeleteTask's delete. The state
// table (Rules) says in which states each is taken.
const (
	ActStart              = "start"
	ActStop               = "stop"
	ActRestart            = "restart"
	ActTest               = "test"
	ActCloneTest          = "clone_test"
	ActCutover            = "cutover"
	ActSkip               = "skip"
	ActClear              = "clear"
	ActNetworkCheck       = "network_check"
	ActSyncFailedRollback = "sync_failed_rollback"
	ActCollectLog         = "collect_log"
	ActDelete             = "delete"
)

// Actions lists the actions in the order the state table shows them.
var Actions = []string{ActStart, ActStop, ActRestart, ActTest, ActCloneTest, ActCutover, ActSkip,
	ActClear, ActNetworkCheck, ActSyncFailedRollback, ActCollectLog, ActDelete}

// Operations lists what UpdateTaskStatus' operation takes: the actions it serves and the ones
// smslab does not emulate (NotEmulated).
func Operations() []string {
	return []string{ActStart, ActStop, ActTest, ActCloneTest, ActRestart, ActNetworkCheck, ActClear,
		ActSkip, "migration_test", ActCutover, "error_for_overspeed", ActSyncFailedRollback}
}

// NotEmulated are the documented operations smslab refuses whatever the task's state, with what
// to do instead.
var NotEmulated = map[string]string{
	"migration_test":      "the migration drill is not emulated by smslab; use test or clone_test to try the target server",
	"error_for_overspeed": "SMS itself suspends a task that runs over its speed limit, and smslab does not emulate it; use stop to suspend the task",
}

// The commands SMS queues for a source server's agent (ShowCommand's command_name), and the
// answers to a poll when none is pending.
const (
	CmdStart     = "START"
	CmdStop      = "STOP"
	CmdSync      = "SYNC"
	CmdSkip      = "SKIP"
	CmdDelete    = "DELETE"
	CmdUploadLog = "UPLOAD_LOG"
	CmdResetACL  = "RSET_LOG_ACL" // sic: the API's spelling

	TaskNotStarted  = "TASK_NOT_STARTED"
	TaskHasStopped  = "TASK_HAS_STOPPED"
	TaskHasFinished = "TASK_HAS_FINISHED"
)

// ResultCommands lists the command names UpdateCommandResult takes: its page's list, and SKIP,
// which smslab queues.
var ResultCommands = []string{CmdStart, CmdStop, CmdDelete, CmdSync, CmdUploadLog, CmdResetACL, CmdSkip}

// stateResults are the commands whose result the state table decides (the others change no
// state: DELETE comes after the task is gone, UPLOAD_LOG changes log_collect_status only).
var stateResults = []string{CmdStart, CmdStop, CmdSync, CmdSkip}

// Move is what an action or a command's successful result does to a task in a state.
type Move struct {
	// Next is the state after it; "" keeps the state.
	Next string
	// Queue is the command queued for the source's agent, if any.
	Queue string
	// Reset clears the task's progress, sub-tasks and error first (restart).
	Reset bool
	// NeedsSyncing takes the move only for a task with syncing on.
	NeedsSyncing bool
}

type m = map[string]Move

func to(next, cmd string) Move { return Move{Next: next, Queue: cmd} }
func stay(cmd string) Move     { return Move{Queue: cmd} }

// The groups of moves several states share.
var (
	// anyState: every state but DELETING checks the network and collects logs.
	anyState = m{ActNetworkCheck: stay(""), ActCollectLog: stay(CmdUploadLog)}
	// deletable: a task that is not in progress (InProgress) may be deleted.
	deletable = m{ActDelete: stay("")}
	// restartable: a finished, failed or stopped task starts over from READY.
	restartable = m{ActRestart: {Next: Ready, Queue: CmdStart, Reset: true}}
	// succeeded: the target server of a migrated task is tested, cloned, cut over, cleared.
	succeeded = m{ActTest: stay(""), ActCloneTest: stay(""), ActCutover: stay(""), ActClear: stay("")}
	// syncAgain: start on a migrated task that syncs runs an incremental synchronization.
	syncAgain = Move{Queue: CmdSync, NeedsSyncing: true}
)

func on(groups ...m) map[string]Move {
	moves := m{}
	for _, g := range groups {
		maps.Copy(moves, g)
	}
	return moves
}

// ActionRefusal is an action the task's state does not take. Its message names the state, the
// action and what the state takes.
type ActionRefusal struct {
	State, Action string
	Why           string // set when the state takes the action in other conditions
}

func (r *ActionRefusal) Error() string {
	if r.Why != "" {
		return fmt.Sprintf("The task is %s and cannot take %s: %s.", r.State, r.Action, r.Why)
	}
	allowed := TakenIn(r.State)
	if len(allowed) == 0 {
		return fmt.Sprintf("The task is %s and cannot take %s: it takes no action in that state; wait for it to change.", r.State, r.Action)
	}
	return fmt.Sprintf("The task is %s and cannot take %s: in that state it takes %s.", r.State, r.Action, strings.Join(allowed, ", "))
}

// TakenIn lists the actions a task in state takes, in the table's order.
func TakenIn(state string) []string {
	rule, _ := RuleFor(state)
	var taken []string
	for _, a := range Actions {
		if _, ok := rule.On[a]; ok {
			taken = append(taken, a)
		}
	}
	return taken
}

// Act returns what action does to a task in state (syncing: whether it synchronizes
// incremental data), or an *ActionRefusal.
func Act(state string, syncing bool, action string) (Move, error) {
	rule, _ := RuleFor(state)
	mv, ok := rule.On[action]
	if !ok || !slices.Contains(Actions, action) {
		return Move{}, &ActionRefusal{State: state, Action: action}
	}
	if mv.NeedsSyncing && !syncing {
		return Move{}, &ActionRefusal{State: state, Action: action,
			Why: "its migration has finished and it does not synchronize incremental data (syncing is off); use restart to migrate it again"}
	}
	return mv, nil
}

// Result returns the state of a task in state after its agent's result for cmd: success moves
// it as the table says; fail makes it MIGRATE_FAIL (SYNC_FAIL for SYNC) where success would have
// moved it. changed is false where the result changes nothing.
func Result(state, cmd string, success bool) (next string, changed bool) {
	rule, _ := RuleFor(state)
	mv, ok := rule.On[cmd]
	if !ok || !slices.Contains(stateResults, cmd) {
		return state, false
	}
	if success {
		return mv.Next, mv.Next != state
	}
	return failedState(cmd), true
}

func failedState(cmd string) string {
	if cmd == CmdSync {
		return SyncFail
	}
	return MigrateFail
}

// IdleAnswer is ShowCommand's command_name when nothing is pending for a source whose task is in
// state ("" for a source without a task): "" means an empty answer ({}).
func IdleAnswer(state string) string {
	switch state {
	case Ready:
		return TaskNotStarted
	case Abort:
		return TaskHasStopped
	case MigrateSuccess, SyncSuccess, MigrateFail, SyncFail, SyncFailRolledBack:
		return TaskHasFinished
	}
	return ""
}

// describeMoves is the table's cell of a state's actions and results.
func describeMoves(state string, moves map[string]Move) string {
	var parts []string
	for _, a := range Actions {
		if mv, ok := moves[a]; ok {
			parts = append(parts, "`"+a+"`"+describeMove(state, mv))
		}
	}
	actions := "none"
	if len(parts) > 0 {
		actions = strings.Join(parts, "; ")
	}
	parts = nil
	for _, c := range stateResults {
		if mv, ok := moves[c]; ok {
			parts = append(parts, fmt.Sprintf("`%s` → `%s` (fail: `%s`)", c, mv.Next, failedState(c)))
		}
	}
	results := "none"
	if len(parts) > 0 {
		results = strings.Join(parts, "; ")
	}
	return actions + " | " + results
}

func describeMove(state string, mv Move) string {
	var what []string
	if mv.NeedsSyncing {
		what = append(what, "with `syncing` only")
	}
	if mv.Reset {
		what = append(what, "progress cleared")
	}
	if mv.Next != "" && mv.Next != state {
		what = append(what, "→ `"+mv.Next+"`")
	}
	if mv.Queue != "" {
		what = append(what, "queues `"+mv.Queue+"`")
	}
	if len(what) == 0 {
		return ""
	}
	return " (" + strings.Join(what, ", ") + ")"
}
