package sms

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckTaskID checks id, named field in the error, against the task-id rule: nil if it keeps it,
// else an *InvalidError saying which part it breaks.
func CheckTaskID(field, id string) error {
	if rule := taskIDRule(id); rule != "" {
		return &InvalidError{Field: field, Rule: rule}
	}
	return nil
}

// taskIDRule is the rule every task id the API takes keeps, in a path, a query, a body or a seed
// file (the task_id validator tag): 1 to 36 characters of valid UTF-8 and no control character
// at all, not even the tab, line feed and carriage return IsText allows, as an id goes into
// request paths; for the same reason no '/' and neither "." nor "..", which a path cannot
// address (docs/api.md). It says which part id breaks, in the words of the other rules, or "".
func taskIDRule(id string) string {
	switch n := utf8.RuneCountInString(id); {
	case !utf8.ValidString(id):
		return "must be valid UTF-8"
	case n < 1:
		return "must be at least 1 characters long"
	case n > 36:
		return "must be at most 36 characters long"
	case strings.ContainsFunc(id, unicode.IsControl):
		return "must not contain control characters"
	case strings.Contains(id, "/"):
		return "must not contain '/'"
	case id == "." || id == "..":
		return `must not be "." or ".."`
	}
	return ""
}
