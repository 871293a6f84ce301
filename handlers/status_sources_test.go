package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"smslab/handlers"
	"smslab/lifecycle"
)

const (
	statusWeb = `{"id":"s1","name":"web-01","ip":"10.0.0.1","os_type":"LINUX","os_version":null,"state":"waiting",` +
		`"group":"ready","migration_cycle":"setting","connected":false,"last_call":null,"add_date":1795420000000,` +
		`"project":"default","agent_version":null,"task":{"id":"t-ready","name":"ready-1","state":"READY","group":"ready","current":null}}`
	statusDB = `{"id":"s2","name":"db-01","ip":"10.0.0.2","os_type":"WINDOWS","os_version":null,"state":"replicate",` +
		`"group":"running","migration_cycle":"replicating","connected":true,"last_call":1795428000000,"add_date":1795410000000,` +
		`"project":"default","agent_version":null,"task":{"id":"t-run","name":"<img src=x onerror=alert(1)>","state":"RUNNING",` +
		`"group":"running","current":{"name":"MIGRATE_WINDOWS_BLOCK","progress":45}}}`
)

// The status page's sources: newest first; a name search and a connected filter; the counts of
// the header.
func TestStatusSources(t *testing.T) {
	e, _ := newStatusApp(t)
	req := httptest.NewRequest(http.MethodPut, "/v3/tasks/t-run/progress", strings.NewReader(
		`{"subtask_name":"MIGRATE_WINDOWS_BLOCK","progress":45,"replicatesize":1,"totalsize":2,"process_trace":""}`))
	req.Header.Set("X-Auth-Token", "t")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	page := `"total":4,"connected":1,"offset":0,"limit":50,"now":1795428000000,"sources":[`
	checkResponse(t, get(t, e, "/status/sources?name=-01"), http.StatusOK, `{"count":2,`+page+statusWeb+`,`+statusDB+`]}`)
	checkResponse(t, get(t, e, "/status/sources?name=WEB"), http.StatusOK, `{"count":1,`+page+statusWeb+`]}`)
	checkResponse(t, get(t, e, "/status/sources?connected=true"), http.StatusOK, `{"count":1,`+page+statusDB+`]}`)
	checkResponse(t, get(t, e, "/status/sources?name=-01&offset=1&limit=1"), http.StatusOK,
		`{"count":2,"total":4,"connected":1,"offset":1,"limit":1,"now":1795428000000,"sources":[`+statusDB+`]}`)
	if body := get(t, e, "/status/summary").Body.String(); !strings.HasSuffix(body, `"sources":{"total":4,"connected":1}}`) {
		t.Errorf("summary %s", body)
	}
	for query, want := range map[string]string{
		"connected=yes": "connected must be true or false",
		"limit=0":       "limit must be at least 1",
		"limit=x":       "limit must be a whole number",
		"state=running": "state is not a query parameter of this endpoint",
	} {
		wantError(t, get(t, e, "/status/sources?"+query), http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+want)
	}
}

func TestSourceGroupsHoldEveryStateOnce(t *testing.T) {
	var grouped []string
	for _, states := range handlers.SourceGroupStates() {
		grouped = append(grouped, states...)
	}
	slices.Sort(grouped)
	if want := slices.Sorted(slices.Values(lifecycle.SourceStates())); !slices.Equal(grouped, want) {
		t.Errorf("states in the groups %v, want each of %v once", grouped, want)
	}
}
