package sms

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"
)

// ListTasksQuery holds the query parameters of GET /v3/tasks. Filters are exact matches; a nil
// filter, or an empty name or enterprise project, does not filter.
type ListTasksQuery struct {
	State               *string `json:"state" validate:"omitnil,task_state"`
	Name                *string `json:"name" validate:"omitnil,max=255,text"`
	ID                  *string `json:"id" validate:"omitnil,task_id"`
	SourceServerID      *string `json:"source_server_id" validate:"omitnil,min=1,max=36,text"`
	EnterpriseProjectID *string `json:"enterprise_project_id" validate:"omitnil,max=255,text"`
	Limit               int32   `json:"limit" validate:"min=0,max=200"`
	Offset              int32   `json:"offset" validate:"min=0,max=65535"`
}

// Default paging of ListTasks.
const (
	DefaultLimit = 100
)

// DecodeListTasksQuery parses and validates a raw query string. Unknown and repeated parameters
// are refused rather than ignored, so a typo never silently widens a listing.
func (d *Decoder) DecodeListTasksQuery(rawQuery string) (*ListTasksQuery, error) {
	params, err := QueryParams(rawQuery, "ListTasks", "state", "name", "id", "source_server_id",
		"enterprise_project_id", "limit", "offset")
	if err != nil {
		return nil, err
	}
	q := &ListTasksQuery{Limit: DefaultLimit}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		val := params[name]
		switch name {
		case "state":
			q.State = &val
		case "name":
			q.Name = nonEmpty(val)
		case "id":
			q.ID = &val
		case "source_server_id":
			q.SourceServerID = &val
		case "enterprise_project_id":
			q.EnterpriseProjectID = nonEmpty(val)
		case "limit", "offset":
			// A whole number out of int32's range comes back clamped to it, which both fields'
			// bounds then refuse, naming the bound rather than calling the number no Integer.
			n, err := strconv.ParseInt(val, 10, 32)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, &InvalidError{Field: name, Rule: "must be an Integer"}
			}
			if name == "limit" {
				q.Limit = int32(n)
			} else {
				q.Offset = int32(n)
			}
		}
	}
	if err := d.Validate(q); err != nil {
		return nil, err
	}
	return q, nil
}

// QueryParams parses a raw query string into one value per parameter. It refuses a malformed
// string, a parameter not among known (endpoint names the operation in the message), a
// repeated parameter and a value that is not valid UTF-8, in that order, parameters taken in
// sorted order so that the error is always the same one.
func QueryParams(rawQuery, endpoint string, known ...string) (map[string]string, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, &InvalidError{Rule: "query string is not valid: " + err.Error()}
	}
	params := make(map[string]string, len(values))
	for _, name := range slices.Sorted(maps.Keys(values)) {
		vals := values[name]
		switch {
		case !slices.Contains(known, name):
			return nil, &InvalidError{Field: printable(name), Rule: "is not a query parameter of " + endpoint}
		case len(vals) > 1:
			return nil, &InvalidError{Field: name, Rule: "appears more than once"}
		case !utf8.ValidString(vals[0]):
			return nil, &InvalidError{Field: name, Rule: "must be valid UTF-8"}
		}
		params[name] = vals[0]
	}
	return params, nil
}

// printable quotes a parameter name that is not valid UTF-8 text, so that an error message can
// carry it.
func printable(s string) string {
	if !utf8.ValidString(s) || !IsText(s) {
		return strconv.QuoteToASCII(s)
	}
	return s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
