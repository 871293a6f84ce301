package handlers_test

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/seed"
	"smslab/sms"
)

// demoTasks returns the demo seed as parsed from the file, the expectation ListTasks is held to.
func demoTasks(t *testing.T) []sms.Task {
	t.Helper()
	f, err := seed.DemoAt(sms.NewDecoder(), demoSeededAt)
	if err != nil {
		t.Fatal(err)
	}
	return f.Tasks
}

// inListOrder sorts tasks as ListTasks documents: newest create_date first, then by id.
func inListOrder(tasks []sms.Task) []sms.Task {
	tasks = slices.Clone(tasks)
	slices.SortFunc(tasks, func(a, b sms.Task) int {
		return cmp.Or(cmp.Compare(*b.CreateDate, *a.CreateDate), cmp.Compare(*a.ID, *b.ID))
	})
	return tasks
}

func ids(tasks []sms.Task) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = *t.ID
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestListTasksShowsEveryImportedFieldInOrder(t *testing.T) {
	app := newTestApp(t)
	want := inListOrder(demoTasks(t))

	got := app.list(t, "")
	if got.Count != int64(len(want)) || len(got.Tasks) != len(want) {
		t.Fatalf("count %d, %d tasks; want %d", got.Count, len(got.Tasks), len(want))
	}
	for i := range want {
		if g, w := mustJSON(t, got.Tasks[i]), mustJSON(t, want[i]); g != w {
			t.Errorf("task %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

func TestListTasksPagingVisitsEveryTaskOnce(t *testing.T) {
	app := newTestApp(t)
	want := ids(inListOrder(demoTasks(t)))

	for _, limit := range []int{1, 4, 7, 200} {
		var seen []string
		for offset := 0; offset < len(want)+limit; offset += limit {
			page := app.list(t, url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}.Encode())
			if page.Count != int64(len(want)) {
				t.Fatalf("limit %d offset %d: count %d, want %d", limit, offset, page.Count, len(want))
			}
			if len(page.Tasks) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page.Tasks))
			}
			seen = append(seen, ids(page.Tasks)...)
		}
		if !slices.Equal(seen, want) {
			t.Errorf("limit %d: pages visited\n%v\nwant\n%v", limit, seen, want)
		}
	}
}

func TestListTasksLimitZeroCountsWithoutTasks(t *testing.T) {
	app := newTestApp(t)
	rec := app.get("/v3/tasks?limit=0")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if body := rec.Body.String(); body != `{"count":19,"tasks":[]}` {
		t.Errorf("body %s", body)
	}
}

func TestListTasksFilters(t *testing.T) {
	app := newTestApp(t)
	all := inListOrder(demoTasks(t))
	match := func(keep func(sms.Task) bool) []string {
		var out []string
		for _, task := range all {
			if keep(task) {
				out = append(out, *task.ID)
			}
		}
		return out
	}
	is := func(p *string, v string) bool { return p != nil && *p == v }
	const dbOrders = "3f6e1d2c-8b4a-4c5d-9e7f-000000000003"
	tests := []struct {
		query string
		want  []string
	}{
		{"state=READY", match(func(t sms.Task) bool { return is(t.State, "READY") })},
		{"state=RUNNING", match(func(t sms.Task) bool { return is(t.State, "RUNNING") })},
		{"state=SYNC_F_ROLLBACKING", nil},
		{"enterprise_project_id=ep-finance", match(func(t sms.Task) bool { return is(t.EnterpriseProjectID, "ep-finance") })},
		{"state=RUNNING&enterprise_project_id=ep-finance", match(func(t sms.Task) bool {
			return is(t.State, "RUNNING") && is(t.EnterpriseProjectID, "ep-finance")
		})},
		{"name=sms_task_db-orders", []string{dbOrders}},
		{"name=" + url.QueryEscape("迁移任务_财务报表服务器"), []string{"3f6e1d2c-8b4a-4c5d-9e7f-000000000016"}},
		{"name=sms_task_db-orders&state=READY", nil},
		{"name=sms_task_db-orders&state=RUNNING&enterprise_project_id=ep-retail", []string{dbOrders}},
		// Exact match: LIKE wildcards and case never widen a filter.
		{"name=sms_task_%25", nil},
		{"name=sms_task_db_orders", nil},
		{"name=SMS_TASK_DB-ORDERS", nil},
		{"name=", ids(all)}, // an empty name does not filter
		{"id=" + dbOrders, []string{dbOrders}},
		{"id=" + dbOrders + "&state=READY", nil},
		{"id=" + dbOrders + "&name=sms_task_db-orders&source_server_id=5c1a7e0b-4d2f-4a8e-9b1c-000000000003", []string{dbOrders}},
		{"id=3f6e1d2c-8b4a-4c5d-9e7f-00000000000%25", nil},
		{"source_server_id=5c1a7e0b-4d2f-4a8e-9b1c-000000000003", []string{dbOrders}},
		{"source_server_id=5c1a7e0b-4d2f-4a8e-9b1c-000000000003&enterprise_project_id=0", nil},
		{"enterprise_project_id=nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := app.list(t, tt.query)
			if got.Count != int64(len(tt.want)) {
				t.Errorf("count %d, want %d", got.Count, len(tt.want))
			}
			if g := ids(got.Tasks); !slices.Equal(g, tt.want) && !(len(g) == 0 && len(tt.want) == 0) {
				t.Errorf("ids %v, want %v", g, tt.want)
			}
		})
	}
}

