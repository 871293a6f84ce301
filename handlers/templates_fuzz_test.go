package handlers_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"smslab/sms"
)

// The template fuzz targets hold CreateTemplate and UpdateTemplate to the promise of the others
// (fuzz_test.go): a 200, or a 4xx in the SMS envelope that changed no template. Run one with:
//
//	go test ./handlers -run '^$' -fuzz '^FuzzCreateTemplate$' -fuzztime 1m -fuzzminimizetime 5s

// addTemplateSeeds adds the limit table's bodies and a full template to f's corpus.
func addTemplateSeeds(f *testing.F) {
	f.Add(`{"template":` + fullTemplate + `}`)
	f.Add(`{"template":{"name":"web","nics":[{"id":"autoCreate","name":"autoCreate"}],"publicip":{"type":"5_bgp","bandwidth_size":2000}}}`)
	f.Add(`{"template":null}`)
	for _, c := range templateLimitCases() {
		if len(c.fields) < 1000 { // the 65536 subnets would slow every round down
			f.Add(`{"template":` + c.object("fuzz") + `}`)
		}
	}
}

func FuzzCreateTemplate(f *testing.F) {
	addTemplateSeeds(f)
	app := newTemplateTestApp(f)
	app.importTemplate(f, fullTemplate)
	f.Fuzz(func(t *testing.T, body string) {
		before := app.templates(t)
		rec := app.post("/v3/vm/templates", body)
		checkAnswer(t, app, rec, "", nil)
		if rec.Code == http.StatusOK {
			// Back to one template, so that every round starts alike.
			for _, tpl := range app.templates(t) {
				if *tpl.ID != "tpl-full" {
					if err := app.store.DeleteTemplate(context.Background(), *tpl.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			return
		}
		if after := app.templates(t); !reflect.DeepEqual(after, before) {
			t.Fatalf("a %d changed the templates", rec.Code)
		}
	})
}

func FuzzUpdateTemplate(f *testing.F) {
	addTemplateSeeds(f)
	app := newTemplateTestApp(f)
	full := app.importTemplate(f, fullTemplate)
	app.importTemplate(f, `{"id":"tpl-other","name":"fuzz"}`)
	f.Fuzz(func(t *testing.T, body string) {
		before := app.templates(t)
		rec := app.put("/v3/vm/templates/tpl-full", body)
		checkAnswer(t, app, rec, "", nil)
		if rec.Code == http.StatusOK {
			if err := app.store.ImportTemplates(context.Background(), []sms.Template{full}); err != nil {
				t.Fatal(err)
			}
			return
		}
		if after := app.templates(t); !reflect.DeepEqual(after, before) {
			t.Fatalf("a %d changed the templates", rec.Code)
		}
	})
}
