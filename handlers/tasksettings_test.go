package handlers_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/certs"
	"smslab/handlers"
	"smslab/sms"
)

// Tasks of the demo seed that the settings tests use: each kind of migrate_type.
const (
	linuxFileTask  = readyTask                              // LINUX, MIGRATE_FILE
	linuxBlockTask = "3f6e1d2c-8b4a-4c5d-9e7f-000000000014" // LINUX, MIGRATE_BLOCK
	windowsTask    = "3f6e1d2c-8b4a-4c5d-9e7f-000000000015" // WINDOWS, MIGRATE_BLOCK
	missingTask    = "3f6e1d2c-8b4a-4c5d-9e7f-00000000ffff"
)

func speedLimitPath(id string) string { return "/v3/tasks/" + id + "/speed-limit" }
func configPath(id string) string     { return "/v3/tasks/" + id + "/configuration-setting" }

// wantBody checks that rec is a 200 whose body is exactly want.
func wantBody(t *testing.T, rec *httptest.ResponseRecorder, want string) {
	t.Helper()
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Fatalf("status %d, body %s\nwant 200, %s", rec.Code, rec.Body, want)
	}
}

func TestSpeedLimits(t *testing.T) {
	app := newTestApp(t)
	path := speedLimitPath(linuxFileTask)

	rec := app.get(path)
	wantBody(t, rec, `{"speed_limit":[]}`)

	// The pages' example, with its one-digit hours, and a threshold on one window.
	rec = app.post(path, `{"speed_limit":[{"start":"0:00","end":"8:00","speed":20},
		{"start":"15:00","end":"23:59","speed":25,"over_speed_threshold":12.5},
		{"start":"8:00","end":"15:00","speed":50}]}`)
	wantBody(t, rec, `{}`)
	rec = app.get(path)
	wantBody(t, rec, `{"speed_limit":[{"start":"0:00","end":"8:00","speed":20},`+
		`{"start":"15:00","end":"23:59","speed":25,"over_speed_threshold":12.5},{"start":"8:00","end":"15:00","speed":50}]}`)

	// Another task's windows are its own.
	rec = app.get(speedLimitPath(windowsTask))
	wantBody(t, rec, `{"speed_limit":[]}`)

	// The windows given replace the task's: a window without a speed has 0.
	rec = app.post(path, `{"speed_limit":[{"start":"01:30","end":"02:00"}]}`)
	wantBody(t, rec, `{}`)
	rec = app.get(path)
	wantBody(t, rec, `{"speed_limit":[{"start":"01:30","end":"02:00","speed":0}]}`)

	rec = app.post(path, `{"speed_limit":[]}`)
	wantBody(t, rec, `{}`)
	rec = app.get(path)
	wantBody(t, rec, `{"speed_limit":[]}`)
}

