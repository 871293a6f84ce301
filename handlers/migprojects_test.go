package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	smsv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3/model"
)

// projectNames lists the names of ListMigprojects' page, in order, and checks there is one
// default among them.
func projectNames(t *testing.T, c *smsv3.SmsClient) (names []string, defaultName string) {
	t.Helper()
	resp, err := c.ListMigprojects(&model.ListMigprojectsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range *resp.Migprojects {
		names = append(names, *p.Name)
		if *p.Isdefault {
			if defaultName != "" {
				t.Errorf("two default projects: %s and %s", defaultName, *p.Name)
			}
			defaultName = *p.Name
		}
	}
	if int(*resp.Count) != len(names) {
		t.Errorf("count %d for %d projects", *resp.Count, len(names))
	}
	return names, defaultName
}

// The official Go SDK drives every migration-project operation against a real server.
func TestMigprojectsThroughTheSDK(t *testing.T) {
	cfg := strictConfig()
	cfg.Now = nil // the SDK signs with the real clock
	url, _ := newSDKServer(t, cfg)
	c := newSDKClient(t, url, labAK, labSK)

	names, def := projectNames(t, c)
	if !slices.Equal(names, []string{"finance-wave-2", "default"}) || def != "default" {
		t.Fatalf("the demo: projects %v, default %q; want [finance-wave-2 default], default", names, def)
	}

	created, err := c.CreateMigproject(&model.CreateMigprojectRequest{Body: &model.PostMigProjectBody{
		Name: "wave-1", Region: "ap-southeast-1", Type: model.GetPostMigProjectBodyTypeEnum().MIGRATE_FILE,
		Description: ptr("first wave"), SpeedLimit: ptr[int32](100),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if created.Id == nil || len(*created.Id) != 36 {
		t.Fatalf("CreateMigproject id %v, want a UUID", created.Id)
	}
	id := *created.Id

	shown, err := c.ShowMigproject(&model.ShowMigprojectRequest{MigProjectId: id})
	if err != nil {
		t.Fatal(err)
	}
	// The documented defaults fill what the body left out.
	if *shown.Name != "wave-1" || *shown.Region != "ap-southeast-1" || shown.Type.Value() != "MIGRATE_FILE" ||
		*shown.Description != "first wave" || *shown.SpeedLimit != 100 || *shown.Isdefault ||
		!*shown.StartTargetServer || !*shown.UsePublicIp || !*shown.ExistServer || *shown.Syncing ||
		*shown.EnterpriseProject != "default" || *shown.StartNetworkCheck {
		t.Errorf("ShowMigproject: %v", shown)
	}

	if _, err := c.UpdateMigproject(&model.UpdateMigprojectRequest{MigProjectId: id, Body: &model.MigProject{
		Name: ptr("wave-1b"), Syncing: ptr(true),
	}}); err != nil {
		t.Fatal(err)
	}
	shown, err = c.ShowMigproject(&model.ShowMigprojectRequest{MigProjectId: id})
	if err != nil {
		t.Fatal(err)
	}
	if *shown.Name != "wave-1b" || !*shown.Syncing || *shown.Description != "first wave" || *shown.SpeedLimit != 100 {
		t.Errorf("after UpdateMigproject (a partial update): %v", shown)
	}

	if _, err := c.UpdateDefaultMigproject(&model.UpdateDefaultMigprojectRequest{MigProjectId: id}); err != nil {
		t.Fatal(err)
	}
	if names, def := projectNames(t, c); !slices.Equal(names, []string{"wave-1b", "finance-wave-2", "default"}) || def != "wave-1b" {
		t.Errorf("after UpdateDefaultMigproject: %v, default %q", names, def)
	}

	// The default cannot be deleted, nor can the former one, which holds the demo's sources; an
	// empty one can.
	_, err = c.DeleteMigproject(&model.DeleteMigprojectRequest{MigProjectId: id})
	wantServiceError(t, err, http.StatusBadRequest, "SMS.9008",
		"The migration project wave-1b is the default one and cannot be deleted: make another project the default first.")
	resp, err := c.ListMigprojects(&model.ListMigprojectsRequest{Offset: ptr[int32](2)})
	if err != nil {
		t.Fatal(err)
	}
	formerID := *(*resp.Migprojects)[0].Id
	sources, err := c.ListServers(&model.ListServersRequest{Migproject: &formerID, Limit: ptr[int32](1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteMigproject(&model.DeleteMigprojectRequest{MigProjectId: formerID})
	wantServiceError(t, err, http.StatusBadRequest, "SMS.9008", fmt.Sprintf("The migration project default holds %d source servers "+
		"and cannot be deleted: move them to another project (UpdateServerName) or delete them first.", *sources.Count))
	empty, err := c.CreateMigproject(&model.CreateMigprojectRequest{Body: &model.PostMigProjectBody{
		Name: "empty", Region: "r", Type: model.GetPostMigProjectBodyTypeEnum().MIGRATE_BLOCK,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteMigproject(&model.DeleteMigprojectRequest{MigProjectId: *empty.Id}); err != nil {
		t.Fatal(err)
	}
	if names, _ := projectNames(t, c); !slices.Equal(names, []string{"wave-1b", "finance-wave-2", "default"}) {
		t.Errorf("after DeleteMigproject: %v", names)
	}
	_, err = c.ShowMigproject(&model.ShowMigprojectRequest{MigProjectId: *empty.Id})
	wantServiceError(t, err, http.StatusNotFound, "SMS.9006", "The migration project does not exist: "+*empty.Id)

	// A name is unique.
	_, err = c.CreateMigproject(&model.CreateMigprojectRequest{Body: &model.PostMigProjectBody{
		Name: "wave-1b", Region: "r", Type: model.GetPostMigProjectBodyTypeEnum().MIGRATE_BLOCK,
	}})
	wantServiceError(t, err, http.StatusBadRequest, "SMS.9008", "The migration project name wave-1b is already taken by project "+id+".")

	// The SDK sends name, region and type always: empty when unset.
	_, err = c.CreateMigproject(&model.CreateMigprojectRequest{Body: &model.PostMigProjectBody{}})
	wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: name must be at least 1 characters long")
}

// Every limit of the project bodies and queries, each in a request of its own.
func TestMigprojectLimits(t *testing.T) {
	app := newTestApp(t)
	const ok = ""
	long := func(n int) string { return strings.Repeat("a", n) }
	create := []struct{ name, body, want string }{
		{"minimal", `{"name":"p1","region":"r","type":"MIGRATE_BLOCK"}`, ok},
		{"name 100", `{"name":"` + long(100) + `","region":"r","type":"MIGRATE_BLOCK"}`, ok},
		{"name 101", `{"name":"` + long(101) + `","region":"r","type":"MIGRATE_BLOCK"}`, "name must be at most 100 characters long"},
		{"name empty", `{"name":"","region":"r","type":"MIGRATE_BLOCK"}`, "name must be at least 1 characters long"},
		{"name letters of any script", `{"name":"迁移_wave-2","region":"r","type":"MIGRATE_BLOCK"}`, ok},
		{"name with a space", `{"name":"wave 2","region":"r","type":"MIGRATE_BLOCK"}`, "name may hold only letters, digits, underscores (_) and hyphens (-)"},
		{"no name", `{"region":"r","type":"MIGRATE_BLOCK"}`, "name is required"},
		{"no region", `{"name":"p2","type":"MIGRATE_BLOCK"}`, "region is required"},
		{"region empty", `{"name":"p3","region":"","type":"MIGRATE_BLOCK"}`, ok},
		{"region 101", `{"name":"p4","region":"` + long(101) + `","type":"MIGRATE_BLOCK"}`, "region must be at most 100 characters long"},
		{"no type", `{"name":"p5","region":"r"}`, "type is required"},
		{"type", `{"name":"p5","region":"r","type":"MIGRATE"}`, "type must be one of MIGRATE_FILE, MIGRATE_BLOCK"},
		{"speed_limit 1000", `{"name":"p6","region":"r","type":"MIGRATE_FILE","speed_limit":1000}`, ok},
		{"speed_limit 1001", `{"name":"p7","region":"r","type":"MIGRATE_FILE","speed_limit":1001}`, "speed_limit must be at most 1000"},
		{"speed_limit -1", `{"name":"p7","region":"r","type":"MIGRATE_FILE","speed_limit":-1}`, "speed_limit must be at least 0"},
		{"description 256", `{"name":"p7","region":"r","type":"MIGRATE_FILE","description":"` + long(256) + `"}`, "description must be at most 255 characters long"},
		{"enterprise_project 256", `{"name":"p7","region":"r","type":"MIGRATE_FILE","enterprise_project":"` + long(256) + `"}`, "enterprise_project must be at most 255 characters long"},
		{"isdefault a string", `{"name":"p7","region":"r","type":"MIGRATE_FILE","isdefault":"true"}`, "isdefault must be a Boolean"},
		{"an array", `[]`, "request body must be a JSON object"},
		{"empty", ``, "request body is empty: it must be a JSON object"},
	}
	for _, tt := range create {
		t.Run("create "+tt.name, func(t *testing.T) {
			before := app.get("/v3/migprojects?limit=100").Body.String()
			rec := app.post("/v3/migprojects", tt.body)
			if tt.want == ok {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.want)
			if after := app.get("/v3/migprojects?limit=100").Body.String(); after != before {
				t.Error("a refused request changed the projects")
			}
		})
	}

	id := app.defaultProjectID(t)
	update := []struct{ name, body, want string }{
		{"nothing", `{}`, ok},
		{"region 255", `{"region":"` + long(255) + `"}`, ok},
		{"region 256", `{"region":"` + long(256) + `"}`, "region must be at most 255 characters long"},
		{"name 101", `{"name":"` + long(101) + `"}`, "name must be at most 100 characters long"},
		{"name with a dot", `{"name":"a.b"}`, "name may hold only letters"},
		{"type", `{"type":"migrate_file"}`, "type must be MIGRATE_FILE (values are case-sensitive)"},
		{"speed_limit 1001", `{"speed_limit":1001}`, "speed_limit must be at most 1000"},
	}
	for _, tt := range update {
		t.Run("update "+tt.name, func(t *testing.T) {
			rec := app.put("/v3/migprojects/"+id, tt.body)
			if tt.want == ok {
				if rec.Code != http.StatusOK || rec.Body.String() != "{}" {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.want)
		})
	}

	queries := []struct{ query, want string }{
		{"limit=100&offset=65535", ok},
		{"limit=101", "limit must be at most 100"},
		{"limit=-1", "limit must be at least 0"},
		{"offset=65536", "offset must be at most 65535"},
		{"limit=x", "limit must be an Integer"},
		{"name=x", "name is not a query parameter of ListMigprojects"},
		{"limit=1&limit=2", "limit appears more than once"},
	}
	for _, tt := range queries {
		t.Run("list "+tt.query, func(t *testing.T) {
			rec := app.get("/v3/migprojects?" + tt.query)
			if tt.want == ok {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.want)
		})
	}

	paths := []struct{ path, status, code, want string }{
		{"/v3/migprojects/" + long(37), "400", "SMS.9001", "Invalid parameter: mig_project_id must be at most 36 characters long"},
		{"/v3/migprojects/a%2Fb", "400", "SMS.9001", "Invalid parameter: the path must not hold an encoded '/' (%2F): no id holds '/'"},
		{"/v3/migprojects/nope", "404", "SMS.9006", "The migration project does not exist: nope"},
		{"/v3/migprojects/" + id + "?x=1", "400", "SMS.9001", "Invalid parameter: x is not a query parameter of this endpoint"},
	}
	for _, tt := range paths {
		t.Run("show "+tt.path, func(t *testing.T) {
			wantError(t, app.get(tt.path), map[string]int{"400": 400, "404": 404}[tt.status], tt.code, tt.want)
		})
	}
}

// Exactly one project is the default: making another the default, by creating or updating it,
// demotes the former, which may then be deleted; the default may not be demoted or deleted.
func TestOneDefaultProject(t *testing.T) {
	app := newTestApp(t)
	first := app.defaultProjectID(t)
	rec := app.post("/v3/migprojects", `{"name":"w2","region":"r","type":"MIGRATE_FILE","isdefault":true}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	second := app.defaultProjectID(t)
	if second == first {
		t.Fatal("a project created as the default did not become it")
	}
	wantError(t, app.put("/v3/migprojects/"+second, `{"isdefault":false}`), http.StatusBadRequest, "SMS.9008",
		"The migration project w2 is the default one: make another project the default instead (UpdateDefaultMigproject).")
	if rec := app.put("/v3/migprojects/"+first, `{"isdefault":true}`); rec.Code != http.StatusOK {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	if got := app.defaultProjectID(t); got != first {
		t.Errorf("default %s, want %s", got, first)
	}
	// Terraform's DELETE carries the id in a body; smslab ignores it. A body-less PUT to /default
	// needs no Content-Type.
	req := newRequest(http.MethodDelete, "/v3/migprojects/"+second, `["`+second+`"]`)
	req.Header.Set("Content-Type", "application/json")
	if rec := app.serve(req); rec.Code != http.StatusOK || rec.Body.String() != "{}" {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := app.serve(newRequest(http.MethodPut, "/v3/migprojects/"+first+"/default", "")); rec.Code != http.StatusOK {
		t.Fatalf("default without a body: %d %s", rec.Code, rec.Body)
	}
	wantError(t, app.put("/v3/migprojects/"+first+"/default", `[]`), http.StatusBadRequest, "SMS.9001",
		"Invalid parameter: request body must be a JSON object")
}
