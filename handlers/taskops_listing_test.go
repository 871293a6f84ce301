package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// ListServers keeps each source's current task in stored listings and in memory (db/sourcelisting.go);
// every step of a task's life over the API must leave it equal to what ShowServer shows.
func TestListServersFollowsTheTaskLifeCycle(t *testing.T) {
	app := newTestApp(t)
	source, task := app.newTaskFor(t, "listed-web")
	do := func(step string, rec *httptest.ResponseRecorder) {
		t.Helper()
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", step, rec.Code, rec.Body)
		}
		app.checkListedAsShown(t, step, source)
	}
	answer := func(command string) string {
		return `{"command_name":"` + command + `","result":"success"}`
	}
	app.checkListedAsShown(t, "created", source)
	do("start", app.post("/v3/tasks/"+task+"/action", `{"operation":"start"}`))
	do("START delivered", app.get("/v3/sources/"+source+"/command"))
	do("START answered", app.post("/v3/sources/"+source+"/command_result", answer("START")))
	do("a report", app.put("/v3/tasks/"+task+"/progress", report("progress", "40")))
	do("stop", app.post("/v3/tasks/"+task+"/action", `{"operation":"stop"}`))
	do("STOP delivered", app.get("/v3/sources/"+source+"/command"))
	do("STOP answered", app.post("/v3/sources/"+source+"/command_result", answer("STOP")))
	do("restart", app.post("/v3/tasks/"+task+"/action", `{"operation":"restart"}`))
	do("network_check", app.post("/v3/tasks/"+task+"/action", `{"operation":"network_check"}`))
	do("collect_log", app.post("/v3/tasks/"+task+"/log", `{"log_bucket":"b"}`))
	do("delete", app.del("/v3/tasks/"+task))
	if got := app.source(t, source).CurrentTask; got != nil {
		t.Errorf("after delete, ShowServer shows current task %+v", got)
	}
}

// checkListedAsShown compares source's ListServers item with ShowServer: current_task byte for
// byte, and the sizes.
func (a *testApp) checkListedAsShown(t *testing.T, step, source string) {
	t.Helper()
	type item struct {
		ID            string          `json:"id"`
		CurrentTask   json.RawMessage `json:"current_task"`
		Replicatesize *int64          `json:"replicatesize"`
		Totalsize     *int64          `json:"totalsize"`
	}
	listed := decode[struct {
		Sources []item `json:"source_servers"`
	}](t, a.get("/v3/sources?id="+source))
	shown := decode[item](t, a.get("/v3/sources/"+source))
	if len(listed.Sources) != 1 {
		t.Fatalf("%s: %d sources listed for id %s", step, len(listed.Sources), source)
	}
	got := listed.Sources[0]
	if !bytes.Equal(compact(t, got.CurrentTask), compact(t, shown.CurrentTask)) ||
		!equalSize(got.Replicatesize, shown.Replicatesize) || !equalSize(got.Totalsize, shown.Totalsize) {
		t.Errorf("%s: ListServers shows\n%s %v %v\nShowServer shows\n%s %v %v", step, got.CurrentTask,
			got.Replicatesize, got.Totalsize, shown.CurrentTask, shown.Replicatesize, shown.Totalsize)
	}
}

func compact(t *testing.T, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func equalSize(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
