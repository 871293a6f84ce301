package handlers

// SourceGroupStates lists the states of each of the status page's source groups, for tests.
func SourceGroupStates() [][]string {
	var states [][]string
	for _, g := range sourceGroups {
		states = append(states, g.States)
	}
	return states
}
