package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Fuzz targets for the bodies and queries of source servers and migration projects, held to the
// promise of fuzz_test.go: a 200, or a 4xx in the SMS envelope that changed nothing. Run one
// for a while with, e.g.:
//
//	go test ./handlers -run '^$' -fuzz '^FuzzRegisterServer$' -fuzztime 1m -fuzzminimizetime 5s

// snapshot is everything a source or project request or a seed import may change, as the API
// shows it.
func (a *testApp) snapshot(t *testing.T) string {
	t.Helper()
	return a.get("/v3/sources?limit=200").Body.String() + a.get("/v3/migprojects?limit=100").Body.String() +
		a.get("/v3/vm/templates?limit=100").Body.String() + a.get("/v3/tasks?limit=200").Body.String()
}

// fuzzRequest sends one request and checks the promise.
func fuzzRequest(t *testing.T, app *testApp, method, target, body string) {
	before := app.snapshot(t)
	req := newRequest(method, target, body)
	req.Header.Set("Content-Type", "application/json")
	rec := app.serve(req)
	checkAnswer(t, app, rec, "", nil)
	if rec.Code != http.StatusOK && app.snapshot(t) != before {
		t.Fatalf("a %d changed the sources or projects: %s", rec.Code, rec.Body)
	}
}

// fuzzSource is a registered source the fuzz targets change.
const fuzzSource = "fuzz-source"

func fuzzApp(f *testing.F) *testApp {
	app := newTestApp(f)
	rec := app.post("/v3/sources", agentBody("fuzz", "10.7.0.1", `,"id":"`+fuzzSource+`","disks":[{"name":"/dev/vda","size":100,"physical_volumes":[{"name":"/dev/vda1"}]}],"volume_groups":[{"name":"vg","logical_volumes":[{"name":"lv"}]}]`))
	if rec.Code != http.StatusOK {
		f.Fatal(rec.Body)
	}
	return app
}

func FuzzRegisterServer(f *testing.F) {
	f.Add(agentBody("f1", "10.7.0.2", ""))
	f.Add(agentBody("f2", "10.7.0.3", `,"disks":[{"name":"/dev/vda","size":1,"physical_volumes":[{"size":1}]}],"networks":[{"mac":"m"}]`))
	f.Add(`{"name":"f3","ipv6":"fd00::3","os_type":"WINDOWS","os_version":"x","account_rights":false}`)
	f.Add(agentBody("f4", "10.7.0.4", `,"id":"`+fuzzSource+`","memory":1`))
	f.Add(agentBody("f5", "10.7.0.5", `,"btrfs_list":[{"subvolumn":[{"uuid":"u"}]}],"volume_groups":[{"logical_volumes":[{}]}]`))
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) { fuzzRequest(t, app, http.MethodPost, "/v3/sources", body) })
}

func FuzzUpdateServerName(f *testing.F) {
	f.Add(`{"name":"renamed"}`)
	f.Add(`{"disks":[{"id":"x","adjust_size":1,"physical_volumes":[{"id":"y","need_migration":false}]}]}`)
	f.Add(`{"volume_groups":[{"id":"x","logical_volumes":[{"id":"y"}]}],"migprojectid":"nope"}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) { fuzzRequest(t, app, http.MethodPut, "/v3/sources/"+fuzzSource, body) })
}

func FuzzUpdateCopyState(f *testing.F) {
	f.Add(`{"copystate":"waiting","migrationcycle":"setting"}`)
	f.Add(`{"copystate":"INIT","migrationcycle":"Replicating"}`)
	f.Add(`{"copystate":"finished","migrationcycle":"cutovered"}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, app, http.MethodPut, "/v3/sources/"+fuzzSource+"/changestate", body)
	})
}

func FuzzUpdateDiskInfo(f *testing.F) {
	f.Add(`{"disks":[{"name":"/dev/sda","size":1}],"volumegroups":[],"btrfs_list":[]}`)
	f.Add(`{"disks":[{"physical_volumes":[{"inode_nums":1}]}]}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, app, http.MethodPut, "/v3/sources/"+fuzzSource+"/diskinfo", body)
	})
}

func FuzzDeleteServers(f *testing.F) {
	f.Add(`{"ids":["nope"]}`)
	f.Add(`{"ids":["` + runningSource + `"]}`)
	f.Add(`{"ids":[]}`)
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) { fuzzRequest(t, app, http.MethodPost, "/v3/sources/delete", body) })
}

func FuzzMigprojectBodies(f *testing.F) {
	f.Add(`{"name":"p","region":"r","type":"MIGRATE_FILE"}`, true)
	f.Add(`{"name":"p2","region":"r","type":"MIGRATE_BLOCK","isdefault":true,"speed_limit":1000}`, true)
	f.Add(`{"description":"d","isdefault":false}`, false)
	app := fuzzApp(f)
	id := app.defaultProjectID(f)
	f.Fuzz(func(t *testing.T, body string, create bool) {
		if create {
			fuzzRequest(t, app, http.MethodPost, "/v3/migprojects", body)
		} else {
			fuzzRequest(t, app, http.MethodPut, "/v3/migprojects/"+id, body)
		}
	})
}

func FuzzListServersQuery(f *testing.F) {
	for _, q := range []string{"", "state=waiting&limit=2&offset=1", "connected=true", "name=web-01",
		"migration_cycle=replicating&enterprise_project_id=0", "limit=0", "vm_id=x&ipv6=fd00::1",
		"is_consistency_result_exist=false", "limit=201", "name=%zz", "unknown=1"} {
		f.Add(q)
	}
	app := fuzzApp(f)
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/v3/sources", nil)
		req.URL.RawQuery = query
		req.Header.Set("X-Auth-Token", "t")
		checkAnswer(t, app, app.serve(req), "", nil)
	})
}
