package lifecycle

import (
	"fmt"
	"slices"
	"strings"
)

// The source server states: the API's enum (RegisterServer, ShowServer, ListServers), whose
// descriptions also name premiging. SourceStates lists them.
const (
	SourceUnavailable  = "unavailable"
	SourceWaiting      = "waiting"
	SourceInitialize   = "initialize"
	SourceReplicate    = "replicate"
	SourceSyncing      = "syncing"
	SourceStopping     = "stopping"
	SourceStopped      = "stopped"
	SourceSkipping     = "skipping"
	SourceDeleting     = "deleting"
	SourceError        = "error"
	SourceCloning      = "cloning"
	SourceCutovering   = "cutovering"
	SourceFinished     = "finished"
	SourceClearing     = "clearing"
	SourceCleared      = "cleared"
	SourceClearFailed  = "clearfailed"
	SourcePremigReady  = "premigready"
	SourcePremiging    = "premiging"
	SourcePremiged     = "premiged"
	SourcePremigFailed = "premigfailed"
)

var sourceStates = []string{SourceUnavailable, SourceWaiting, SourceInitialize, SourceReplicate,
	SourceSyncing, SourceStopping, SourceStopped, SourceSkipping, SourceDeleting, SourceError,
	SourceCloning, SourceCutovering, SourceFinished, SourceClearing, SourceCleared,
	SourceClearFailed, SourcePremigReady, SourcePremiging, SourcePremiged, SourcePremigFailed}

// SourceStates returns every state a source server can be in.
func SourceStates() []string { return slices.Clone(sourceStates) }

// SourceStateFilters returns the states ListServers' state filter takes: its enum, which leaves
// out premiging.
func SourceStateFilters() []string {
	return slices.DeleteFunc(SourceStates(), func(s string) bool { return s == SourcePremiging })
}

// The migration cycles (stages) of a source server. The first six are the cycles a source is
// shown in; UpdateCopyState's enum adds the last four, which no combination allows.
const (
	CycleChecking    = "checking"
	CycleSetting     = "setting"
	CycleReplicating = "replicating"
	CycleSyncing     = "syncing"
	CycleCutovering  = "cutovering"
	CycleCutovered   = "cutovered"
	CycleNoReady     = "no_ready"
	CycleReadyTest   = "ready_for_test"
	CycleTesting     = "testing"
	CycleTested      = "tested"
)

// MigrationCycles returns the cycles a source is shown in, which ListServers filters on.
func MigrationCycles() []string {
	return []string{CycleCutovering, CycleCutovered, CycleChecking, CycleSetting, CycleReplicating, CycleSyncing}
}

// CopyStateCycles returns the cycles UpdateCopyState's enum lists.
func CopyStateCycles() []string {
	return []string{CycleNoReady, CycleReadyTest, CycleTesting, CycleTested, CycleCutovering,
		CycleCutovered, CycleChecking, CycleSetting, CycleReplicating, CycleSyncing}
}

// copyStateInit is UpdateCopyState's name for the state initialize.
const copyStateInit = "init"

// CopyStates returns the values UpdateCopyState's copystate takes: the source states, with init
// for initialize.
func CopyStates() []string {
	states := SourceStates()
	states[slices.Index(states, SourceInitialize)] = copyStateInit
	return states
}

// copyStateCombinations is the combination rule of UpdateCopyState, which only the SDK's model
// writes down: the copystates each migration cycle goes with.
var copyStateCombinations = []struct {
	cycle  string
	states []string
}{
	{CycleChecking, []string{SourceUnavailable, SourceWaiting}},
	{CycleSetting, []string{SourceWaiting, SourcePremigReady, SourcePremiging, SourcePremiged, SourcePremigFailed}},
	{CycleReplicating, []string{copyStateInit, SourceReplicate, SourceDeleting, SourceStopping, SourceError, SourceStopped}},
	{CycleSyncing, []string{SourceSyncing, SourceCloning, SourceDeleting, SourceStopping, SourceError, SourceStopped}},
	{CycleCutovering, []string{SourceCutovering, SourceDeleting, SourceStopping, SourceError, SourceStopped}},
	{CycleCutovered, []string{SourceFinished, SourceDeleting, SourceStopping, SourceError, SourceStopped}},
}

