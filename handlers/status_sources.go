package handlers

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/lifecycle"
	"smslab/sms"
)

// sourceGroups colour a source's state on the status page with the task groups' colours. Every
// source state is in exactly one (TestSourceGroupsHoldEveryStateOnce).
var sourceGroups = []stateGroup{
	{"running", []string{lifecycle.SourceReplicate, lifecycle.SourceInitialize}},
	{"syncing", []string{lifecycle.SourceSyncing, lifecycle.SourceCloning, lifecycle.SourceCutovering}},
	{"succeeded", []string{lifecycle.SourceFinished, lifecycle.SourceCleared, lifecycle.SourcePremiged}},
	{"failed", []string{lifecycle.SourceError, lifecycle.SourceUnavailable, lifecycle.SourceClearFailed, lifecycle.SourcePremigFailed}},
	{"aborted", []string{lifecycle.SourceStopping, lifecycle.SourceStopped}},
	{"ready", []string{lifecycle.SourceWaiting, lifecycle.SourcePremigReady}},
	{"other", []string{lifecycle.SourceSkipping, lifecycle.SourceDeleting, lifecycle.SourceClearing, lifecycle.SourcePremiging}},
}

// sourceGroupOf names the group of a source state; one no group lists (a seed's) is "other".
func sourceGroupOf(state string) string {
	for _, g := range sourceGroups {
		if slices.Contains(g.States, state) {
			return g.Name
		}
	}
	return "other"
}

// statusSourcesQuery is the query of GET /status/sources.
type statusSourcesQuery struct {
	Name      string `json:"name" validate:"max=255,text"`
	Connected bool   `json:"connected"`
	Offset    int64  `json:"offset" validate:"min=0,max=2147483647"`
	Limit     int64  `json:"limit" validate:"min=1,max=200"`
}

func decodeStatusSourcesQuery(dec *sms.Decoder, rawQuery string) (*statusSourcesQuery, error) {
	params, err := sms.QueryParams(rawQuery, "this endpoint", "name", "connected", "offset", "limit")
	if err != nil {
		return nil, err
	}
	q := &statusSourcesQuery{Name: params["name"], Limit: defaultStatusLimit}
	switch params["connected"] {
	case "", "false":
	case "true":
		q.Connected = true
	default:
		return nil, invalid("connected", "must be true or false")
	}
	if err := parsePage(params, &q.Limit, &q.Offset); err != nil {
		return nil, err
	}
	return q, dec.Validate(q)
}

// statusSourceTask is a source's task as the page shows it.
type statusSourceTask struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	State   string         `json:"state"`
	Group   string         `json:"group"`
	Current *statusCurrent `json:"current"`
}

// statusSource is a source as the page's list shows it. Dates are epoch milliseconds.
type statusSource struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	IP             *string           `json:"ip"`
	OsType         *string           `json:"os_type"`
	OsVersion      *string           `json:"os_version"`
	State          string            `json:"state"`
	Group          string            `json:"group"`
	MigrationCycle string            `json:"migration_cycle"`
	Connected      bool              `json:"connected"`
	LastCall       *int64            `json:"last_call"`
	AddDate        int64             `json:"add_date"`
	Project        string            `json:"project"`
	AgentVersion   *string           `json:"agent_version"`
	Task           *statusSourceTask `json:"task"`
}

type statusSourcesResponse struct {
	Count     int64          `json:"count"`
	Total     int64          `json:"total"`
	Connected int64          `json:"connected"`
	Offset    int64          `json:"offset"`
	Limit     int64          `json:"limit"`
	Now       int64          `json:"now"`
	Sources   []statusSource `json:"sources"`
}

// statusSources serves GET /status/sources?name=&connected=&offset=&limit=: one page of source
// servers, newest first, all or those whose agents are connected, filtered by a substring of the
// name.
func statusSources(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := decodeStatusSourcesQuery(dec, c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		page, err := store.ListStatusSources(c.Request().Context(), db.StatusSourceQuery{
			Name: q.Name, ConnectedOnly: q.Connected, Limit: q.Limit, Offset: q.Offset})
		if err != nil {
			return err
		}
		resp := statusSourcesResponse{Count: page.Count, Total: page.Total, Connected: page.Connected,
			Offset: q.Offset, Limit: q.Limit, Now: store.Now().UnixMilli(), Sources: make([]statusSource, len(page.Sources))}
		for i, s := range page.Sources {
			row := statusSource{ID: s.ID, Name: s.Name, IP: s.Ip, OsType: s.OsType, OsVersion: s.OsVersion,
				State: s.State, Group: sourceGroupOf(s.State), MigrationCycle: s.MigrationCycle,
				Connected: s.Connected, LastCall: s.LastCall, AddDate: s.AddDate, Project: s.Project,
				AgentVersion: s.AgentVersion}
			if t := s.Task; t != nil {
				row.Task = &statusSourceTask{ID: t.ID, Name: t.Name, State: t.State, Group: groupOf(t.State)}
				if t.SubtaskInfo != nil {
					if name, progress, ok := db.ParseSubtaskInfo(*t.SubtaskInfo); ok {
						row.Task.Current = &statusCurrent{Name: name, Progress: progress}
					}
				}
			}
			if row.IP == nil {
				row.IP = s.Ipv6
			}
			resp.Sources[i] = row
		}
		return writeJSON(c, http.StatusOK, resp)
	}
}