func TestListTasksFilteredPaging(t *testing.T) {
	app := newTestApp(t)
	want := app.list(t, "enterprise_project_id=ep-finance")
	var seen []string
	for offset := 0; offset < len(want.Tasks); offset += 2 {
		page := app.list(t, "enterprise_project_id=ep-finance&limit=2&offset="+strconv.Itoa(offset))
		if page.Count != want.Count {
			t.Fatalf("count %d on page at %d, want %d", page.Count, offset, want.Count)
		}
		seen = append(seen, ids(page.Tasks)...)
	}
	if !slices.Equal(seen, ids(want.Tasks)) {
		t.Errorf("paged %v, want %v", seen, ids(want.Tasks))
	}
}

func TestListTasksQueryLimits(t *testing.T) {
	app := newTestApp(t)
	tests := []struct {
		query      string
		wantStatus int
		wantMsg    string
	}{
		{"limit=0", 200, ""},
		{"limit=200", 200, ""},
		{"limit=201", 400, "limit must be at most 200"},
		{"limit=-1", 400, "limit must be at least 0"},
		{"limit=abc", 400, "limit must be an Integer"},
		{"limit=1.5", 400, "limit must be an Integer"},
		{"limit=", 400, "limit must be an Integer"},
		{"limit=99999999999", 400, "limit must be at most 200"},
		{"limit=-99999999999", 400, "limit must be at least 0"},
		{"offset=2147483648", 400, "offset must be at most 65535"},
		{"limit=1e3", 400, "limit must be an Integer"},
		{"offset=65535", 200, ""},
		{"offset=65536", 400, "offset must be at most 65535"},
		{"offset=-1", 400, "offset must be at least 0"},
		{"state=READY", 200, ""},
		{"state=ready", 400, "state must be READY (values are case-sensitive)"},
		{"state=DONE", 400, "state must be one of READY, RUNNING, SYNCING, MIGRATE_SUCCESS, SYNC_SUCCESS, MIGRATE_FAIL, SYNC_FAIL, ABORTING, ABORT, SKIPPING, DELETING, RESETING, SYNC_F_ROLLBACKING, SYNC_F_ROLLBACK_SUCCESS"},
		{"state=", 400, "state must be one of"},
		{"id=", 400, "id must be at least 1 characters long"},
		{"id=" + strings.Repeat("a", 36), 200, ""},
		{"id=" + strings.Repeat("a", 37), 400, "id must be at most 36 characters long"},
		{"id=" + strings.Repeat("任", 36), 200, ""},
		{"source_server_id=" + strings.Repeat("a", 37), 400, "source_server_id must be at most 36 characters long"},
		{"source_server_id=", 400, "source_server_id must be at least 1"},
		{"name=" + strings.Repeat("名", 255), 200, ""},
		{"name=" + strings.Repeat("n", 256), 400, "name must be at most 255 characters long"},
		{"name=a%01b", 400, "name must not contain control characters"},
		{"name=%FF", 400, "name must be valid UTF-8"},
		{"enterprise_project_id=" + strings.Repeat("e", 256), 400, "enterprise_project_id must be at most 255"},
		{"unknown=1", 400, "unknown is not a query parameter of ListTasks"},
		{"State=READY", 400, "State is not a query parameter of ListTasks"},
		{"state=READY&state=RUNNING", 400, "state appears more than once"},
		{"limit=1&limit=1", 400, "limit appears more than once"},
		{"name=%zz", 400, "query string is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := app.get("/v3/tasks?" + tt.query)
			if tt.wantStatus == http.StatusOK {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, tt.wantStatus, "SMS.9001", "Invalid parameter: "+tt.wantMsg)
		})
	}
}
