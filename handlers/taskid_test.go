package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/seed"
	"smslab/sms"
)

// Every place that takes a task id keeps one rule, in the same words: the task routes' and the
// status page's paths, ListTasks' and the status page's id query, UpdateTask's body and a seed file.
func TestTaskIDRuleIsTheSameEverywhere(t *testing.T) {
	app := newTestApp(t)
	dec := sms.NewDecoder()
	rules := []string{"must be at least 1 characters long", "must be at most 36 characters long",
		"must not contain control characters", "must be valid UTF-8", "must not contain '/'", `must not be "." or ".."`}
	places := []struct {
		name, field string
		inPath      bool // an empty id in a path is another route
		try         func(id string) (status int, msg string)
	}{
		{"PUT /v3/tasks/{task_id}/progress", "task_id", true, func(id string) (int, string) {
			return answer(app.put("/v3/tasks/"+url.PathEscape(id)+"/progress", `{}`))
		}},
		{"GET /status/tasks/{task_id}", "task_id", true, func(id string) (int, string) {
			return answer(app.get("/status/tasks/" + url.PathEscape(id)))
		}},
		{"GET /v3/tasks?id=", "id", false, func(id string) (int, string) {
			return answer(app.get("/v3/tasks?id=" + url.QueryEscape(id)))
		}},
		{"GET /status/task?id=", "id", false, func(id string) (int, string) {
			return answer(app.get("/status/task?id=" + url.QueryEscape(id)))
		}},
		{"UpdateTask's body", "id", false, func(id string) (int, string) {
			return answer(app.put("/v3/tasks/"+dbOrdersTaskID, `{"id":`+jsonString(id)+`}`))
		}},
		{"a seed file", "tasks[0].id", false, func(id string) (int, string) {
			if _, err := seed.Parse(dec, []byte(`{"tasks":[{"id":`+jsonString(id)+`,"state":"READY"}]}`)); err != nil {
				return http.StatusBadRequest, err.Error()
			}
			return http.StatusOK, ""
		}},
	}
	tests := []struct{ id, rule string }{
		{strings.Repeat("a", 36), ""},
		{strings.Repeat("任", 36), ""},
		{"a", ""},
		{strings.Repeat("a", 37), rules[1]},
		{"", rules[0]},
		{"tab\tid", rules[2]},
		{"line\nfeed", rules[2]},
		{"cr\rid", rules[2]},
		{"nul\x00id", rules[2]},
		{"del\x7fid", rules[2]},
		{"c1\u0085id", rules[2]},
		{"a/b", rules[4]},
		{"/", rules[4]},
		{".", rules[5]},
		{"..", rules[5]},
		{"...", ""},
		{".a", ""},
	}
	for _, tt := range tests {
		for _, p := range places {
			// An empty id in a path is another route; paths holding '/', "." or ".." in a segment
			// are refused before routing (TestPathRules).
			if p.inPath && (tt.id == "" || tt.rule == rules[4] || tt.rule == rules[5]) {
				continue
			}
			status, msg := p.try(tt.id)
			if tt.rule != "" {
				if want := p.field + " " + tt.rule; status != http.StatusBadRequest || !strings.Contains(msg, want) {
					t.Errorf("%s, id %q: %d %q, want 400 %q", p.name, tt.id, status, msg, want)
				}
				continue
			}
			for _, rule := range rules {
				if strings.Contains(msg, rule) {
					t.Errorf("%s, id %q: %q, but the id keeps the rule", p.name, tt.id, msg)
				}
			}
		}
	}
}

// answer is the status and the error_msg, if any, of an answer.
func answer(rec *httptest.ResponseRecorder) (int, string) {
	var env envelope
	_ = json.Unmarshal(rec.Body.Bytes(), &env)
	return rec.Code, env.Msg
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
