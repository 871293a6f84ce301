package handlers

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/lifecycle"
	"smslab/sms"
)

// StatusInfo is what the status page's header says about this instance. It must hold nothing
// secret: the page is served to anyone who can reach the port.
type StatusInfo struct {
	Addr     string    // the address the server listens on
	DBPath   string    // the SQLite database file
	AuthMode string    // how the API authenticates, in words
	Started  time.Time // when the server started
}

// stateGroup is one of the status page's coloured chips: a name for a set of task states.
type stateGroup struct {
	Name   string
	States []string
}

// stateGroups are the chips in the order the page shows them. Every task state is in exactly one
// group (TestStatusGroupsHoldEveryStateOnce holds them to lifecycle.States); "other" holds the
// rare transitional ones.
var stateGroups = []stateGroup{
	{"running", []string{lifecycle.Running}},
	{"syncing", []string{lifecycle.Syncing}},
	{"succeeded", []string{lifecycle.MigrateSuccess, lifecycle.SyncSuccess}},
	{"failed", []string{lifecycle.MigrateFail, lifecycle.SyncFail}},
	{"aborted", []string{lifecycle.Aborting, lifecycle.Abort}},
	{"ready", []string{lifecycle.Ready}},
	{"other", []string{lifecycle.Skipping, lifecycle.Deleting, lifecycle.Reseting,
		lifecycle.SyncFailRollingBack, lifecycle.SyncFailRolledBack}},
}

// groupOf names the group of a state; a state no group lists (none should exist) is "other".
func groupOf(state string) string {
	for _, g := range stateGroups {
		if slices.Contains(g.States, state) {
			return g.Name
		}
	}
	return "other"
}

// pageHeaders are the security headers of the status page and of everything it reads, beside
// noSniff's, which every answer carries: scripts and styles only from this origin and only from
// files (no inline script, no style attributes), no other origin at all, no framing.
func pageHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		// The page polls; a cached answer would show a stale state, and after an upgrade a
		// cached script would not match the JSON.
		h.Set("Cache-Control", "no-cache")
		return next(c)
	}
}

// noQuery refuses any query parameter: a status endpoint that takes none says so rather than
// ignoring a typo.
func noQuery(c echo.Context) error {
	_, err := sms.QueryParams(c.Request().URL.RawQuery, "this endpoint")
	return err
}

// statusPathID is the task id of GET /status/tasks/{task_id}, which takes no query.
func statusPathID(c echo.Context) (string, error) {
	id, err := taskID(c)
	if err != nil {
		return "", err
	}
	return id, noQuery(c)
}

// statusQueryID is the task id of GET /status/task?id=.
func statusQueryID(c echo.Context) (string, error) {
	params, err := sms.QueryParams(c.Request().URL.RawQuery, "this endpoint", "id")
	if err != nil {
		return "", err
	}
	return params["id"], sms.CheckTaskID("id", params["id"])
}

type statusGroupCount struct {
	Group  string   `json:"group"`
	Count  int64    `json:"count"`
	States []string `json:"states"`
}

type statusStateCount struct {
	State string `json:"state"`
	Count int64  `json:"count"`
}

type statusSummaryResponse struct {
	Addr     string             `json:"addr"`
	DB       string             `json:"db"`
	AuthMode string             `json:"auth_mode"`
	Started  int64              `json:"started"`
	Now      int64              `json:"now"`
	Total    int64              `json:"total"`
	Groups   []statusGroupCount `json:"groups"`
	States   []statusStateCount `json:"states"`
	// Sources counts the source servers, and those whose agents are connected.
	Sources struct {
		Total     int64 `json:"total"`
		Connected int64 `json:"connected"`
	} `json:"sources"`
}

// statusSummary serves GET /status/summary: the page's header, that is, this instance and the
// number of tasks in each state group and each state. Dates are epoch milliseconds; now is the
// server's clock, so the page measures ages and uptime without trusting the viewer's clock.
func statusSummary(store *db.Store, info StatusInfo) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := noQuery(c); err != nil {
			return err
		}
		counts, err := store.CountTasksPerState(c.Request().Context())
		if err != nil {
			return err
		}
		resp := statusSummaryResponse{
			Addr: info.Addr, DB: info.DBPath, AuthMode: info.AuthMode,
			Started: info.Started.UnixMilli(), Now: store.Now().UnixMilli(),
		}
		if resp.Sources.Total, resp.Sources.Connected, err = store.CountSources(c.Request().Context()); err != nil {
			return err
		}
		resp.Total, resp.Groups, resp.States = countGroups(counts)
		return writeJSON(c, http.StatusOK, resp)
	}
}