// speedLimitCases are UpdateSpeed's limits: wantMsg empty for a body taken.
var speedLimitCases = []struct {
	name, body, wantMsg string
}{
	{"no windows", `{"speed_limit":[]}`, ""},
	{"five windows", `{"speed_limit":[` + windows(5) + `]}`, ""},
	{"six windows", `{"speed_limit":[` + windows(6) + `]}`, "speed_limit must have at most 5 items"},
	{"empty body", ``, "request body is empty"},
	{"not an object", `[]`, "request body must be a JSON object"},
	{"no speed_limit", `{}`, "speed_limit is required"},
	{"null speed_limit", `{"speed_limit":null}`, "speed_limit is required"},
	{"speed_limit an object", `{"speed_limit":{}}`, "speed_limit must be an array"},
	{"null window", `{"speed_limit":[null]}`, "speed_limit[0] must be an object"},
	{"unknown member", `{"speed_limit":[],"speed":1}`, "speed is not a field of the UpdateSpeed request body"},
	{"unknown window member", `{"speed_limit":[{"start":"1:00","end":"2:00","limit":3}]}`, "speed_limit[0].limit is not a field of the UpdateSpeed request body"},
	{"repeated member", `{"speed_limit":[],"speed_limit":[]}`, "speed_limit appears more than once"},
	{"no start", `{"speed_limit":[{"end":"2:00"}]}`, "speed_limit[0].start is required"},
	{"no end", `{"speed_limit":[{"start":"1:00"}]}`, "speed_limit[0].end is required"},
	{"empty start", `{"speed_limit":[{"start":"","end":"2:00"}]}`, "speed_limit[0].start " + clockRule},
	{"hour 24", `{"speed_limit":[{"start":"1:00","end":"24:00"}]}`, "speed_limit[0].end " + clockRule},
	{"minute 60", `{"speed_limit":[{"start":"1:60","end":"2:00"}]}`, "speed_limit[0].start " + clockRule},
	{"one-digit minute", `{"speed_limit":[{"start":"1:5","end":"2:00"}]}`, "speed_limit[0].start " + clockRule},
	{"three-digit hour", `{"speed_limit":[{"start":"001:00","end":"2:00"}]}`, "speed_limit[0].start " + clockRule},
	{"seconds", `{"speed_limit":[{"start":"01:00:00","end":"2:00"}]}`, "speed_limit[0].start " + clockRule},
	{"space", `{"speed_limit":[{"start":" 1:00","end":"2:00"}]}`, "speed_limit[0].start " + clockRule},
	{"start a number", `{"speed_limit":[{"start":100,"end":"2:00"}]}`, "speed_limit[0].start must be a String"},
	{"whole day", `{"speed_limit":[{"start":"00:00","end":"23:59","speed":0}]}`, ""},
	{"end at start", `{"speed_limit":[{"start":"2:00","end":"02:00"}]}`, "speed_limit[0].end (02:00) must be after start (2:00)"},
	{"across midnight", `{"speed_limit":[{"start":"1:00","end":"2:00"},{"start":"22:00","end":"6:00"}]}`, "speed_limit[1].end (6:00) must be after start (22:00)"},
	{"overlap", `{"speed_limit":[{"start":"8:00","end":"12:00"},{"start":"0:00","end":"8:01"}]}`, "speed_limit[1] (0:00-8:01) overlaps speed_limit[0] (8:00-12:00)"},
	{"inside another", `{"speed_limit":[{"start":"0:00","end":"12:00"},{"start":"13:00","end":"14:00"},{"start":"1:00","end":"2:00"}]}`, "speed_limit[2] (1:00-2:00) overlaps speed_limit[0] (0:00-12:00)"},
	{"same window twice", `{"speed_limit":[{"start":"1:00","end":"2:00"},{"start":"01:00","end":"02:00"}]}`, "speed_limit[1] (01:00-02:00) overlaps speed_limit[0] (1:00-2:00)"},
	{"windows that meet", `{"speed_limit":[{"start":"1:00","end":"2:00"},{"start":"2:00","end":"3:00"}]}`, ""},
	{"speed 0", `{"speed_limit":[{"start":"1:00","end":"2:00","speed":0}]}`, ""},
	{"speed 1000", `{"speed_limit":[{"start":"1:00","end":"2:00","speed":1000}]}`, ""},
	{"speed 1001", `{"speed_limit":[{"start":"1:00","end":"2:00","speed":1001}]}`, "speed_limit[0].speed must be at most 1000"},
	{"speed -1", `{"speed_limit":[{"start":"1:00","end":"2:00","speed":-1}]}`, "speed_limit[0].speed must be at least 0"},
	{"speed a fraction", `{"speed_limit":[{"start":"1:00","end":"2:00","speed":1.5}]}`, "speed_limit[0].speed must be an Integer"},
	{"speed a string", `{"speed_limit":[{"start":"1:00","end":"2:00","speed":"5"}]}`, "speed_limit[0].speed must be an Integer"},
	{"speed past Integer", `{"speed_limit":[{"start":"1:00","end":"2:00","speed":2147483648}]}`, "speed_limit[0].speed must be an Integer"},
	{"threshold 0", `{"speed_limit":[{"start":"1:00","end":"2:00","over_speed_threshold":0}]}`, ""},
	{"threshold 100", `{"speed_limit":[{"start":"1:00","end":"2:00","over_speed_threshold":100}]}`, ""},
	{"threshold over 100", `{"speed_limit":[{"start":"1:00","end":"2:00","over_speed_threshold":100.5}]}`, "speed_limit[0].over_speed_threshold must be at most 100"},
	{"threshold below 0", `{"speed_limit":[{"start":"1:00","end":"2:00","over_speed_threshold":-0.1}]}`, "speed_limit[0].over_speed_threshold must be at least 0"},
	{"threshold a string", `{"speed_limit":[{"start":"1:00","end":"2:00","over_speed_threshold":"5"}]}`, "speed_limit[0].over_speed_threshold must be a Double"},
}

