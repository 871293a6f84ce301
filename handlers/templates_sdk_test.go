package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3/model"

	"smslab/db"
	"smslab/sms"
)

// uuidPattern is the shape of the ids smslab makes.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// tickingClock returns a clock that moves one second on at every reading, from testNow, so that
// each template created gets a creation time of its own and lists in a known order.
func tickingClock() func() time.Time {
	var ticks atomic.Int64
	return func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Second) }
}

// newTemplateSDKServer serves the API in strict mode over HTTP on a demo-seeded database, without
// the demo's template, whose clock ticks, and returns its URL and its store.
func newTemplateSDKServer(t *testing.T) (string, *db.Store) {
	t.Helper()
	cfg := strictConfig()
	cfg.Now = nil // the SDK signs with time.Now
	e, store, _ := newAuthTestApp(t, cfg)
	dropDemoTemplates(t, store)
	store.Now = tickingClock()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL, store
}

// sdkTemplate is a template as the official SDK sends it, every field set.
func sdkTemplate(name, az, region string) *model.TemplateRequest {
	return &model.TemplateRequest{
		Name: name, IsTemplate: ptr(true), Region: ptr(region), Projectid: ptr("p1"),
		TargetServerName: ptr(name + "-target"), AvailabilityZone: ptr(az), Volumetype: ptr("SAS"),
		Flavor:         ptr("s6.large.2"),
		Vpc:            &model.VpcObject{Id: ptr("vpc-1"), Name: ptr("lab-vpc"), Cidr: ptr("192.168.0.0/16")},
		Nics:           &[]model.Nics{{Id: "subnet-1", Name: "lab-subnet", Cidr: "192.168.1.0/24", Ip: ptr("192.168.1.10")}},
		SecurityGroups: &[]model.SgObject{{Id: "sg-1", Name: "default"}, {Id: "sg-2", Name: "ssh"}},
		Publicip:       &model.PublicIp{Type: "5_bgp", BandwidthSize: 10, BandwidthShareType: ptr("PER")},
		Disk: &[]model.TemplateDisk{
			{Id: ptr[int64](1), Index: 0, Name: "system", Disktype: "SSD", Size: 40, DeviceUse: ptr("BOOT")},
			{Index: 1, Name: "data", Disktype: "SAS", Size: 100},
		},
		DataVolumeType: ptr("SAS"), TargetPassword: ptr("Lab-pass-1"), ImageId: ptr("image-1"),
	}
}

// jsonOf is v in JSON, for messages.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// templateIDsOf lists the ids of a ListTemplates response, in order.
func templateIDsOf(t *testing.T, resp *model.ListTemplatesResponse) []string {
	t.Helper()
	if resp.Templates == nil || resp.Count == nil {
		t.Fatal("ListTemplates: no count or no templates array")
	}
	ids := []string{}
	for _, tpl := range *resp.Templates {
		ids = append(ids, *tpl.Id)
	}
	return ids
}

