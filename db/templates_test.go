package db

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"smslab/sms"
)

// A template is bound to the tasks whose vm_template_id names it: is_template answers "false"
// and the template cannot be deleted until no task names it.
func TestTemplateBoundByTask(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	if err := store.Import(ctx, []sms.Task{{ID: ptr("t1"), State: ptr("RUNNING")}}); err != nil {
		t.Fatal(err)
	}
	id, err := store.CreateTemplate(ctx, &sms.TemplateRequest{Name: ptr("web")})
	if err != nil {
		t.Fatal(err)
	}
	isTemplate := func() string {
		t.Helper()
		v, err := store.GetTemplate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return *v.IsTemplate
	}
	if got := isTemplate(); got != "true" {
		t.Errorf("is_template of a new template: %q", got)
	}
	bind := func(templateID *string) {
		t.Helper()
		err := store.UpdateTask(ctx, "t1", &sms.UpdateTaskRequest{VMTemplateID: templateID, Fields: map[string]bool{"vm_template_id": true}})
		if err != nil {
			t.Fatal(err)
		}
	}
	bind(&id)
	if got := isTemplate(); got != "false" {
		t.Errorf("is_template of a bound template: %q", got)
	}
	var conflict *ConflictError
	err = store.DeleteTemplate(ctx, id)
	if !errors.As(err, &conflict) || conflict.Reason != "The template "+id+" is used by task t1 (RUNNING): a template a task uses cannot be deleted." {
		t.Fatalf("deleting a bound template: %v", err)
	}
	if _, err := store.GetTemplate(ctx, id); err != nil {
		t.Errorf("the refused delete deleted it: %v", err)
	}
	bind(nil)
	if got := isTemplate(); got != "true" {
		t.Errorf("is_template once no task names it: %q", got)
	}
	if err := store.DeleteTemplate(ctx, id); err != nil {
		t.Fatal(err)
	}
	var notFound *TemplateNotFoundError
	if _, err := store.GetTemplate(ctx, id); !errors.As(err, &notFound) || notFound.ID != id || !errors.Is(err, ErrTemplateNotFound) {
		t.Errorf("GetTemplate after the delete: %v", err)
	}
	if err := store.DeleteTemplate(ctx, id); !errors.As(err, &notFound) {
		t.Errorf("deleting it again: %v", err)
	}
}

// An import whose template takes the name of another stores none of its templates.
func TestImportTemplatesIsWhole(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	if err := store.ImportTemplates(ctx, []sms.Template{{ID: ptr("x"), Name: ptr("taken")}}); err != nil {
		t.Fatal(err)
	}
	err := store.ImportTemplates(ctx, []sms.Template{{ID: ptr("a"), Name: ptr("a")}, {ID: ptr("b"), Name: ptr("taken")}})
	if !errors.Is(err, ErrConflict) || err.Error() != "template b: The template name taken is taken by template x: template names are unique." {
		t.Fatalf("err %v", err)
	}
	page, err := store.ListTemplates(ctx, &sms.ListTemplatesQuery{Limit: 10})
	if err != nil || page.Count != 1 || *page.Templates[0].ID != "x" {
		t.Errorf("after the refused import: %d templates (%v)", page.Count, err)
	}
	// The same id replaces the template, its name included.
	if err := store.ImportTemplates(ctx, []sms.Template{{ID: ptr("x"), Name: ptr("renamed"), Flavor: ptr("f")}}); err != nil {
		t.Fatal(err)
	}
	v, err := store.GetTemplate(ctx, "x")
	if err != nil || *v.Name != "renamed" || *v.Flavor != "f" {
		t.Errorf("after replacing: %v %v", v, err)
	}
}

func TestCreateTemplateGivesNewIDs(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	seen := map[string]bool{}
	for _, name := range []string{"a", "b", "c"} {
		id, err := store.CreateTemplate(ctx, &sms.TemplateRequest{Name: ptr(name)})
		if err != nil {
			t.Fatal(err)
		}
		if seen[id] || len(id) != 36 {
			t.Errorf("id %q", id)
		}
		seen[id] = true
	}
}

// Creates racing for one name: the name is checked inside each write, so exactly one wins.
func TestConcurrentCreatesOfOneName(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := store.CreateTemplate(ctx, &sms.TemplateRequest{Name: ptr("same")})
			errs <- err
		}()
	}
	created := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			created++
		case !errors.Is(err, ErrConflict):
			t.Errorf("err %v", err)
		}
	}
	page, err := store.ListTemplates(ctx, &sms.ListTemplatesQuery{Limit: 10})
	if created != 1 || err != nil || page.Count != 1 {
		t.Errorf("%d creates succeeded, %d templates stored (%v); want 1, 1", created, page.Count, err)
	}
}

// BenchmarkListTemplates weighs a page of ListTemplates, filtered and not, at a size far beyond a
// lab's handful of templates: the filters scan the table in list order (queries/templates.sql).
//
//	go test ./db -run '^$' -bench ListTemplates -count 5
func BenchmarkListTemplates(b *testing.B) {
	ctx := context.Background()
	store := mustOpenStore(b)
	const n = 1000
	templates := make([]sms.Template, n)
	for i := range templates {
		templates[i] = sms.Template{
			ID: ptr(fmt.Sprintf("tpl-%04d", i)), Name: ptr(fmt.Sprintf("t%04d", i)),
			AvailabilityZone: ptr(fmt.Sprintf("az-%d", i%4)), Region: ptr("r1"),
			Nics:     []sms.Nic{{ID: ptr("autoCreate"), Name: ptr("autoCreate")}},
			Publicip: &sms.PublicIP{Type: ptr("5_bgp"), BandwidthSize: ptr[int32](10)},
		}
	}
	if err := store.ImportTemplates(ctx, templates); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct {
		name  string
		query sms.ListTemplatesQuery
	}{
		{"first page of 50", sms.ListTemplatesQuery{Limit: 50}},
		{"last page of 50", sms.ListTemplatesQuery{Limit: 50, Offset: n - 50}},
		{"by name", sms.ListTemplatesQuery{Name: ptr("t0500"), Limit: 50}},
		{"by zone", sms.ListTemplatesQuery{AvailabilityZone: ptr("az-1"), Limit: 50}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := store.ListTemplates(ctx, &q.query); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