// clockRule is what the API says of a time of day it does not take.
const clockRule = "must be a time of day from 00:00 to 23:59, as HH:MM or H:MM"

// windows is n windows of an hour each, from midnight on.
func windows(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf(`{"start":"%d:00","end":"%d:00","speed":%d}`, i, i+1, 10*i)
	}
	return strings.Join(ws, ",")
}

func TestUpdateSpeedLimits(t *testing.T) {
	app := newTestApp(t)
	path := speedLimitPath(linuxFileTask)
	const before = `{"speed_limit":[{"start":"23:00","end":"23:59","speed":7}]}`
	for _, c := range speedLimitCases {
		t.Run(c.name, func(t *testing.T) {
			if rec := app.post(path, before); rec.Code != http.StatusOK {
				t.Fatalf("setting the windows back: %d %s", rec.Code, rec.Body)
			}
			rec := app.post(path, c.body)
			if c.wantMsg == "" {
				wantBody(t, rec, `{}`)
				// What was taken is what is shown, but for the speed a window left out.
				var sent, shown sms.ShowsSpeedLimitsResponse
				if err := json.Unmarshal([]byte(c.body), &sent); err != nil {
					t.Fatal(err)
				}
				rec = app.get(path)
				if err := json.Unmarshal(rec.Body.Bytes(), &shown); err != nil {
					t.Fatal(err)
				}
				for i := range sent.SpeedLimit {
					if sent.SpeedLimit[i].Speed == nil {
						sent.SpeedLimit[i].Speed = ptr[int32](0)
					}
				}
				if got, want := jsonOf(t, shown), jsonOf(t, sent); got != want {
					t.Errorf("shown %s, want %s", got, want)
				}
				return
			}
			wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+c.wantMsg)
			rec = app.get(path)
			wantBody(t, rec, before)
		})
	}
}

func TestSettingsOfAnUnknownTask(t *testing.T) {
	app := newTestApp(t)
	const msg = "The task does not exist: " + missingTask
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"ShowsSpeedLimits":                  app.get(speedLimitPath(missingTask)),
		"UpdateSpeed":                       app.post(speedLimitPath(missingTask), `{"speed_limit":[]}`),
		"ShowConfigSetting":                 app.get(configPath(missingTask)),
		"UploadSpecialConfigurationSetting": app.post(configPath(missingTask), `{"configurations":[]}`),
		"ShowPassphrase":                    app.get("/v3/tasks/" + missingTask + "/passphrase"),
		"ShowCertKey":                       app.get("/v3/tasks/" + missingTask + "/certkey"),
	} {
		t.Run(name, func(t *testing.T) {
			if got := wantError(t, rec, http.StatusNotFound, "SMS.9002", msg); got != msg {
				t.Errorf("error_msg %q, want %q", got, msg)
			}
		})
	}
	// A body the API refuses is refused first, whatever the task.
	wantError(t, app.post(speedLimitPath(missingTask), `{}`), http.StatusBadRequest, "SMS.9001", "speed_limit is required")
	wantError(t, app.get(speedLimitPath("a%2Fb")), http.StatusBadRequest, "SMS.9001", "the path must not hold an encoded '/'")
}

