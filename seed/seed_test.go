package seed_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"smslab/seed"
	"smslab/sms"
)

// A file with none of the arrays a seed file loads is refused, saying what it holds instead.
func TestParseRefusesAFileWithoutArrays(t *testing.T) {
	dec := sms.NewDecoder()
	for file, want := range map[string]string{
		`{}`:                                    "the file holds none of the arrays a seed file loads (migprojects, sources, templates, tasks): it is an empty object",
		`{"task":[{"id":"a","state":"READY"}]}`: "the file holds none of the arrays a seed file loads (migprojects, sources, templates, tasks): only task",
		`{"count":3,"items":[]}`:                "the file holds none of the arrays a seed file loads (migprojects, sources, templates, tasks): only count, items",
	} {
		_, err := seed.Parse(dec, []byte(file))
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", file, err, want)
		}
	}
	for _, file := range []string{`{"tasks":[]}`, `{"sources":[]}`, `{"migprojects":[],"count":0}`, `{"templates":[]}`} {
		if _, err := seed.Parse(dec, []byte(file)); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

// Members smslab does not know are listed by JSON path, in document order, and ignored.
func TestParseListsUnknownFields(t *testing.T) {
	f, err := seed.Parse(sms.NewDecoder(), []byte(`{
		"tasks": [{"id": "a", "state": "READY", "nmae": "x", "source_server": {"id": "s", "rack": 4}}],
		"exported_at": "2026-11-23",
		"sources": [{"id": "s", "name": "web", "disks": [{"name": "/dev/vda", "vendor": "virtio"}], "current_task": {"id": "a", "foo": 1}}],
		"migprojects": [{"id": "p", "name": "wave", "owner": "me"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tasks[0].nmae", "tasks[0].source_server.rack", "exported_at", "sources[0].disks[0].vendor",
		"sources[0].current_task.foo", "migprojects[0].owner"}
	if !slices.Equal(f.Unknown, want) {
		t.Errorf("unknown fields %q, want %q", f.Unknown, want)
	}
	if f.Tasks[0].Name != nil {
		t.Errorf("a misspelt name was taken: %q", *f.Tasks[0].Name)
	}

	var tasks []string
	for i := range 25 {
		tasks = append(tasks, fmt.Sprintf(`{"id":"t%d","state":"READY","new_field":1}`, i))
	}
	f, err = seed.Parse(sms.NewDecoder(), []byte(`{"tasks":[`+strings.Join(tasks, ",")+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	report := f.UnknownReport()
	if len(report) != 21 || report[0] != "tasks[0].new_field" || report[19] != "tasks[19].new_field" || report[20] != "and 5 more" {
		t.Errorf("report of 25 unknown fields: %q", report)
	}
}

// Ids are unique within each array; a task's source id keeps the source id rule.
func TestParseChecksIDs(t *testing.T) {
	dec := sms.NewDecoder()
	for file, want := range map[string]string{
		`{"sources":[{"id":"s"},{"id":"s"}]}`:                                 "sources[1].id repeats the id of sources[0] (s)",
		`{"migprojects":[{"id":"p","name":"a"},{"id":"p","name":"b"}]}`:       "migprojects[1].id repeats the id of migprojects[0] (p)",
		`{"sources":[{"id":"overview"}]}`:                                     "sources[0].id must not be overview or delete, which name other routes under /v3/sources",
		`{"sources":[{"name":"x"}]}`:                                          "sources[0].id is required",
		`{"migprojects":[{"id":"p"}]}`:                                        "migprojects[0].name is required",
		`{"migprojects":[{"id":"p","name":"a b"}]}`:                           "migprojects[0].name may hold only letters, digits, underscores (_) and hyphens (-)",
		`{"tasks":[{"id":"t","state":"READY","source_server":{"id":"a/b"}}]}`: "tasks[0].source_server.id must not contain '/'",
		`{"sources":[{"id":"s","disks":[{"size":-1}]}]}`:                      "sources[0].disks[0].size must be at least 0",
		`{"templates":[{"id":"a","name":"x"},{"id":"a","name":"y"}]}`:         "templates[1].id repeats the id of templates[0] (a)",
		`{"templates":[{"id":"a","name":"x"},{"id":"b","name":"x"}]}`:         "templates[1].name repeats the name of templates[0] (x)",
		`{"templates":[{"id":"a/b","name":"x"}]}`:                             "templates[0].id must not contain '/'",
	} {
		_, err := seed.Parse(dec, []byte(file))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", file, err, want)
		}
	}
	// Values only a response carries load outside the documented lists.
	if _, err := seed.Parse(dec, []byte(`{"sources":[{"id":"s","state":"AVAILABLE","migration_cycle":"done"}]}`)); err != nil {
		t.Errorf("a source state outside the list: %v", err)
	}
}

// The demo set holds what the docs say: two projects, Linux and Windows sources, some without
// a task, a source for every task, and a server template in the projects' region.
func TestDemo(t *testing.T) {
	f, err := seed.Load(sms.NewDecoder(), seed.Demo)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Unknown) > 0 {
		t.Errorf("the demo holds unknown fields: %v", f.Unknown)
	}
	if len(f.Migprojects) != 2 {
		t.Errorf("%d projects, want 2", len(f.Migprojects))
	}
	if len(f.Templates) != 1 || *f.Templates[0].Region != *f.Migprojects[0].Region {
		t.Errorf("templates %+v, want one in region %s", f.Templates, *f.Migprojects[0].Region)
	}
	sources := map[string]sms.Source{}
	osTypes := map[string]int{}
	for _, s := range f.Sources {
		sources[*s.ID] = s
		osTypes[*s.OsType]++
		if len(s.Disks) == 0 || len(s.Networks) == 0 || s.AgentVersion == nil {
			t.Errorf("source %s: not what an agent registers", *s.ID)
		}
	}
	withTask := map[string]bool{}
	for _, task := range f.Tasks {
		id := *task.SourceServer.ID
		if _, ok := sources[id]; !ok {
			t.Errorf("task %s: its source %s is not in the demo's sources", *task.ID, id)
		}
		withTask[id] = true
	}
	if osTypes["LINUX"] == 0 || osTypes["WINDOWS"] == 0 || len(sources)-len(withTask) < 2 {
		t.Errorf("sources by OS %v; %d of %d without a task", osTypes, len(sources)-len(withTask), len(sources))
	}
}

// The demo's dates are placed relative to the moment it is seeded: nothing is in the future but
// estimates, nothing older than DemoHistory, every sub-task starts after its task was created and
// ends after it starts, a finished task took no longer than it has existed, and the running
// tasks' current steps started within the last hour.
func TestDemoDatesFollowTheClock(t *testing.T) {
	for _, now := range []time.Time{time.Now(), time.Date(2031, 5, 4, 3, 2, 1, 0, time.UTC)} {
		f, err := seed.DemoAt(sms.NewDecoder(), now)
		if err != nil {
			t.Fatal(err)
		}
		ms, oldest := now.UnixMilli(), now.Add(-seed.DemoHistory).UnixMilli()
		within := func(what string, at *int64) {
			if at != nil && (*at > ms || *at < oldest) {
				t.Errorf("%s: %s, not within the %s before %s", what, time.UnixMilli(*at).UTC(), seed.DemoHistory, now.UTC())
			}
		}
		for _, s := range f.Sources {
			within("source "+*s.Name+" add_date", s.AddDate)
		}
		for _, task := range f.Tasks {
			name := *task.Name
			within(name+" create_date", task.CreateDate)
			if task.TotalTime != nil && *task.TotalTime > ms-*task.CreateDate {
				t.Errorf("%s: total_time %d ms, but it was created %d ms ago", name, *task.TotalTime, ms-*task.CreateDate)
			}
			if eta := task.EstimateCompleteTime; eta != nil && *eta <= ms {
				t.Errorf("%s: estimated to complete in the past", name)
			}
			for _, st := range task.SubTasks {
				within(name+" "+*st.Name+" start_date", st.StartDate)
				within(name+" "+*st.Name+" end_date", st.EndDate)
				if st.StartDate != nil && *st.StartDate < *task.CreateDate || st.EndDate != nil && (st.StartDate == nil || *st.EndDate < *st.StartDate) {
					t.Errorf("%s: sub-task %s runs from %v to %v, created at %d", name, *st.Name, st.StartDate, st.EndDate, *task.CreateDate)
				}
				if *task.State == "RUNNING" && st.StartDate != nil && st.EndDate == nil && ms-*st.StartDate > time.Hour.Milliseconds() {
					t.Errorf("%s: the running sub-task %s started %s ago", name, *st.Name, time.Duration(ms-*st.StartDate)*time.Millisecond)
				}
			}
		}
	}
}
