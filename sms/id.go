package sms

import (
	"slices"
	"strings"
)

// CheckID checks id, named field in the error, against the rule of the ids smslab keeps for
// source servers and migration projects, in a path, a query or a body: the task-id rule, and no
// '/', which a path could not carry unambiguously. nil if it keeps it, else an *InvalidError.
func CheckID(field, id string) error {
	if rule := idRule(id); rule != "" {
		return &InvalidError{Field: field, Rule: rule}
	}
	return nil
}

// idRule says which part of the id rule id breaks, or "".
func idRule(id string) string {
	if rule := taskIDRule(id); rule != "" {
		return rule
	}
	if strings.Contains(id, "/") {
		return "must not contain '/'"
	}
	return ""
}

// ReservedSourceIDs are the source ids that name another route under /v3/sources:
// GET /v3/sources/overview is ShowOverview and POST /v3/sources/delete DeleteServers, so a
// source with either id could not be shown, renamed or deleted by its path.
var ReservedSourceIDs = []string{"overview", "delete"}

// sourceIDRule is idRule for a source server's id, which may not be a reserved one either.
func sourceIDRule(id string) string {
	if rule := idRule(id); rule != "" {
		return rule
	}
	if slices.Contains(ReservedSourceIDs, id) {
		return "must not be overview or delete, which name other routes under /v3/sources"
	}
	return ""
}

// CheckSourceID is CheckID for a source server's id, which may not be a reserved one either.
func CheckSourceID(field, id string) error {
	if rule := sourceIDRule(id); rule != "" {
		return &InvalidError{Field: field, Rule: rule}
	}
	return nil
}