// CopyStateFrozen lists the states in which UpdateCopyState does not take effect, as its page
// says: smslab refuses it there.
var CopyStateFrozen = []string{SourceUnavailable, SourceStopping, SourceStopped, SourceDeleting,
	SourceFinished, SourceClearing, SourceClearFailed}

// CheckCopyState checks that copystate and cycle (lower case) go together by the combination
// rule, and returns the source state copystate names (initialize for init). The error says which
// copystates the cycle takes.
func CheckCopyState(copystate, cycle string) (string, error) {
	for _, c := range copyStateCombinations {
		if c.cycle != cycle {
			continue
		}
		if !slices.Contains(c.states, copystate) {
			return "", fmt.Errorf("does not go with migrationcycle %s, which takes copystate %s", cycle, strings.Join(c.states, ", "))
		}
		if copystate == copyStateInit {
			return SourceInitialize, nil
		}
		return copystate, nil
	}
	return "", fmt.Errorf("cannot be set with migrationcycle %s, which no copystate goes with", cycle)
}

// SourceRule is one row of the source table: the state and migration cycle of a source server
// whose task is in TaskState ("" for a source without a task).
type SourceRule struct {
	TaskState string
	State     string
	Cycle     string
}

// SourceRules is the source table: a source server's state and migration cycle follow its task's
// state through it. docs/api.md shows it. UpdateCopyState sets them otherwise until the task's
// state next changes. Every row keeps UpdateCopyState's combination rule but SKIPPING's: the
// rule lists skipping with no cycle, and a skip happens while a task synchronizes.
var SourceRules = []SourceRule{
	{"", SourceWaiting, CycleSetting},
	{Ready, SourceWaiting, CycleSetting},
	{Running, SourceReplicate, CycleReplicating},
	{Syncing, SourceSyncing, CycleSyncing},
	{MigrateSuccess, SourceFinished, CycleCutovered},
	{SyncSuccess, SourceFinished, CycleCutovered},
	{MigrateFail, SourceError, CycleReplicating},
	{SyncFail, SourceError, CycleSyncing},
	{Aborting, SourceStopping, CycleReplicating},
	{Abort, SourceStopped, CycleReplicating},
	{Skipping, SourceSkipping, CycleSyncing},
	{Deleting, SourceDeleting, CycleReplicating},
	{Reseting, SourceInitialize, CycleReplicating},
	{SyncFailRollingBack, SourceSyncing, CycleSyncing},
	{SyncFailRolledBack, SourceStopped, CycleSyncing},
}

// SourceStateFor returns the state and migration cycle of a source server whose task is in
// taskState ("" for none). A task state the table does not list (none should be stored) counts
// as no task.
func SourceStateFor(taskState string) (state, cycle string) {
	for _, r := range SourceRules {
		if r.TaskState == taskState {
			return r.State, r.Cycle
		}
	}
	return SourceRules[0].State, SourceRules[0].Cycle
}

// InProgress lists the task states in which a task is in progress: a source server whose task
// is in one of them cannot be deleted.
var InProgress = []string{Running, Syncing, Aborting, Skipping, Deleting, Reseting, SyncFailRollingBack}

// SourceTable is the source table in Markdown, as docs/api.md shows it.
func SourceTable() string {
	var b strings.Builder
	b.WriteString("| task state | source `state` | `migration_cycle` | source can be deleted |\n")
	b.WriteString("| --- | --- | --- | --- |\n")
	for _, r := range SourceRules {
		task, deletable := "no task", "yes"
		if r.TaskState != "" {
			task = "`" + r.TaskState + "`"
		}
		if slices.Contains(InProgress, r.TaskState) {
			deletable = "no: the task is in progress"
		}
		fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", task, r.State, r.Cycle, deletable)
	}
	return b.String()
}