func TestSettingsQueries(t *testing.T) {
	app := newTestApp(t)
	for _, c := range []struct{ target, wantMsg string }{
		{speedLimitPath(readyTask) + "?x=1", "x is not a query parameter of this endpoint"},
		{"/v3/tasks/" + readyTask + "/passphrase?task_id=1", "task_id is not a query parameter of this endpoint"},
		{configPath(readyTask) + "?limit=1", "limit is not a query parameter of ShowConfigSetting"},
		{configPath(readyTask) + "?config_key=A&config_key=B", "config_key appears more than once"},
		{configPath(readyTask) + "?config_key=BOGUS", "config_key must be one of the 17 documented values"},
		{configPath(readyTask) + "?config_key=dynamic_port", "config_key must be DYNAMIC_PORT (values are case-sensitive)"},
		{"/v3/tasks/" + readyTask + "/certkey?enable_ca_cert=yes", "enable_ca_cert must be true or false"},
		{"/v3/tasks/" + readyTask + "/certkey?enable_ca_cert=TRUE", "enable_ca_cert must be true or false"},
		{"/v3/tasks/" + readyTask + "/certkey?ca=true", "ca is not a query parameter of ShowCertKey"},
	} {
		t.Run(c.target, func(t *testing.T) {
			wantError(t, app.get(c.target), http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+c.wantMsg)
		})
	}
}

func TestConfigSettings(t *testing.T) {
	app := newTestApp(t)
	path := configPath(linuxFileTask)

	rec := app.get(path)
	wantBody(t, rec, `{"task_id":"`+linuxFileTask+`","migrate_type":"LINUX_MIGRATE_FILE","configurations":[]}`)

	rec = app.post(path, `{"configurations":[
		{"config_key":"SYNC_EXCLUDE_DIR","config_value":"/tmp,/var/cache","config_status":"ok"},
		{"config_key":"MIGRATE_EXCLUDE_DIR","config_value":"/proc"}]}`)
	wantBody(t, rec, `{}`)
	// A key set again is replaced whole (its status too); the others stay; the answer is by key.
	rec = app.post(path, `{"configurations":[
		{"config_key":"SYNC_EXCLUDE_DIR","config_value":"/tmp"},
		{"config_key":"DYNAMIC_PORT","config_value":"","config_status":"新"}]}`)
	wantBody(t, rec, `{}`)
	rec = app.post(path, `{"configurations":[]}`)
	wantBody(t, rec, `{}`)

	rec = app.get(path)
	wantBody(t, rec, `{"task_id":"`+linuxFileTask+`","migrate_type":"LINUX_MIGRATE_FILE","configurations":[`+
		`{"config_key":"DYNAMIC_PORT","config_value":"","config_status":"新"},`+
		`{"config_key":"MIGRATE_EXCLUDE_DIR","config_value":"/proc"},`+
		`{"config_key":"SYNC_EXCLUDE_DIR","config_value":"/tmp"}]}`)
	rec = app.get(path + "?config_key=MIGRATE_EXCLUDE_DIR")
	wantBody(t, rec, `{"task_id":"`+linuxFileTask+`","migrate_type":"LINUX_MIGRATE_FILE","configurations":[`+
		`{"config_key":"MIGRATE_EXCLUDE_DIR","config_value":"/proc"}]}`)
	rec = app.get(path + "?config_key=LINUX_IO_LIMIT")
	wantBody(t, rec, `{"task_id":"`+linuxFileTask+`","migrate_type":"LINUX_MIGRATE_FILE","configurations":[]}`)

	// Another task's options are its own; migrate_type follows its OS and type.
	for id, want := range map[string]string{linuxBlockTask: "LINUX_MIGRATE_BLOCK", windowsTask: "WINDOWS_MIGRATE_BLOCK"} {
		rec = app.get(configPath(id))
		wantBody(t, rec, `{"task_id":"`+id+`","migrate_type":"`+want+`","configurations":[]}`)
	}
}

