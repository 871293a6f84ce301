package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/sms"
)

// agentState is what one simulated agent knows smslab answered 200 for: the command it expects
// to be pending (queued by an action, or delivered and not answered yet), the results answered,
// and the request it had in flight when smslab was killed.
type agentState struct {
	source, task string
	outstanding  string // START, STOP or ""
	results      int
	inflight     string // "", "action <cmd>", "poll", "answer"
}

// TestKillDuringCommandDeliveryLosesNothing runs agents that start and stop their tasks through
// the command channel while smslab is killed with SIGKILL, then restarts it on the same file: every
// result answered 200 is on its task's timeline, and once each agent registers again (as a
// restarted agent does) it gets the command it was owed, whether it had been delivered or not.
func TestKillDuringCommandDeliveryLosesNothing(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "commands.db")
	p := startBinary(t, nil, "-db", dbPath)
	s := &server{url: p.url}
	const agents = 8
	states := make([]*agentState, agents)
	for i := range states {
		src := fmt.Sprintf("kill-src-%d", i)
		if status, body := s.do(t, "POST", "/v3/sources", registration(src)); status != http.StatusOK {
			t.Fatalf("register: %d %s", status, body)
		}
		status, body := s.do(t, "POST", "/v3/tasks", `{"name":"kill-`+src+`","type":"MIGRATE_FILE","source_server":{"id":"`+src+`"},`+
			`"target_server":{"name":"","vm_id":""},"region_name":"r","region_id":"r","project_name":"r","project_id":"p"}`)
		if status != http.StatusOK {
			t.Fatalf("create: %d %s", status, body)
		}
		var created struct {
			ID string `json:"id"`
		}
		json.Unmarshal(body, &created)
		states[i] = &agentState{source: src, task: created.ID}
	}

	var answered, killed atomic.Int64
	killAt, reached := 40+rand.Int64N(120), make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for _, a := range states {
		wg.Go(func() {
			try := func(method, path, body, what string) (string, bool) {
				a.inflight = what
				status, resp, err := request(p.url, method, path, body)
				if err != nil || killed.Load() == 1 {
					return "", false // the kill: what is in flight stays in flight
				}
				if status != http.StatusOK {
					t.Errorf("%s %s: %d %s", method, path, status, resp)
					return "", false
				}
				a.inflight = ""
				if answered.Add(1) == killAt {
					once.Do(func() { close(reached) })
				}
				return string(resp), true
			}
			for cycle := 0; cycle < 12; cycle++ {
				for _, step := range [][2]string{{"start", "START"}, {"stop", "STOP"}} {
					if _, ok := try("POST", "/v3/tasks/"+a.task+"/action", `{"operation":"`+step[0]+`"}`, "action "+step[1]); !ok {
						return
					}
					a.outstanding = step[1]
					resp, ok := try("GET", "/v3/sources/"+a.source+"/command", "", "poll")
					if !ok {
						return
					}
					if !strings.Contains(resp, `"command_name":"`+step[1]+`"`) {
						t.Errorf("%s: poll after %s: %s", a.source, step[0], resp)
						return
					}
					if _, ok := try("POST", "/v3/sources/"+a.source+"/command_result", `{"command_name":"`+step[1]+`","result":"success","result_detail":{}}`, "answer"); !ok {
						return
					}
					a.outstanding, a.results = "", a.results+1
				}
			}
		})
	}
	select {
	case <-reached:
	case <-time.After(time.Minute):
		t.Fatalf("%d requests answered in a minute, want %d before the kill", answered.Load(), killAt)
	}
	killed.Store(1)
	p.kill(t, syscall.SIGKILL)
	wg.Wait()
	t.Logf("%d requests answered before SIGKILL", answered.Load())

	p = startBinary(t, nil, "-db", dbPath)
	s = &server{url: p.url}
	idle := []string{"", "TASK_NOT_STARTED", "TASK_HAS_STOPPED", "TASK_HAS_FINISHED"}
	for _, a := range states {
		status, body := s.do(t, "GET", "/v3/tasks/"+a.task, "")
		var task sms.ShowTask
		if err := json.Unmarshal(body, &task); status != http.StatusOK || err != nil {
			t.Fatalf("ShowTask %s: %d %v", a.task, status, err)
		}
		results := 0
		for _, e := range task.Timeline {
			if e.Event == "result" {
				results++
			}
		}
		if results < a.results {
			t.Errorf("%s: %d results on the timeline, %d were answered 200", a.task, results, a.results)
		}
		// The restarted agent registers again and polls: it gets what it is owed.
		if status, body := s.do(t, "POST", "/v3/sources", registration(a.source)); status != http.StatusOK {
			t.Fatalf("register again: %d %s", status, body)
		}
		_, body = s.do(t, "GET", "/v3/sources/"+a.source+"/command", "")
		var cmd sms.Command
		json.Unmarshal(body, &cmd)
		allowed := []string{a.outstanding}
		switch {
		case a.inflight == "answer":
			allowed = append(allowed, idle...)
		case strings.HasPrefix(a.inflight, "action "):
			allowed = append(idle, strings.TrimPrefix(a.inflight, "action "))
		case a.outstanding == "":
			allowed = idle
		}
		if !slices.Contains(allowed, cmd.CommandName) {
			t.Errorf("%s (owed %q, in flight %q): the poll after restart gave %q, want one of %q", a.source, a.outstanding, a.inflight, cmd.CommandName, allowed)
		}
	}
	p.kill(t, syscall.SIGTERM)
	integrityCheck(t, dbPath)
}

func registration(id string) string {
	return `{"id":"` + id + `","name":"` + id + `","ip":"10.6.0.1","os_type":"LINUX","os_version":"CENTOS_7_6_64BIT","agent_version":"24.3.0"}`
}

// request is one request that may fail, as every request does once smslab is killed.
func request(url, method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Auth-Token", "test")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