// countGroups sums the tasks per state into the page's state groups.
func countGroups(counts map[string]int64) (total int64, groups []statusGroupCount, states []statusStateCount) {
	groups, states = make([]statusGroupCount, len(stateGroups)), []statusStateCount{}
	for i, g := range stateGroups {
		groups[i] = statusGroupCount{Group: g.Name, States: g.States}
	}
	for _, state := range slices.Sorted(maps.Keys(counts)) {
		n := counts[state]
		total += n
		states = append(states, statusStateCount{State: state, Count: n})
		group := groupOf(state)
		for i := range groups {
			if groups[i].Group == group {
				groups[i].Count += n
			}
		}
	}
	return total, groups, states
}

// statusTasksQuery is the query of GET /status/tasks.
type statusTasksQuery struct {
	State  string `json:"state"` // a group name, checked against stateGroups
	Name   string `json:"name" validate:"max=255,text"`
	Offset int64  `json:"offset" validate:"min=0,max=2147483647"` // not ListTasks' 65535: this page lists every task
	Limit  int64  `json:"limit" validate:"min=1,max=200"`
}

// defaultStatusLimit is the page size when the query gives none: a screenful.
const defaultStatusLimit = 50

// parsePage sets limit and offset from a status endpoint's query parameters, those it gives.
func parsePage(params map[string]string, limit, offset *int64) error {
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"limit", limit}, {"offset", offset}} {
		if val, ok := params[p.name]; ok {
			v, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return invalid(p.name, "must be a whole number")
			}
			*p.dst = v
		}
	}
	return nil
}

func decodeStatusTasksQuery(dec *sms.Decoder, rawQuery string) (*statusTasksQuery, error) {
	params, err := sms.QueryParams(rawQuery, "this endpoint", "state", "name", "offset", "limit")
	if err != nil {
		return nil, err
	}
	q := &statusTasksQuery{State: params["state"], Name: params["name"], Limit: defaultStatusLimit}
	if err := parsePage(params, &q.Limit, &q.Offset); err != nil {
		return nil, err
	}
	if q.State != "" && !slices.ContainsFunc(stateGroups, func(g stateGroup) bool { return g.Name == q.State }) {
		names := make([]string, len(stateGroups))
		for i, g := range stateGroups {
			names[i] = g.Name
		}
		return nil, invalid("state", "must be one of "+strings.Join(names, ", "))
	}
	if err := dec.Validate(q); err != nil {
		return nil, err
	}
	return q, nil
}

// statusSubTask is a sub-task as the page shows it.
type statusSubTask struct {
	ID           *int64  `json:"id"`
	Name         *string `json:"name"`
	Progress     int32   `json:"progress"`
	StartDate    *int64  `json:"start_date"`
	EndDate      *int64  `json:"end_date"`
	ProcessTrace *string `json:"process_trace"`
}

type statusCurrent struct {
	Name     string `json:"name"`
	Progress int32  `json:"progress"`
}

// statusTask is a task as the page's list shows it. Sizes are bytes, speed is Mbit/s, dates
// epoch milliseconds.
type statusTask struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	State          string         `json:"state"`
	Group          string         `json:"group"`
	Type           *string        `json:"type"`
	OsType         *string        `json:"os_type"`
	SourceName     *string        `json:"source_name"`
	SourceIP       *string        `json:"source_ip"`
	Current        *statusCurrent `json:"current"`
	MigrateSpeed   *float64       `json:"migrate_speed"`
	Replicatesize  *int64         `json:"replicatesize"`
	Totalsize      *int64         `json:"totalsize"`
	RemainSeconds  *int64         `json:"remain_seconds"`
	LastReportDate *int64         `json:"last_report_date"`
	ErrorJSON      *string        `json:"error_json"`
	CreateDate     int64          `json:"create_date"`
	// Copying says the current sub-task copies data: only then are speed and remaining time
	// meaningful.
	Copying bool `json:"copying"`
	// Health is "", "stalled" or "disconnected" for a running or syncing task, with its reason,
	// and the task's usual interval between reports in ms (docs/status-page.md).
	Health         string  `json:"health"`
	HealthReason   *string `json:"health_reason"`
	ReportInterval *int64  `json:"report_interval"`
	// EndDate and TookSeconds are when a finished, failed or aborted task ended and how long it
	// took, where smslab knows.
	EndDate     *int64 `json:"end_date"`
	TookSeconds *int64 `json:"took_seconds"`
}

// statusTaskDetail is a task as an expanded row shows it: its list row, its first
// db.MaxStatusSubTasks sub-tasks, and how many it has.
type statusTaskDetail struct {
	statusTask
	SubTasks     []statusSubTask `json:"sub_tasks"`
	SubTaskCount int64           `json:"sub_task_count"`
	// Timeline is the task's newest events (db.TimelineLength), as ShowTask shows them.
	Timeline []sms.TimelineEvent `json:"timeline"`
}