// A task a seed file gave options (special_config) shows them, each replaced by the option of
// its key set over the API; migrate_type comes from its source's OS when it has none of its own,
// and is left out when the type is not known either.
func TestConfigSettingsOfASeededTask(t *testing.T) {
	app := newTestApp(t)
	tasks := []sms.Task{{
		ID: ptr("seeded"), Name: ptr("seeded"), State: ptr("READY"), Type: ptr("MIGRATE_BLOCK"),
		SourceServer: &sms.TaskSourceServer{ID: ptr("src-seeded"), OsType: ptr("LINUX")},
		SpecialConfig: []sms.ConfigBody{
			{ConfigKey: ptr("ONLY_SYNC_DIR"), ConfigValue: ptr("/data"), ConfigStatus: ptr("seeded")},
			{ConfigKey: ptr("LINUX_CPU_LIMIT"), ConfigValue: ptr("50")},
			{ConfigValue: ptr("no key: left out")},
		},
	}, {
		ID: ptr("untyped"), Name: ptr("untyped"), State: ptr("READY"),
		SourceServer: &sms.TaskSourceServer{ID: ptr("src-untyped"), OsType: ptr("LINUX")},
	}}
	if err := app.store.Import(context.Background(), tasks); err != nil {
		t.Fatal(err)
	}
	rec := app.post(configPath("seeded"), `{"configurations":[{"config_key":"LINUX_CPU_LIMIT","config_value":"80"}]}`)
	wantBody(t, rec, `{}`)
	rec = app.get(configPath("seeded"))
	wantBody(t, rec, `{"task_id":"seeded","migrate_type":"LINUX_MIGRATE_BLOCK","configurations":[`+
		`{"config_key":"LINUX_CPU_LIMIT","config_value":"80"},`+
		`{"config_key":"ONLY_SYNC_DIR","config_value":"/data","config_status":"seeded"}]}`)
	rec = app.get(configPath("seeded") + "?config_key=ONLY_SYNC_DIR")
	wantBody(t, rec, `{"task_id":"seeded","migrate_type":"LINUX_MIGRATE_BLOCK","configurations":[`+
		`{"config_key":"ONLY_SYNC_DIR","config_value":"/data","config_status":"seeded"}]}`)
	rec = app.get(configPath("untyped"))
	wantBody(t, rec, `{"task_id":"untyped","configurations":[]}`)
}

// configLimitCases are UploadSpecialConfigurationSetting's limits: wantMsg empty for a body taken.
var configLimitCases = []struct {
	name, body, wantMsg string
}{
	{"no options", `{"configurations":[]}`, ""},
	{"ten options", `{"configurations":[` + configs(10) + `]}`, ""},
	{"eleven options", `{"configurations":[` + configs(11) + `]}`, "configurations must have at most 10 items"},
	{"no configurations", `{}`, "configurations is required"},
	{"null configurations", `{"configurations":null}`, "configurations is required"},
	{"null option", `{"configurations":[null]}`, "configurations[0] must be an object"},
	{"unknown member", `{"configurations":[],"task_id":"x"}`, "task_id is not a field of the UploadSpecialConfigurationSetting request body"},
	{"no key", `{"configurations":[{"config_value":"x"}]}`, "configurations[0].config_key is required"},
	{"no value", `{"configurations":[{"config_key":"DYNAMIC_PORT"}]}`, "configurations[0].config_value is required"},
	{"null value", `{"configurations":[{"config_key":"DYNAMIC_PORT","config_value":null}]}`, "configurations[0].config_value is required"},
	{"unknown key", `{"configurations":[{"config_key":"EXCLUDE_MIGRATE_PATH","config_value":"x"}]}`, "configurations[0].config_key must be one of the 17 documented values"},
	{"key in lower case", `{"configurations":[{"config_key":"only_sync_dir","config_value":"x"}]}`, "configurations[0].config_key must be ONLY_SYNC_DIR (values are case-sensitive)"},
	{"the SDK's extra key", `{"configurations":[{"config_key":"INSTALL_PWD_AGENT","config_value":"true"}]}`, ""},
	{"key twice", `{"configurations":[{"config_key":"DYNAMIC_PORT","config_value":"1"},{"config_key":"NUM_PROCESS_SYNC","config_value":"2"},{"config_key":"DYNAMIC_PORT","config_value":"3"}]}`,
		"configurations[2].config_key (DYNAMIC_PORT) is configurations[0]'s too"},
	{"empty value", `{"configurations":[{"config_key":"DYNAMIC_PORT","config_value":""}]}`, ""},
	{"value of 1024", `{"configurations":[{"config_key":"MIGRATE_EXCLUDE_DIR","config_value":"` + strings.Repeat("目", 1024) + `"}]}`, ""},
	{"value of 1025", `{"configurations":[{"config_key":"MIGRATE_EXCLUDE_DIR","config_value":"` + strings.Repeat("d", 1025) + `"}]}`, "configurations[0].config_value must be at most 1024 characters long"},
	{"value with a control character", `{"configurations":[{"config_key":"MIGRATE_EXCLUDE_DIR","config_value":"a\u0000b"}]}`, "configurations[0].config_value must not contain control characters"},
	{"value a number", `{"configurations":[{"config_key":"LINUX_CPU_LIMIT","config_value":50}]}`, "configurations[0].config_value must be a String"},
	{"status of 255", `{"configurations":[{"config_key":"DYNAMIC_PORT","config_value":"1","config_status":"` + strings.Repeat("s", 255) + `"}]}`, ""},
	{"status of 256", `{"configurations":[{"config_key":"DYNAMIC_PORT","config_value":"1","config_status":"` + strings.Repeat("s", 256) + `"}]}`, "configurations[0].config_status must be at most 255 characters long"},
}

