package sms

import "slices"

// Source servers, migration projects and templates keep the task-id rule for their ids
// (taskIDRule): they go into request paths as task ids do.

// ReservedSourceIDs are the source ids that name another route under /v3/sources:
// GET /v3/sources/overview is ShowOverview and POST /v3/sources/delete DeleteServers, so a
// source with either id could not be shown, renamed or deleted by its path.
var ReservedSourceIDs = []string{"overview", "delete"}

// sourceIDRule is taskIDRule for a source server's id, which may not be a reserved one either.
func sourceIDRule(id string) string {
	if rule := taskIDRule(id); rule != "" {
		return rule
	}
	if slices.Contains(ReservedSourceIDs, id) {
		return "must not be overview or delete, which name other routes under /v3/sources"
	}
	return ""
}

// CheckSourceID is CheckTaskID for a source server's id, which may not be a reserved one either.
func CheckSourceID(field, id string) error {
	if rule := sourceIDRule(id); rule != "" {
		return &InvalidError{Field: field, Rule: rule}
	}
	return nil
}
