package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"smslab/seed"
	"smslab/sms"
)

// A ListTasks answer saved from smslab loads as a seed file into another smslab and lists the
// same, field for field.
func TestExportedListingImportsAsItIs(t *testing.T) {
	source := newTestApp(t)
	source.put("/v3/tasks/"+dbOrdersTaskID+"/progress", exampleReport)
	exported := source.get("/v3/tasks?limit=200")
	if exported.Code != http.StatusOK {
		t.Fatal(exported.Code)
	}
	f, err := seed.Parse(sms.NewDecoder(), exported.Body.Bytes())
	if err != nil {
		t.Fatalf("parse export: %v", err)
	}
	target := newTestApp(t)
	if err := target.store.Import(context.Background(), f.Tasks); err != nil {
		t.Fatal(err)
	}
	if got, want := target.get("/v3/tasks?limit=200").Body.String(), exported.Body.String(); got != want {
		t.Errorf("re-imported listing differs:\n got %s\nwant %s", got, want)
	}
}

// A seed task without a name or a creation date lists the ones the import gave it (an empty name,
// the import's time) from the start, as it does after any update.
func TestSeedTaskWithoutNameOrDateListsThem(t *testing.T) {
	app := newTestApp(t)
	f, err := seed.Parse(sms.NewDecoder(), []byte(`{"tasks":[{"id":"bare","state":"READY"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.store.Import(context.Background(), f.Tasks); err != nil {
		t.Fatal(err)
	}
	imported := app.get("/v3/tasks?id=bare").Body.String()
	listed := app.task(t, "bare")
	if now := app.store.Now().UnixMilli(); listed.Name == nil || *listed.Name != "" || listed.CreateDate == nil || *listed.CreateDate != now {
		t.Fatalf("listed after the import: %s, want an empty name and create_date %d", imported, now)
	}
	if rec := app.put("/v3/tasks/bare", `{"priority":1}`); rec.Code != http.StatusOK {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	updated := app.get("/v3/tasks?id=bare").Body.String()
	if !strings.Contains(updated, `"priority":1,`) || strings.Replace(updated, `"priority":1,`, "", 1) != imported {
		t.Errorf("an update of priority alone changed more of the listing:\nbefore %s\n after %s", imported, updated)
	}
}

func TestSeedFileErrorsNameTheTaskAndField(t *testing.T) {
	dec := sms.NewDecoder()
	tests := []struct{ file, want string }{
		{`{"tasks":[{"id":"a","state":"READY"},{"id":"a","state":"READY"}]}`, "tasks[1].id repeats the id of tasks[0] (a)"},
		{`{"tasks":[{"id":"a","state":"READY"},{"state":"READY"}]}`, "tasks[1].id is required"},
		{`{"tasks":[{"id":"` + strings.Repeat("i", 37) + `","state":"READY"}]}`, "tasks[0].id must be at most 36"},
		{`{"tasks":[{"id":"a","state":"READY","priority":7}]}`, "tasks[0].priority must be at most 2"},
		{`{"tasks":[{"id":"tab\tid","state":"READY"}]}`, "tasks[0].id must not contain control characters"},
		{`{"tasks":[{"id":"a","state":"READY","sub_tasks":[{"progress":"x"}]}]}`, "tasks[0].sub_tasks[0].progress must be an Integer"},
		{`{"tasks":[{"id":"a","state":"READY","special_config":[{"config_key":"NOPE"}]}]}`, "tasks[0].special_config[0].config_key must be one of"},
		{`{"tasks":[{"id":"a","state":"READY","network_check_info":{"loss_percentage":101}}]}`, "tasks[0].network_check_info.loss_percentage must be at most 100"},
		{`{"count":"3","tasks":[]}`, "count must be a Long"},
		{`{"tasks":{}}`, "tasks must be an array"},
		{`{"tasks":[{"id":"a","state":"READY"},null]}`, "tasks[1] must be an object"},
		{`{"tasks":[{"id":"a","state":"READY","sub_tasks":[null]}]}`, "tasks[0].sub_tasks[0] must be an object"},
	}
	for _, tt := range tests {
		_, err := seed.Parse(dec, []byte(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.file, err, tt.want)
		}
	}
	// Values only a response carries load even outside the documented lists.
	lenient := `{"tasks":[{"id":"a","name":"` + strings.Repeat("名", 255) + `","state":"READY",
		"source_server":{"state":"AVAILABLE"},"log_collect_status":"ARCHIVED",
		"network_check_info":{"evaluation_result":""}}]}`
	if _, err := seed.Parse(dec, []byte(lenient)); err != nil {
		t.Errorf("lenient fields: %v", err)
	}
}