// configs is n options of distinct keys.
func configs(n int) string {
	keys := []string{"MIGRATE_EXCLUDE_DIR", "SYNC_EXCLUDE_DIR", "ONLY_SYNC_DIR", "CONSISTENCY_DIR",
		"CONSISTENCY_DIR_ILLEGAL", "LINUX_BLOCK_COMPRESS_THREAD_NUM", "MIGRATE_DST_IP",
		"LINUX_BLOCK_CACHE_SIZE", "LINUX_CPU_LIMIT", "LINUX_MEM_LIMIT", "LINUX_IO_LIMIT"}
	cs := make([]string, n)
	for i := range cs {
		cs[i] = fmt.Sprintf(`{"config_key":%q,"config_value":"%d"}`, keys[i], i)
	}
	return strings.Join(cs, ",")
}

func TestUploadConfigurationLimits(t *testing.T) {
	app := newTestApp(t)
	path := configPath(linuxFileTask)
	for _, c := range configLimitCases {
		t.Run(c.name, func(t *testing.T) {
			before := app.get(path).Body.String()
			rec := app.post(path, c.body)
			if c.wantMsg == "" {
				wantBody(t, rec, `{}`)
				// Each option taken is shown as it was sent.
				var sent sms.ConfigurationRequest
				if err := json.Unmarshal([]byte(c.body), &sent); err != nil {
					t.Fatal(err)
				}
				for _, s := range sent.Configurations {
					rec := app.get(path + "?config_key=" + *s.ConfigKey)
					want := `{"task_id":"` + linuxFileTask + `","migrate_type":"LINUX_MIGRATE_FILE","configurations":[` + jsonOf(t, s) + `]}`
					wantBody(t, rec, want)
				}
				return
			}
			wantError(t, rec, http.StatusBadRequest, "SMS.9001", "Invalid parameter: "+c.wantMsg)
			if after := app.get(path).Body.String(); after != before {
				t.Errorf("a refused request changed the options:\n%s\nwant %s", after, before)
			}
		})
	}
}

func TestPassphrase(t *testing.T) {
	var logged bytes.Buffer
	var mu sync.Mutex
	app := newTestAppWith(t, handlers.Config{})
	// Every request logged, successes too: the secrets must be in none of it.
	app.e = handlers.New(handlers.Config{Store: app.store, Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	show := func(id string) sms.PassphraseResponse {
		t.Helper()
		rec := app.get("/v3/tasks/" + id + "/passphrase")
		var resp sms.PassphraseResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp, json.RejectUnknownMembers(true)); rec.Code != http.StatusOK || err != nil {
			t.Fatalf("ShowPassphrase %s: %d %s (%v)", id, rec.Code, rec.Body, err)
		}
		if resp.TaskID != id || len(resp.Passphrase) != 26 || strings.Trim(resp.Passphrase, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("ShowPassphrase %s: %+v, want the task id and 26 characters of base32", id, resp)
		}
		return resp
	}
	first := show(linuxFileTask)
	if again := show(linuxFileTask); again != first {
		t.Errorf("the passphrase changed: %q, then %q", first.Passphrase, again.Passphrase)
	}
	other := show(windowsTask)
	if other.Passphrase == first.Passphrase {
		t.Error("two tasks have the same passphrase")
	}
	// The certificates come with the passphrase; asking for them keeps it.
	certKey := app.get("/v3/tasks/" + linuxFileTask + "/certkey?enable_ca_cert=true")
	if again := show(linuxFileTask); again != first {
		t.Errorf("the passphrase changed after ShowCertKey: %q, then %q", first.Passphrase, again.Passphrase)
	}
	var ck sms.CertKeyResponse
	if err := json.Unmarshal(certKey.Body.Bytes(), &ck); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), "/passphrase") {
		t.Fatalf("the requests were not logged: %s", logged.String())
	}
	for _, secret := range []string{first.Passphrase, other.Passphrase, keyBody(ck.PrivateKey), keyBody(ck.TargetDataPrivateKey)} {
		if strings.Contains(logged.String(), secret) {
			t.Errorf("the log holds a secret: %s", logged.String())
		}
	}
}

