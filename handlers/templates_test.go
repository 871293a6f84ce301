package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/db"
	"smslab/seed"
	"smslab/sms"
)

// post sends an authenticated POST with a JSON body.
func (a *testApp) post(target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("X-Auth-Token", "test-token")
	req.Header.Set("Content-Type", "application/json")
	return a.serve(req)
}

// del sends an authenticated DELETE without a body or a Content-Type, as clients do.
func (a *testApp) del(target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodDelete, target, nil)
	req.Header.Set("X-Auth-Token", "test-token")
	return a.serve(req)
}

// newTemplateTestApp is newTestApp without the demo's server template, so that a test sees the
// templates it stores alone.
func newTemplateTestApp(t testing.TB) *testApp {
	t.Helper()
	app := newTestApp(t)
	dropDemoTemplates(t, app.store)
	return app
}

// dropDemoTemplates deletes the templates the demo set gave store.
func dropDemoTemplates(t testing.TB, store *db.Store) {
	t.Helper()
	page, err := store.ListTemplates(context.Background(), &sms.ListTemplatesQuery{Limit: 100})
	if err != nil || page.Count == 0 {
		t.Fatalf("the demo's templates: %d (%v)", page.Count, err)
	}
	ids := make([]string, len(page.Templates))
	for i, tpl := range page.Templates {
		ids[i] = *tpl.ID
	}
	if err := store.DeleteTemplates(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
}

// templates returns every stored template, as ListTemplates shows them.
func (a *testApp) templates(t testing.TB) []sms.Template {
	t.Helper()
	page, err := a.store.ListTemplates(context.Background(), &sms.ListTemplatesQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.Count > 100 {
		t.Fatalf("%d templates: the helper reads 100", page.Count)
	}
	return page.Templates
}

// importTemplate stores templates given in a seed file's JSON, in one import, and returns the
// first.
func (a *testApp) importTemplate(t testing.TB, templates ...string) sms.Template {
	t.Helper()
	var file sms.SeedFile
	if err := sms.NewDecoder().DecodeFile([]byte(`{"templates":[`+strings.Join(templates, ",")+`]}`), &file); err != nil {
		t.Fatal(err)
	}
	if err := a.store.ImportTemplates(context.Background(), file.Templates); err != nil {
		t.Fatal(err)
	}
	return file.Templates[0]
}

// fullTemplate has every field of a template set, nested objects included.
const fullTemplate = `{"id":"tpl-full","name":"web-full","is_template":"true","region":"cn-north-4",` +
	`"projectid":"p1","target_server_name":"web-target","availability_zone":"cn-north-4a",` +
	`"volumetype":"SAS","flavor":"s6.large.2","vpc":{"id":"vpc-1","name":"lab-vpc","cidr":"192.168.0.0/16"},` +
	`"nics":[{"id":"subnet-1","name":"lab-subnet","cidr":"192.168.1.0/24","ip":"192.168.1.10"}],` +
	`"security_groups":[{"id":"sg-1","name":"default"}],"publicip":{"type":"5_bgp","bandwidth_size":10,"bandwidth_share_type":"PER"},` +
	`"disk":[{"id":1,"index":0,"name":"system","disktype":"SSD","size":40,"device_use":"BOOT"}],` +
	`"data_volume_type":"SAS","target_password":"Lab-pass-1","image_id":"image-1"}`

// templateLimitCase is a template object at or beyond a limit: fields are members added to a
// template with a name of its own, or template is the whole object. A wantMsg of "" means it is
// valid.
type templateLimitCase struct {
	name, fields, template, wantMsg string
}

// object is the template object of the case, named name unless the case gives the whole object.
func (c templateLimitCase) object(name string) string {
	if c.template != "" {
		return c.template
	}
	return `{"name":"` + name + `"` + c.fields + `}`
}

const nameRule = "template.name may hold only Chinese characters, letters, digits, underscores (_) and hyphens (-)"

// templateLimitCases are the template objects of CreateTemplate and UpdateTemplate at and beyond
// the limits of TemplateRequest.
func templateLimitCases() []templateLimitCase {
	cases := []templateLimitCase{
		{name: "name of 64 characters", template: `{"name":"` + strings.Repeat("名", 64) + `"}`},
		{name: "name of 65 characters", template: `{"name":"` + strings.Repeat("n", 65) + `"}`, wantMsg: "template.name must be at most 64 characters long"},
		{name: "empty name", template: `{"name":""}`, wantMsg: "template.name must be at least 1 characters long"},
		{name: "no name", template: `{"region":"r"}`, wantMsg: "template.name is required"},
		{name: "null name", template: `{"name":null}`, wantMsg: "template.name is required"},
		{name: "name as a number", template: `{"name":5}`, wantMsg: "template.name must be a String"},
		{name: "name of letters, digits, _ and -", template: `{"name":"Web_01-b"}`},
		{name: "name in Chinese", template: `{"name":"迁移模板_01"}`},
		{name: "name with a space", template: `{"name":"web 01"}`, wantMsg: nameRule},
		{name: "name with a dot", template: `{"name":"web.01"}`, wantMsg: nameRule},
		{name: "name with an accent", template: `{"name":"café"}`, wantMsg: nameRule},
		{name: "name with a full-width digit", template: `{"name":"web１"}`, wantMsg: nameRule},
		{name: "name with a control character", template: `{"name":"a\u0007"}`, wantMsg: nameRule},
		{name: "name twice", template: `{"name":"a","name":"b"}`, wantMsg: "template.name appears more than once"},
		{name: "name with invalid UTF-8", template: "{\"name\":\"a\xffb\"}", wantMsg: "request body is not valid JSON"},
		{name: "is_template false", fields: `,"is_template":false`},
		{name: "is_template as a String", fields: `,"is_template":"true"`, wantMsg: "template.is_template must be a Boolean"},
		{name: "vpc created automatically", fields: `,"vpc":{"id":"autoCreate","name":"autoCreate"}`},
		{name: "empty vpc", fields: `,"vpc":{}`},
		{name: "vpc as an array", fields: `,"vpc":[]`, wantMsg: "template.vpc must be an object"},
		{name: "vpc cidr of 256 characters", fields: `,"vpc":{"cidr":"` + strings.Repeat("c", 256) + `"}`, wantMsg: "template.vpc.cidr must be at most 255 characters long"},
		{name: "subnet created automatically, without a cidr", fields: `,"nics":[{"id":"autoCreate","name":"autoCreate"}]`},
		{name: "two subnets", fields: `,"nics":[{"id":"s1","name":"a","cidr":"10.0.0.0/24","ip":"10.0.0.5"},{"id":"s2","name":"b"}]`},
		{name: "no subnets", fields: `,"nics":[]`},
		{name: "subnet without an id", fields: `,"nics":[{"name":"a"}]`, wantMsg: "template.nics[0].id is required"},
		{name: "subnet without a name", fields: `,"nics":[{"id":"a"}]`, wantMsg: "template.nics[0].name is required"},
		{name: "null subnet", fields: `,"nics":[null]`, wantMsg: "template.nics[0] must be an object"},
		{name: "subnet ip of 256 characters", fields: `,"nics":[{"id":"a","name":"b","ip":"` + strings.Repeat("1", 256) + `"}]`, wantMsg: "template.nics[0].ip must be at most 255 characters long"},
		{name: "subnet created automatically beside another", fields: `,"nics":[{"id":"s1","name":"a"},{"id":"autoCreate","name":"b"}]`,
			wantMsg: "template.nics[1].id is autoCreate in a list of 2: one created automatically must be the only one"},
		{name: "65536 subnets", fields: `,"nics":[` + strings.Repeat(`{"id":"s","name":"n"},`, 65535) + `{"id":"s","name":"n"}]`, wantMsg: "template.nics must have at most 65535 items"},
		{name: "security group created automatically", fields: `,"security_groups":[{"id":"autoCreate","name":"autoCreate"}]`},
		{name: "security group without a name", fields: `,"security_groups":[{"id":"sg"}]`, wantMsg: "template.security_groups[0].name is required"},
		{name: "two security groups created automatically", fields: `,"security_groups":[{"id":"autoCreate","name":"a"},{"id":"autoCreate","name":"b"}]`,
			wantMsg: "template.security_groups[0].id is autoCreate in a list of 2: one created automatically must be the only one"},
		{name: "EIP of 1 Mbit/s", fields: `,"publicip":{"type":"5_bgp","bandwidth_size":1}`},
		{name: "EIP of 2000 Mbit/s", fields: `,"publicip":{"type":"5_bgp","bandwidth_size":2000,"bandwidth_share_type":"WHOLE"}`},
		{name: "EIP of 0 Mbit/s", fields: `,"publicip":{"type":"5_bgp","bandwidth_size":0}`, wantMsg: "template.publicip.bandwidth_size must be at least 1"},
		{name: "EIP of 2001 Mbit/s", fields: `,"publicip":{"type":"5_bgp","bandwidth_size":2001}`, wantMsg: "template.publicip.bandwidth_size must be at most 2000"},
		{name: "EIP bandwidth as a fraction", fields: `,"publicip":{"type":"5_bgp","bandwidth_size":1.5}`, wantMsg: "template.publicip.bandwidth_size must be an Integer"},
		{name: "EIP without a type", fields: `,"publicip":{"bandwidth_size":5}`, wantMsg: "template.publicip.type is required"},
		{name: "EIP without a bandwidth", fields: `,"publicip":{"type":"5_bgp"}`, wantMsg: "template.publicip.bandwidth_size is required"},
		{name: "disk", fields: `,"disk":[{"id":7,"index":0,"name":"sys","disktype":"SSD","size":40,"device_use":"BOOT"}]`},
		{name: "largest disk", fields: `,"disk":[{"index":0,"name":"sys","disktype":"SSD","size":9223372036854775807}]`},
		{name: "disk without a disktype", fields: `,"disk":[{"index":0,"name":"sys","size":40}]`, wantMsg: "template.disk[0].disktype is required"},
		{name: "disk without an index", fields: `,"disk":[{"name":"sys","disktype":"SSD","size":40}]`, wantMsg: "template.disk[0].index is required"},
		{name: "disk index -1", fields: `,"disk":[{"index":-1,"name":"sys","disktype":"SSD","size":40}]`, wantMsg: "template.disk[0].index must be at least 0"},
		{name: "disk size -1", fields: `,"disk":[{"index":0,"name":"sys","disktype":"SSD","size":-1}]`, wantMsg: "template.disk[0].size must be at least 0"},
		{name: "disk id -1", fields: `,"disk":[{"id":-1,"index":0,"name":"sys","disktype":"SSD","size":1}]`, wantMsg: "template.disk[0].id must be at least 0"},
		{name: "disk size as a String", fields: `,"disk":[{"index":0,"name":"sys","disktype":"SSD","size":"40"}]`, wantMsg: "template.disk[0].size must be a Long"},
		{name: "an unknown member", fields: `,"colour":"blue"`, wantMsg: "template.colour is not a field of the"},
	}
	for _, field := range []string{"region", "projectid", "target_server_name", "availability_zone", "volumetype",
		"flavor", "data_volume_type", "target_password", "image_id"} {
		cases = append(cases,
			templateLimitCase{name: field + " of 255 characters", fields: `,"` + field + `":"` + strings.Repeat("é", 255) + `"`},
			templateLimitCase{name: field + " empty", fields: `,"` + field + `":""`},
			templateLimitCase{name: field + " null", fields: `,"` + field + `":null`},
			templateLimitCase{name: field + " of 256 characters", fields: `,"` + field + `":"` + strings.Repeat("x", 256) + `"`,
				wantMsg: "template." + field + " must be at most 255 characters long"},
			templateLimitCase{name: field + " with a control character", fields: `,"` + field + `":"a\u0000b"`,
				wantMsg: "template." + field + " must not contain control characters"},
			templateLimitCase{name: field + " as a number", fields: `,"` + field + `":1`,
				wantMsg: "template." + field + " must be a String"},
		)
	}
	return cases
}

func TestCreateTemplateLimits(t *testing.T) {
	app := newTemplateTestApp(t)
	cases := append(templateLimitCases(),
		templateLimitCase{name: "no template", template: "-", wantMsg: "template is required"},
	)
	bodies := map[string]string{"no template": `{}`}
	for _, tt := range []struct{ name, body, wantMsg string }{
		{"null template", `{"template":null}`, "template is required"},
		{"template as an array", `{"template":[]}`, "template must be an object"},
		{"body as an array", `[]`, "request body must be a JSON object"},
		{"empty body", ``, "request body is empty"},
	} {
		cases = append(cases, templateLimitCase{name: tt.name, template: "-", wantMsg: tt.wantMsg})
		bodies[tt.name] = tt.body
	}
	for i, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			body, ok := bodies[tt.name]
			if !ok {
				body = `{"template":` + tt.object(fmt.Sprintf("tpl-%d", i)) + `}`
			}
			before := app.templates(t)
			rec := app.post("/v3/vm/templates", body)
			if tt.wantMsg != "" {
				wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.wantMsg)
				if after := app.templates(t); !reflect.DeepEqual(after, before) {
					t.Errorf("a refused create changed the templates: %s", jsonOf(t, after))
				}
				return
			}
			var resp struct {
				ID string `json:"id"`
			}
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &resp, json.RejectUnknownMembers(true)) != nil ||
				!uuidPattern.MatchString(resp.ID) || rec.Body.String() != `{"id":"`+resp.ID+`"}` {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			if after := app.templates(t); len(after) != len(before)+1 || *after[0].ID != resp.ID {
				t.Errorf("after the create: %s", jsonOf(t, after))
			}
			if err := app.store.DeleteTemplate(context.Background(), resp.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUpdateTemplateLimits(t *testing.T) {
	app := newTemplateTestApp(t)
	stored := app.importTemplate(t, fullTemplate)
	id := *stored.ID
	for i, tt := range templateLimitCases() {
		t.Run(tt.name, func(t *testing.T) {
			before, err := app.store.GetTemplate(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			rec := app.put("/v3/vm/templates/"+id, `{"template":`+tt.object(fmt.Sprintf("tpl-%d", i))+`}`)
			if tt.wantMsg != "" {
				wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.wantMsg)
				if after, _ := app.store.GetTemplate(context.Background(), id); !reflect.DeepEqual(after, before) {
					t.Errorf("a refused update changed the template: %s", jsonOf(t, after))
				}
				return
			}
			if rec.Code != http.StatusOK || rec.Body.String() != "{}" {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			// Back to the full template for the next case.
			if err := app.store.ImportTemplates(context.Background(), []sms.Template{stored}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// UpdateTemplate changes the fields its template names, clears those it names null, replaces a
// nested object or array whole, and leaves the rest alone.
func TestUpdateTemplateIsPartial(t *testing.T) {
	app := newTemplateTestApp(t)
	app.importTemplate(t, fullTemplate)
	app.importTemplate(t, `{"id":"tpl-other","name":"other"}`)
	target := "/v3/vm/templates/tpl-full"
	show := func(t *testing.T) string {
		t.Helper()
		rec := app.get(target)
		if rec.Code != http.StatusOK {
			t.Fatalf("ShowTemplate: %d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	full := show(t)

	wantError(t, app.put(target, `{"other":1}`), http.StatusBadRequest, "SMS.9001",
		"Invalid parameter: other is not a field of the UpdateTemplate request body")
	for _, body := range []string{`{}`, `{"template":null}`} {
		if rec := app.put(target, body); rec.Code != http.StatusOK || rec.Body.String() != "{}" {
			t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
		}
		if got := show(t); got != full {
			t.Errorf("%s changed the template:\n%s\nwant\n%s", body, got, full)
		}
	}

	rec := app.put(target, `{"template":{"name":"web-full","flavor":null,"vpc":null,"nics":[{"id":"subnet-2","name":"b"}],"publicip":{"type":"5_sbgp","bandwidth_size":20},"is_template":false}}`)
	if rec.Code != http.StatusOK || rec.Body.String() != "{}" {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	want := `{"template":{"id":"tpl-full","name":"web-full","is_template":"false","region":"cn-north-4",` +
		`"projectid":"p1","target_server_name":"web-target","availability_zone":"cn-north-4a","volumetype":"SAS",` +
		`"nics":[{"id":"subnet-2","name":"b"}],"security_groups":[{"id":"sg-1","name":"default"}],` +
		`"publicip":{"type":"5_sbgp","bandwidth_size":20},` +
		`"disk":[{"id":1,"index":0,"name":"system","disktype":"SSD","size":40,"device_use":"BOOT"}],` +
		`"data_volume_type":"SAS","target_password":"Lab-pass-1","image_id":"image-1"}}`
	if got := show(t); got != want {
		t.Errorf("after the update:\n%s\nwant\n%s", got, want)
	}

	for _, tt := range []struct{ name, body, status, code, msg string }{
		{"is_template null", `{"template":{"name":"web-full","is_template":null}}`, "400", "SMS.9001",
			"Invalid parameter: template.is_template must not be null"},
		{"a name another template holds", `{"template":{"name":"other"}}`, "400", "SMS.9008",
			"The template name other is taken by template tpl-other: template names are unique."},
		{"no name", `{"template":{"flavor":"x"}}`, "400", "SMS.9001", "Invalid parameter: template.name is required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := app.put(target, tt.body)
			if got := fmt.Sprint(rec.Code); got != tt.status {
				t.Fatalf("status %s, want %s: %s", got, tt.status, rec.Body)
			}
			if rec.Body.String() != `{"error_code":"`+tt.code+`","error_msg":"`+tt.msg+`"}` {
				t.Errorf("body %s", rec.Body)
			}
			if got := show(t); got != want {
				t.Errorf("a refused update changed the template:\n%s", got)
			}
		})
	}
}

// Every template answer, exactly.
func TestTemplateAnswers(t *testing.T) {
	app := newTemplateTestApp(t)
	app.importTemplate(t, fullTemplate, `{"id":"tpl-bare","name":"bare"}`)

	rec := app.get("/v3/vm/templates/tpl-full")
	if want := `{"template":` + fullTemplate + `}`; rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Errorf("ShowTemplate: %d\n%s\nwant\n%s", rec.Code, rec.Body, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	// The bare template comes after the full one in its file, so it is the older.
	rec = app.get("/v3/vm/templates?limit=5")
	want := `{"count":2,"templates":[` + fullTemplate + `,{"id":"tpl-bare","name":"bare","is_template":"true"}]}`
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Errorf("ListTemplates: %d\n%s\nwant\n%s", rec.Code, rec.Body, want)
	}
	// Empty filters do not filter.
	if rec := app.get("/v3/vm/templates?limit=5&name=&availability_zone=&region="); rec.Body.String() != want {
		t.Errorf("ListTemplates with empty filters: %d %s", rec.Code, rec.Body)
	}
	rec = app.get("/v3/vm/templates?name=none")
	if rec.Code != http.StatusOK || rec.Body.String() != `{"count":0,"templates":[]}` {
		t.Errorf("ListTemplates of nothing: %d %s", rec.Code, rec.Body)
	}
	for _, tt := range []struct{ name, method, target, body string }{
		{"UpdateTemplate", http.MethodPut, "/v3/vm/templates/tpl-bare", `{"template":{"name":"bare2"}}`},
		{"DeleteTemplate", http.MethodDelete, "/v3/vm/templates/tpl-bare", ""},
		{"DeleteTemplates", http.MethodPost, "/v3/vm/templates/delete", `{"ids":["tpl-full"]}`},
	} {
		req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
		req.Header.Set("X-Auth-Token", "t")
		if tt.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if rec := app.serve(req); rec.Code != http.StatusOK || rec.Body.String() != "{}" ||
			rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q %s", tt.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}
	if got := app.templates(t); len(got) != 0 {
		t.Errorf("templates left: %s", jsonOf(t, got))
	}
}

func TestListTemplatesQueryLimits(t *testing.T) {
	app := newTemplateTestApp(t)
	app.importTemplate(t, fullTemplate)
	for _, tt := range []struct{ name, query, wantMsg string }{
		{"limit 100", "limit=100", ""},
		{"limit 0", "limit=0", ""},
		{"limit 101", "limit=101", "limit must be at most 100"},
		{"limit -1", "limit=-1", "limit must be at least 0"},
		{"limit beyond an Integer", "limit=99999999999", "limit must be at most 100"},
		{"limit as a word", "limit=ten", "limit must be an Integer"},
		{"offset 65535", "offset=65535", ""},
		{"offset 65536", "offset=65536", "offset must be at most 65535"},
		{"offset -1", "offset=-1", "offset must be at least 0"},
		{"name of 255 characters", "name=" + strings.Repeat("%C3%A9", 255), ""},
		{"name of 256 characters", "name=" + strings.Repeat("n", 256), "name must be at most 255 characters long"},
		{"empty name", "name=", ""},
		{"name with a NUL", "name=a%00b", "name must not contain control characters"},
		{"availability_zone of 256 characters", "availability_zone=" + strings.Repeat("z", 256), "availability_zone must be at most 255 characters long"},
		{"region of 256 characters", "region=" + strings.Repeat("r", 256), "region must be at most 255 characters long"},
		{"id of 36 characters", "id=" + strings.Repeat("i", 36), ""},
		{"id of 37 characters", "id=" + strings.Repeat("i", 37), "id must be at most 36 characters long"},
		{"empty id", "id=", "id must be at least 1 characters long"},
		{"id with a tab", "id=a%09b", "id must not contain control characters"},
		{"an unknown parameter", "state=READY", "state is not a query parameter of ListTemplates"},
		{"a repeated parameter", "name=a&name=b", "name appears more than once"},
		{"invalid UTF-8", "region=%FF", "region must be valid UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := app.get("/v3/vm/templates?" + tt.query)
			if tt.wantMsg == "" {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+tt.wantMsg)
		})
	}
	req := httptest.NewRequest(http.MethodGet, "/v3/vm/templates", strings.NewReader(`{"limit":1}`))
	req.Header.Set("X-Auth-Token", "t")
	wantError(t, app.serve(req), http.StatusBadRequest, "SMS.9001", "Invalid parameter: a GET request takes no body")
}

// Without a limit, ListTemplates answers 50 templates, as documented.
func TestListTemplatesDefaultLimit(t *testing.T) {
	app := newTemplateTestApp(t)
	var many []sms.Template
	for i := range 51 {
		many = append(many, sms.Template{ID: ptr(fmt.Sprintf("tpl-%02d", i)), Name: ptr(fmt.Sprintf("t%02d", i))})
	}
	if err := app.store.ImportTemplates(context.Background(), many); err != nil {
		t.Fatal(err)
	}
	rec := app.get("/v3/vm/templates")
	var resp struct {
		Count     int64          `json:"count"`
		Templates []sms.Template `json:"templates"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	// A file's first template is its newest.
	if resp.Count != 51 || len(resp.Templates) != 50 || *resp.Templates[0].ID != "tpl-00" || *resp.Templates[49].ID != "tpl-49" {
		t.Errorf("count %d, %d templates, first %s, last %s", resp.Count, len(resp.Templates), *resp.Templates[0].ID, *resp.Templates[len(resp.Templates)-1].ID)
	}
}

func TestDeleteTemplatesLimits(t *testing.T) {
	app := newTemplateTestApp(t)
	ids := func(n int) string {
		list := make([]string, n)
		for i := range list {
			list[i] = fmt.Sprintf(`"unknown-%d"`, i)
		}
		return `{"ids":[` + strings.Join(list, ",") + `]}`
	}
	for _, tt := range []struct {
		name, body        string
		wantStatus        int
		wantCode, wantMsg string
	}{
		{"50 ids", ids(50), 404, "SMS.9007", "The template does not exist: unknown-0"},
		{"51 ids", ids(51), 400, "SMS.9001", "Invalid parameter: ids must have at most 50 items"},
		{"no ids", `{"ids":[]}`, 400, "SMS.9001", "Invalid parameter: ids must have at least 1 items"},
		{"ids absent", `{}`, 400, "SMS.9001", "Invalid parameter: ids is required"},
		{"ids null", `{"ids":null}`, 400, "SMS.9001", "Invalid parameter: ids is required"},
		{"ids as a String", `{"ids":"a"}`, 400, "SMS.9001", "Invalid parameter: ids must be an array"},
		{"an empty id", `{"ids":["tpl-full",""]}`, 400, "SMS.9001", "Invalid parameter: ids[1] must be at least 1 characters long"},
		{"a null id", `{"ids":[null]}`, 400, "SMS.9001", "Invalid parameter: ids[0] must be at least 1 characters long"},
		{"an id of 37 characters", `{"ids":["` + strings.Repeat("i", 37) + `"]}`, 400, "SMS.9001", "Invalid parameter: ids[0] must be at most 36 characters long"},
		{"a number as an id", `{"ids":[1]}`, 400, "SMS.9001", "Invalid parameter: ids[0] must be a String"},
		{"an unknown id after a known one", `{"ids":["tpl-full","gone"]}`, 404, "SMS.9007", "The template does not exist: gone"},
		{"no Content-Type", "-", 415, "SMS.2006", "The request type must be application/json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app.importTemplate(t, fullTemplate)
			before := app.templates(t)
			var rec *httptest.ResponseRecorder
			if tt.body == "-" {
				req := httptest.NewRequest(http.MethodPost, "/v3/vm/templates/delete", strings.NewReader(`{"ids":["tpl-full"]}`))
				req.Header.Set("X-Auth-Token", "t")
				rec = app.serve(req)
			} else {
				rec = app.post("/v3/vm/templates/delete", tt.body)
			}
			wantError(t, rec, tt.wantStatus, tt.wantCode, tt.wantMsg)
			if after := app.templates(t); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused batch changed the templates: %s", jsonOf(t, after))
			}
		})
	}
}

// A batch is deleted whole or not at all, whichever of its ids fails.
func TestDeleteTemplatesAllOrNothing(t *testing.T) {
	app := newTemplateTestApp(t)
	for _, tpl := range []string{`{"id":"a","name":"a"}`, `{"id":"b","name":"b"}`, `{"id":"c","name":"c"}`} {
		app.importTemplate(t, tpl)
	}
	if rec := app.put("/v3/tasks/"+dbOrdersTaskID, `{"vm_template_id":"b"}`); rec.Code != http.StatusOK {
		t.Fatalf("bind: %d %s", rec.Code, rec.Body)
	}
	before := app.templates(t)
	for _, tt := range []struct {
		ids               string
		wantStatus        int
		wantCode, wantMsg string
	}{
		{`"a","c","gone"`, 404, "SMS.9007", "The template does not exist: gone"},
		{`"a","gone","b"`, 404, "SMS.9007", "The template does not exist: gone"},
		{`"a","b","gone"`, 400, "SMS.9008", "The template b is used by task " + dbOrdersTaskID + " (RUNNING): a template a task uses cannot be deleted."},
	} {
		wantError(t, app.post("/v3/vm/templates/delete", `{"ids":[`+tt.ids+`]}`), tt.wantStatus, tt.wantCode, tt.wantMsg)
		if after := app.templates(t); !reflect.DeepEqual(after, before) {
			t.Errorf("[%s] deleted part of the batch: %s", tt.ids, jsonOf(t, after))
		}
	}
	// Repeated ids count once, and the rest goes whole.
	if rec := app.post("/v3/vm/templates/delete", `{"ids":["a","c","a"]}`); rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if after := app.templates(t); len(after) != 1 || *after[0].ID != "b" {
		t.Errorf("after the batch: %s", jsonOf(t, after))
	}
}

func TestTemplatePathIDs(t *testing.T) {
	app := newTemplateTestApp(t)
	app.importTemplate(t, `{"id":"a b","name":"spaced"}`)
	app.importTemplate(t, `{"id":"模板-1","name":"chinese"}`)
	for _, tt := range []struct {
		name, method, target string
		wantStatus           int
		wantCode, wantMsg    string
	}{
		{"id of 37 characters", "GET", "/v3/vm/templates/" + strings.Repeat("i", 37), 400, "SMS.9001", "Invalid parameter: id must be at most 36 characters long"},
		{"percent-encoded id of 37 characters", "DELETE", "/v3/vm/templates/" + strings.Repeat("%41", 37), 400, "SMS.9001", "Invalid parameter: id must be at most 36 characters long"},
		{"NUL in the id", "GET", "/v3/vm/templates/a%00b", 400, "SMS.9001", "Invalid parameter: id must not contain control characters"},
		{"unknown id", "GET", "/v3/vm/templates/nope", 404, "SMS.9007", "The template does not exist: nope"},
		{"an id called delete", "GET", "/v3/vm/templates/delete", 404, "SMS.9007", "The template does not exist: delete"},
		{"POST to a template", "POST", "/v3/vm/templates/a", 404, "APIGW.0101", ""},
		{"PATCH", "PATCH", "/v3/vm/templates/a", 404, "APIGW.0101", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/", nil)
			req.URL.Path, req.URL.RawPath = "", ""
			u, err := req.URL.Parse(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			req.URL, req.RequestURI = u, tt.target
			req.Header.Set("X-Auth-Token", "t")
			req.Header.Set("Content-Type", "application/json")
			wantError(t, app.serve(req), tt.wantStatus, tt.wantCode, tt.wantMsg)
		})
	}
	for _, target := range []string{"/v3/vm/templates/a%20b", "/v3/vm/templates/%E6%A8%A1%E6%9D%BF-1"} {
		if rec := app.get(target); rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
	}
	if rec := app.del("/v3/vm/templates/a%20b"); rec.Code != http.StatusOK {
		t.Errorf("DELETE without a Content-Type: %d %s", rec.Code, rec.Body)
	}
	req := httptest.NewRequest(http.MethodDelete, "/v3/vm/templates/%E6%A8%A1%E6%9D%BF-1", strings.NewReader("please"))
	req.Header.Set("X-Auth-Token", "t")
	req.Header.Set("Content-Type", "text/plain")
	wantError(t, app.serve(req), http.StatusUnsupportedMediaType, "SMS.2006", "")
	if got := app.templates(t); len(got) != 1 || *got[0].ID != "模板-1" {
		t.Errorf("templates: %s", jsonOf(t, got))
	}
}

// A ListTemplates answer saved as a seed file's templates loads into another smslab as it was,
// is_template and order included.
func TestTemplatesExportAndLoad(t *testing.T) {
	src := newTemplateTestApp(t)
	src.store.Now = tickingClock()
	for _, body := range []string{
		`{"template":{"name":"a","region":"r1","nics":[{"id":"autoCreate","name":"autoCreate"}]}}`,
		`{"template":{"name":"b","is_template":false,"disk":[]}}`,
		`{"template":{"name":"c","publicip":{"type":"5_bgp","bandwidth_size":5}}}`,
	} {
		if rec := src.post("/v3/vm/templates", body); rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
		}
	}
	c := src.templates(t)[0]
	if rec := src.put("/v3/tasks/"+dbOrdersTaskID, `{"vm_template_id":"`+*c.ID+`"}`); rec.Code != http.StatusOK {
		t.Fatalf("bind: %d %s", rec.Code, rec.Body)
	}
	exported := src.get("/v3/vm/templates")

	file := `{"tasks":[],"templates":` + strings.TrimSuffix(strings.SplitN(exported.Body.String(), `"templates":`, 2)[1], "}") + `}`
	parsed, err := seed.Parse(sms.NewDecoder(), []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	dst := newTemplateTestApp(t)
	if err := dst.store.ImportSeed(context.Background(), &parsed.SeedFile); err != nil {
		t.Fatal(err)
	}
	if got := dst.get("/v3/vm/templates"); got.Body.String() != exported.Body.String() {
		t.Errorf("loaded:\n%s\nexported:\n%s", got.Body, exported.Body)
	}
	if !strings.Contains(exported.Body.String(), `"name":"c","is_template":"false"`) {
		t.Errorf("the bound template is not exported as such: %s", exported.Body)
	}
}

func TestSeedFileTemplates(t *testing.T) {
	dec := sms.NewDecoder()
	for _, tt := range []struct{ name, file, wantErr string }{
		{"templates beside tasks", `{"tasks":[{"id":"t","state":"READY"}],"templates":[` + fullTemplate + `]}`, ""},
		{"templates alone", `{"templates":[{"id":"a","name":"a b.c"}]}`, ""},
		{"a repeated id", `{"templates":[{"id":"a","name":"a"},{"id":"b","name":"b"},{"id":"a","name":"c"}]}`,
			"templates[2].id repeats the id of templates[0] (a)"},
		{"a repeated name", `{"templates":[{"id":"a","name":"x"},{"id":"b","name":"x"}]}`,
			"templates[1].name repeats the name of templates[0] (x)"},
		{"no id", `{"templates":[{"name":"a"}]}`, "templates[0].id is required"},
		{"no name", `{"templates":[{"id":"a"}]}`, "templates[0].name is required"},
		{"a name of 256 characters", `{"templates":[{"id":"a","name":"` + strings.Repeat("n", 256) + `"}]}`, "templates[0].name must be at most 255 characters long"},
		{"is_template as a Boolean", `{"templates":[{"id":"a","name":"a","is_template":true}]}`, "templates[0].is_template must be a String"},
		{"is_template yes", `{"templates":[{"id":"a","name":"a","is_template":"yes"}]}`, "templates[0].is_template must be one of true, false"},
		{"a null template", `{"templates":[null]}`, "templates[0] must be an object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seed.Parse(dec, []byte(tt.file))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("err %v, want %s", err, tt.wantErr)
			}
		})
	}
}

// Every template route needs credentials, checked before anything else, as for tasks.
func TestTemplateRoutesNeedCredentials(t *testing.T) {
	e, store, _ := newAuthTestApp(t, strictConfig())
	dropDemoTemplates(t, store)
	if err := store.ImportTemplates(context.Background(), []sms.Template{{ID: ptr("a"), Name: ptr("a")}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ method, target, body string }{
		{"GET", "/v3/vm/templates", ""},
		{"POST", "/v3/vm/templates", `{"template":{"name":"b"}}`},
		{"GET", "/v3/vm/templates/a", ""},
		{"PUT", "/v3/vm/templates/a", `{"template":{"name":"b"}}`},
		{"DELETE", "/v3/vm/templates/a", ""},
		{"POST", "/v3/vm/templates/delete", `{"ids":["a"]}`},
	} {
		req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		rec, env := serve(e, req)
		if rec.Code != http.StatusUnauthorized || env.Code != "APIGW.0301" {
			t.Errorf("%s %s without credentials: %d %s", tt.method, tt.target, rec.Code, rec.Body)
		}
	}
	page, err := store.ListTemplates(context.Background(), &sms.ListTemplatesQuery{Limit: 10})
	if err != nil || page.Count != 1 || *page.Templates[0].Name != "a" {
		t.Errorf("templates after refused requests: %d (%v)", page.Count, err)
	}
}
