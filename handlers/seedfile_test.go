package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

// export is the lab's state as the API shows it, in the shape of a seed file: the projects, every
// source as ShowServer answers it, the templates and the tasks.
func (a *testApp) export(t *testing.T) []byte {
	t.Helper()
	var f sms.SeedFile
	f.Migprojects = decode[sms.ListMigprojectsResponse](t, a.get("/v3/migprojects?limit=100")).Migprojects
	ids, _ := a.sourceIDs(t, "limit=200")
	for _, id := range ids {
		f.Sources = append(f.Sources, a.source(t, id))
	}
	f.Templates = decode[struct {
		Templates []sms.Template `json:"templates"`
	}](t, a.get("/v3/vm/templates?limit=100")).Templates
	f.Tasks = a.list(t, "limit=200").Tasks
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A lab's state exported through the API loads into a new database as it was: the same projects
// (the file's default taking the place of the new database's), sources, templates and tasks.
func TestExportLoadsAgain(t *testing.T) {
	app := newTestApp(t)
	if rec := app.post("/v3/vm/templates", `{"template":{"name":"exported","region":"eu-west-101","disk":[{"index":0,"name":"system","disktype":"SSD","size":40}]}}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	if rec := app.post("/v3/migprojects", `{"name":"wave-2","region":"eu-west-101","type":"MIGRATE_FILE","isdefault":true}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	id := app.registered(t, agentBody("exported", "10.8.0.1", `,"disks":[{"name":"/dev/vda","size":10,"physical_volumes":[{"name":"/dev/vda1","size":10}]}],"volume_groups":[{"name":"vg","logical_volumes":[{"name":"lv"}]}]`))
	disk := *app.source(t, id).InitTargetServer.Disks[0].ID
	if rec := app.put("/v3/sources/"+id, `{"disks":[{"id":"`+disk+`","adjust_size":20,"need_migration":false}]}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	if rec := app.put("/v3/sources/"+id+"/changestate", `{"copystate":"premigready","migrationcycle":"setting"}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	exported := app.export(t)

	f, err := seed.Parse(sms.NewDecoder(), exported)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Unknown) > 0 {
		t.Errorf("an export holds fields a seed file does not know: %v", f.Unknown)
	}
	store := mustOpenStore(t)
	if err := store.ImportSeed(context.Background(), &f.SeedFile); err != nil {
		t.Fatal(err)
	}
	loaded := &testApp{store: store, e: handlers.New(handlers.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})}
	// A new process: no agent has called yet.
	want := strings.ReplaceAll(string(exported), `"connected":true`, `"connected":false`)
	if got := string(loaded.export(t)); got != want {
		t.Errorf("loaded again:\n%s\nwant\n%s", got, want)
	}
}

// What only the database can tell about a seed file is refused, naming the item, and changes
// nothing.
func TestImportSeedRefusals(t *testing.T) {
	app := newTestApp(t)
	before := app.snapshot(t)
	for file, want := range map[string]string{
		`{"sources":[{"id":"s1","migproject":"nope"}]}`:                                                     "sources[0].migproject names no migration project of the file or the database: nope",
		`{"migprojects":[{"id":"p1","name":"a","isdefault":true},{"id":"p2","name":"b","isdefault":true}]}`: "migprojects[1].isdefault makes a second default project: migprojects[0] is one",
		`{"migprojects":[{"id":"p1","name":"default"}]}`:                                                    "migprojects[0].name is the name of stored project " + app.defaultProjectID(t) + ", which holds",
		`{"templates":[{"id":"t1","name":"finance-web-tier"}],"tasks":[{"id":"t-new","state":"READY"}]}`:    "The template name finance-web-tier is taken by template 3e5d9b7a-2c41-4f6e-8a0d-000000000001",
	} {
		f, err := seed.Parse(sms.NewDecoder(), []byte(file))
		if err != nil {
			t.Fatal(err)
		}
		err = app.store.ImportSeed(context.Background(), &f.SeedFile)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", file, err, want)
		}
	}
	if app.snapshot(t) != before {
		t.Error("a refused seed changed the lab")
	}
}