type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// keyBody is a line of a PEM key's base64, which a log would hold if it held the key.
func keyBody(key string) string {
	lines := strings.Split(key, "\n")
	if len(lines) < 2 {
		return key
	}
	return lines[1]
}

func TestCertKey(t *testing.T) {
	app := newTestApp(t)
	show := func(query string) (sms.CertKeyResponse, string) {
		t.Helper()
		rec := app.get("/v3/tasks/" + linuxBlockTask + "/certkey" + query)
		var resp sms.CertKeyResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp, json.RejectUnknownMembers(true)); rec.Code != http.StatusOK || err != nil {
			t.Fatalf("ShowCertKey%s: %d %s (%v)", query, rec.Code, rec.Body, err)
		}
		return resp, rec.Body.String()
	}
	withCA, _ := show("?enable_ca_cert=true")
	if withCA.CA == nil {
		t.Fatal("enable_ca_cert=true: no ca")
	}
	ca := parseCert(t, *withCA.CA)
	if !ca.IsCA || ca.Subject.CommonName != linuxBlockTask || ca.Subject.OrganizationalUnit[0] != certs.UnitCA ||
		ca.CheckSignatureFrom(ca) != nil {
		t.Errorf("CA: %v, IsCA %v", ca.Subject, ca.IsCA)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, p := range []struct{ unit, cert, key string }{
		{certs.UnitSource, withCA.Cert, withCA.PrivateKey},
		{certs.UnitTargetMgmt, withCA.TargetMgmtCert, withCA.TargetMgmtPrivateKey},
		{certs.UnitTargetData, withCA.TargetDataCert, withCA.TargetDataPrivateKey},
	} {
		cert := parseCert(t, p.cert)
		if cert.Subject.CommonName != linuxBlockTask || len(cert.Subject.OrganizationalUnit) != 1 || cert.Subject.OrganizationalUnit[0] != p.unit {
			t.Errorf("%s: subject %v", p.unit, cert.Subject)
		}
		pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() {
			t.Errorf("%s: key %T, want ECDSA P-256", p.unit, cert.PublicKey)
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: testNow,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("%s: not signed by the task's CA: %v", p.unit, err)
		}
		if _, err := tls.X509KeyPair([]byte(p.cert), []byte(p.key)); err != nil {
			t.Errorf("%s: the key is not the certificate's: %v", p.unit, err)
		}
		if block, _ := pem.Decode([]byte(p.key)); block == nil || block.Type != "PRIVATE KEY" {
			t.Errorf("%s: key is not a PKCS #8 PEM block", p.unit)
		}
	}
	// The same material on every call; the CA only when asked for.
	without, body := show("")
	if without.CA != nil || strings.Contains(body, `"ca"`) {
		t.Errorf("ca without enable_ca_cert: %s", body)
	}
	withCA.CA = nil
	if without != withCA {
		t.Error("the material changed between two calls")
	}
	if f, _ := show("?enable_ca_cert=false"); f != without {
		t.Error("enable_ca_cert=false answers differently from no query")
	}
	other := app.get("/v3/tasks/" + windowsTask + "/certkey")
	if strings.Contains(other.Body.String(), keyBody(without.PrivateKey)) {
		t.Error("two tasks share a key")
	}
}

func parseCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	block, rest := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("not one PEM certificate: %q", s)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