type statusTasksResponse struct {
	Count  int64        `json:"count"`
	Offset int64        `json:"offset"`
	Limit  int64        `json:"limit"`
	Now    int64        `json:"now"`
	Tasks  []statusTask `json:"tasks"`
}

// statusTasks serves GET /status/tasks?state=&name=&offset=&limit=: one page of tasks, running
// first, filtered by state group and by a substring of the name.
func statusTasks(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := decodeStatusTasksQuery(dec, c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		sq := db.StatusQuery{Name: q.Name, Limit: q.Limit, Offset: q.Offset}
		for _, g := range stateGroups {
			if g.Name == q.State {
				sq.States = g.States
			}
		}
		page, err := store.ListStatusTasks(c.Request().Context(), sq)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, statusTasksOf(store, page, q.Offset, q.Limit))
	}
}

// statusTasksOf is the answer for a page of rows, from offset, at most limit.
func statusTasksOf(store *db.Store, page db.StatusPage, offset, limit int64) statusTasksResponse {
	now := store.Now().UnixMilli()
	resp := statusTasksResponse{Count: page.Count, Offset: offset, Limit: limit, Now: now,
		Tasks: make([]statusTask, len(page.Tasks))}
	for i, t := range page.Tasks {
		resp.Tasks[i] = statusRow(store, t, now)
	}
	return resp
}

// statusTaskDetails serves GET /status/tasks/{task_id} and GET /status/task?id=: one task with
// its first 200 sub-tasks and their number, for an expanded row. The page uses the second: a browser resolves a task id of
// . or .. in a path, escaped or not, as a path segment.
func statusTaskDetails(store *db.Store, idOf func(echo.Context) (string, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idOf(c)
		if err != nil {
			return err
		}
		t, err := store.GetStatusTask(c.Request().Context(), id)
		if err != nil {
			return err
		}
		resp := statusTaskDetail{statusTask: statusRow(store, t, store.Now().UnixMilli()),
			SubTasks: make([]statusSubTask, len(t.SubTasks)), SubTaskCount: t.SubTaskCount}
		for i, st := range t.SubTasks {
			resp.SubTasks[i] = statusSubTask{ID: st.ID, Name: st.Name, Progress: zeroIfNil(st.Progress),
				StartDate: st.StartDate, EndDate: st.EndDate, ProcessTrace: st.ProcessTrace}
		}
		if resp.Timeline, err = store.TaskTimeline(c.Request().Context(), id); err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, resp)
	}
}

// statusRow projects a stored task into the page's row at time now, with its health.
func statusRow(store *db.Store, t db.StatusTask, now int64) statusTask {
	row := statusTask{
		ID: *t.ID, Name: *t.Name, State: *t.State, Group: groupOf(*t.State),
		Type: t.Type, OsType: t.OsType,
		MigrateSpeed: t.MigrateSpeed, Replicatesize: t.Replicatesize, Totalsize: t.Totalsize,
		LastReportDate: t.LastReportDate, ErrorJSON: t.ErrorJSON, CreateDate: *t.CreateDate,
	}
	if t.Current != nil {
		row.Current = &statusCurrent{Name: t.Current.Name, Progress: t.Current.Progress}
	}
	if row.ErrorJSON != nil && *row.ErrorJSON == "" {
		row.ErrorJSON = nil
	}
	if s := t.SourceServer; s != nil {
		row.SourceName, row.SourceIP = s.Name, s.IP
	}
	row.Copying = row.Current != nil && lifecycle.CopiesData(row.Current.Name)
	switch row.Group {
	case "running", "syncing":
		// Time left is only meaningful while the task copies; it counts down from the last
		// report's estimate rather than repeating the reported number.
		if eta := t.EstimateCompleteTime; row.Copying && eta != nil && *eta > now {
			left := (*eta - now + 999) / 1000
			row.RemainSeconds = &left
		}
		h := store.TaskHealth(row.ID, row.State, now)
		row.Health, row.ReportInterval = h.State, &h.Interval
		if h.Reason != "" {
			row.HealthReason = &h.Reason
		}
	case "succeeded", "failed", "aborted":
		row.EndDate = t.FinishDate
		if row.EndDate == nil {
			row.EndDate = t.LastReportDate
		}
		switch {
		case t.TotalTime != nil:
			took := *t.TotalTime / 1000
			row.TookSeconds = &took
		case row.EndDate != nil && t.StartDate != nil && *row.EndDate >= *t.StartDate:
			took := (*row.EndDate - *t.StartDate) / 1000
			row.TookSeconds = &took
		}
	}
	return row
}

func zeroIfNil[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
