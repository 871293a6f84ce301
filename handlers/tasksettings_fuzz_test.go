package handlers_test

import (
	"net/http"
	"testing"
)

// The settings fuzz targets hold UpdateSpeed and UploadSpecialConfigurationSetting to the promise
// of the others (fuzz_test.go): a 200, or a 4xx in the SMS envelope that changed nothing. Run one
// with:
//
//	go test ./handlers -run '^$' -fuzz '^FuzzUpdateSpeed$' -fuzztime 1m -fuzzminimizetime 5s

func FuzzUpdateSpeed(f *testing.F) {
	for _, c := range speedLimitCases {
		f.Add(c.body)
	}
	app := newTestApp(f)
	path := speedLimitPath(linuxFileTask)
	f.Fuzz(func(t *testing.T, body string) {
		before := app.get(path).Body.String()
		rec := app.post(path, body)
		checkAnswer(t, app, rec, "", nil)
		if rec.Code != http.StatusOK {
			if after := app.get(path).Body.String(); after != before {
				t.Fatalf("a %d changed the windows: %s, then %s", rec.Code, before, after)
			}
		}
	})
}

func FuzzUploadSpecialConfigurationSetting(f *testing.F) {
	for _, c := range configLimitCases {
		f.Add(c.body)
	}
	app := newTestApp(f)
	path := configPath(linuxFileTask)
	f.Fuzz(func(t *testing.T, body string) {
		before := app.get(path).Body.String()
		rec := app.post(path, body)
		checkAnswer(t, app, rec, "", nil)
		if rec.Code != http.StatusOK {
			if after := app.get(path).Body.String(); after != before {
				t.Fatalf("a %d changed the options: %s, then %s", rec.Code, before, after)
			}
		}
	})
}