// The official Go SDK drives every template operation against a strict-mode smslab.
func TestTemplatesWithOfficialSDK(t *testing.T) {
	url, store := newTemplateSDKServer(t)
	c := newSDKClient(t, url, labAK, labSK)
	ctx := context.Background()

	create := func(t *testing.T, req *model.TemplateRequest) string {
		t.Helper()
		resp, err := c.CreateTemplate(&model.CreateTemplateRequest{Body: &model.CreateTemplateReq{Template: req}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.HttpStatusCode != http.StatusOK || resp.Id == nil || !uuidPattern.MatchString(*resp.Id) {
			t.Fatalf("CreateTemplate: status %d, id %v", resp.HttpStatusCode, resp.Id)
		}
		return *resp.Id
	}
	a := create(t, sdkTemplate("web-a", "az-1", "region-1"))
	b := create(t, sdkTemplate("web-b", "az-2", "region-1"))
	cc := create(t, sdkTemplate("数据库-c", "az-1", "region-2"))

	t.Run("ListTemplates filters and pages", func(t *testing.T) {
		for _, tt := range []struct {
			name      string
			req       model.ListTemplatesRequest
			wantCount int32
			want      []string
		}{
			{"all, newest first", model.ListTemplatesRequest{}, 3, []string{cc, b, a}},
			{"name", model.ListTemplatesRequest{Name: ptr("web-b")}, 1, []string{b}},
			{"name in Chinese", model.ListTemplatesRequest{Name: ptr("数据库-c")}, 1, []string{cc}},
			{"name is exact", model.ListTemplatesRequest{Name: ptr("web")}, 0, []string{}},
			{"availability zone", model.ListTemplatesRequest{AvailabilityZone: ptr("az-1")}, 2, []string{cc, a}},
			{"region", model.ListTemplatesRequest{Region: ptr("region-1")}, 2, []string{b, a}},
			{"id", model.ListTemplatesRequest{Id: &a}, 1, []string{a}},
			{"region and zone", model.ListTemplatesRequest{Region: ptr("region-1"), AvailabilityZone: ptr("az-1")}, 1, []string{a}},
			{"first page", model.ListTemplatesRequest{Limit: ptr[int32](2)}, 3, []string{cc, b}},
			{"second page", model.ListTemplatesRequest{Limit: ptr[int32](2), Offset: ptr[int32](2)}, 3, []string{a}},
			{"past the end", model.ListTemplatesRequest{Offset: ptr[int32](3)}, 3, []string{}},
			{"limit 0 counts", model.ListTemplatesRequest{Limit: ptr[int32](0)}, 3, []string{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, err := c.ListTemplates(&tt.req)
				if err != nil {
					t.Fatal(err)
				}
				if got := templateIDsOf(t, resp); *resp.Count != tt.wantCount || !slices.Equal(got, tt.want) {
					t.Errorf("count %d, %v; want %d, %v", *resp.Count, got, tt.wantCount, tt.want)
				}
			})
		}
	})

	t.Run("ShowTemplate", func(t *testing.T) {
		resp, err := c.ShowTemplate(&model.ShowTemplateRequest{Id: a})
		if err != nil {
			t.Fatal(err)
		}
		got := resp.Template
		sent := sdkTemplate("web-a", "az-1", "region-1")
		if got == nil || *got.Id != a || got.Name != "web-a" || *got.IsTemplate != "true" ||
			got.Region != "region-1" || got.Projectid != "p1" || got.TargetServerName != "web-a-target" ||
			got.AvailabilityZone != "az-1" || got.Volumetype.Value() != "SAS" || got.Flavor != "s6.large.2" ||
			got.DataVolumeType.Value() != "SAS" || got.TargetPassword != "Lab-pass-1" || *got.ImageId != "image-1" {
			t.Fatalf("ShowTemplate: %v", got)
		}
		if !reflect.DeepEqual(got.Vpc, sent.Vpc) || !reflect.DeepEqual(got.Publicip, sent.Publicip) ||
			!reflect.DeepEqual(got.Nics, *sent.Nics) || !reflect.DeepEqual(got.SecurityGroups, *sent.SecurityGroups) ||
			!reflect.DeepEqual(got.Disk, *sent.Disk) {
			t.Errorf("nested objects: %v\nsent %v", got, sent)
		}
	})

	t.Run("UpdateTemplate changes what it names", func(t *testing.T) {
		// The SDK leaves out the fields it has no value for: they keep theirs.
		_, err := c.UpdateTemplate(&model.UpdateTemplateRequest{Id: b, Body: &model.UpdateTemplateReq{Template: &model.TemplateRequest{
			Name: "web-b2", Flavor: ptr("s6.xlarge.2"), Publicip: &model.PublicIp{Type: "5_sbgp", BandwidthSize: 300},
			Nics: &[]model.Nics{{Id: "autoCreate", Name: "autoCreate"}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := store.GetTemplate(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if *stored.Name != "web-b2" || *stored.Flavor != "s6.xlarge.2" || *stored.Publicip.Type != "5_sbgp" ||
			*stored.Publicip.BandwidthSize != 300 || stored.Publicip.BandwidthShareType != nil ||
			len(stored.Nics) != 1 || *stored.Nics[0].ID != "autoCreate" || *stored.Nics[0].Cidr != "" {
			t.Errorf("changed fields: %s", jsonOf(t, stored))
		}
		if *stored.Region != "region-1" || *stored.AvailabilityZone != "az-2" || len(stored.SecurityGroups) != 2 ||
			len(stored.Disk) != 2 || *stored.TargetPassword != "Lab-pass-1" {
			t.Errorf("fields the update did not name changed: %s", jsonOf(t, stored))
		}
	})

	t.Run("a template a task uses", func(t *testing.T) {
		bind := func(t *testing.T, templateID string) {
			t.Helper()
			if _, err := c.UpdateTask(&model.UpdateTaskRequest{TaskId: readyTask, Body: &model.PutTaskReq{VmTemplateId: &templateID}}); err != nil {
				t.Fatal(err)
			}
		}
		isTemplate := func(t *testing.T, id string) string {
			t.Helper()
			resp, err := c.ShowTemplate(&model.ShowTemplateRequest{Id: id})
			if err != nil {
				t.Fatal(err)
			}
			return *resp.Template.IsTemplate
		}
		bind(t, cc)
		if got := isTemplate(t, cc); got != "false" {
			t.Errorf("is_template of a bound template: %q, want \"false\"", got)
		}
		resp, err := c.ListTemplates(&model.ListTemplatesRequest{Id: &cc})
		if err != nil || *(*resp.Templates)[0].IsTemplate != "false" {
			t.Errorf("ListTemplates: is_template of a bound template: %v %v", err, resp)
		}
		msg := "The template " + cc + " is used by task " + readyTask + " (READY): a template a task uses cannot be deleted."
		_, err = c.DeleteTemplate(&model.DeleteTemplateRequest{Id: cc})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008", msg)
		_, err = c.DeleteTemplates(&model.DeleteTemplatesRequest{Body: &model.DeletetemplatesReq{Ids: []string{a, cc}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008", msg)
		for _, id := range []string{a, cc} {
			if _, err := store.GetTemplate(ctx, id); err != nil {
				t.Errorf("template %s after the refused batch: %v", id, err)
			}
		}
		bind(t, "another-template")
		if got := isTemplate(t, cc); got != "true" {
			t.Errorf("is_template once the task moved on: %q, want \"true\"", got)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := c.CreateTemplate(&model.CreateTemplateRequest{Body: &model.CreateTemplateReq{Template: sdkTemplate("web a", "az-1", "r")}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001",
			"Invalid parameter: template.name may hold only Chinese characters, letters, digits, underscores (_) and hyphens (-)")
		_, err = c.CreateTemplate(&model.CreateTemplateRequest{Body: &model.CreateTemplateReq{}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: template is required")
		_, err = c.CreateTemplate(&model.CreateTemplateRequest{Body: &model.CreateTemplateReq{Template: sdkTemplate("web-a", "az-9", "r")}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008",
			"The template name web-a is taken by template "+a+": template names are unique.")
		_, err = c.UpdateTemplate(&model.UpdateTemplateRequest{Id: b, Body: &model.UpdateTemplateReq{Template: &model.TemplateRequest{Name: "web-a"}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9008",
			"The template name web-a is taken by template "+a+": template names are unique.")
		_, err = c.ShowTemplate(&model.ShowTemplateRequest{Id: "no-such-template"})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9007", "The template does not exist: no-such-template")
		_, err = c.UpdateTemplate(&model.UpdateTemplateRequest{Id: "no-such-template", Body: &model.UpdateTemplateReq{}})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9007", "The template does not exist: no-such-template")
		_, err = c.DeleteTemplate(&model.DeleteTemplateRequest{Id: "no-such-template"})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9007", "The template does not exist: no-such-template")
		_, err = c.DeleteTemplates(&model.DeleteTemplatesRequest{Body: &model.DeletetemplatesReq{Ids: []string{}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: ids must have at least 1 items")
		_, err = c.ListTemplates(&model.ListTemplatesRequest{Limit: ptr[int32](101)})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001", "Invalid parameter: limit must be at most 100")
		if page, err := store.ListTemplates(ctx, &sms.ListTemplatesQuery{Limit: 100}); err != nil || page.Count != 3 {
			t.Errorf("templates after the refused requests: %d (%v), want 3", page.Count, err)
		}
	})

	t.Run("DeleteTemplates is all or nothing", func(t *testing.T) {
		_, err := c.DeleteTemplates(&model.DeleteTemplatesRequest{Body: &model.DeletetemplatesReq{Ids: []string{a, "gone", b}}})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9007", "The template does not exist: gone")
		if page, err := store.ListTemplates(ctx, &sms.ListTemplatesQuery{Limit: 100}); err != nil || page.Count != 3 {
			t.Errorf("templates after the refused batch: %d (%v), want 3", page.Count, err)
		}
	})

	t.Run("DeleteTemplate", func(t *testing.T) {
		resp, err := c.DeleteTemplate(&model.DeleteTemplateRequest{Id: a})
		if err != nil {
			t.Fatal(err)
		}
		if resp.HttpStatusCode != http.StatusOK || resp.Body == nil || *resp.Body != "{}" {
			t.Errorf("DeleteTemplate: %d %v", resp.HttpStatusCode, resp.Body)
		}
		_, err = c.ShowTemplate(&model.ShowTemplateRequest{Id: a})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9007", "The template does not exist: "+a)
	})

	t.Run("DeleteTemplates", func(t *testing.T) {
		// A repeated id counts once.
		resp, err := c.DeleteTemplates(&model.DeleteTemplatesRequest{Body: &model.DeletetemplatesReq{Ids: []string{b, cc, b}}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.HttpStatusCode != http.StatusOK || resp.Body == nil || *resp.Body != "{}" {
			t.Errorf("DeleteTemplates: %d %v", resp.HttpStatusCode, resp.Body)
		}
		list, err := c.ListTemplates(&model.ListTemplatesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if got := templateIDsOf(t, list); *list.Count != 0 || len(got) != 0 {
			t.Errorf("after deleting every template: count %d, %v", *list.Count, got)
		}
	})
}
