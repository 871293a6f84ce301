package sms

import (
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
	ID                  *string `json:"id" validate:"omitnil,min=1,max=36,text"`
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
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, &InvalidError{Rule: "query string is not valid: " + err.Error()}
	}
	q := &ListTasksQuery{Limit: DefaultLimit}
	for _, name := range slices.Sorted(maps.Keys(values)) {
		vals := values[name]
		if !utf8.ValidString(name) {
			return nil, &InvalidError{Field: strconv.QuoteToASCII(name), Rule: "is not a query parameter of ListTasks"}
		}
		if len(vals) > 1 {
			return nil, &InvalidError{Field: name, Rule: "appears more than once"}
		}
		val := vals[0]
		if !utf8.ValidString(val) {
			return nil, &InvalidError{Field: name, Rule: "must be valid UTF-8"}
		}
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
			n, err := strconv.ParseInt(val, 10, 32)
			if err != nil {
				return nil, &InvalidError{Field: name, Rule: "must be an Integer"}
			}
			if name == "limit" {
				q.Limit = int32(n)
			} else {
				q.Offset = int32(n)
			}
		default:
			return nil, &InvalidError{Field: name, Rule: "is not a query parameter of ListTasks"}
		}
	}
	if err := d.Validate(q); err != nil {
		return nil, err
	}
	return q, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
