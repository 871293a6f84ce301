package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheckDurability checks that the durability check accepts a task showing its last
// acknowledged report or the report in flight, and catches one showing an older report.
func TestCheckDurability(t *testing.T) {
	// What the restarted server shows: task -> sub-task -> trace.
	stored := map[string]map[string]string{
		taskID(1): {"SSL_CONFIG": "n2"},                            // the acknowledged report
		taskID(2): {"SSL_CONFIG": "n4"},                            // the report in flight
		taskID(3): {"SSL_CONFIG": "n5", "CLONE_VM": "n6"},          // in flight on another sub-task
		taskID(4): {"SSL_CONFIG": "n7"},                            // lost: n8 was acknowledged
		taskID(5): {"CREATE_CLOUD_SERVER": "n9", "SSL_CONFIG": ""}, // lost: n10 was acknowledged
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		type subTask struct {
			Name         string `json:"name"`
			ProcessTrace string `json:"process_trace"`
		}
		var sts []subTask
		for name, trace := range stored[r.URL.Query().Get("id")] {
			sts = append(sts, subTask{name, trace})
		}
		json.NewEncoder(w).Encode(map[string]any{"count": 1, "tasks": []any{map[string]any{"sub_tasks": sts}}})
	}))
	defer srv.Close()

	log := func(acked []report, inflight *report) *ackLog {
		l := &ackLog{acked: map[int]report{}}
		for _, r := range acked {
			l.acked[r.task] = r
			l.recent = append(l.recent, r.task)
		}
		if inflight != nil {
			l.inflight, l.pending = *inflight, true
		}
		return l
	}
	logs := []*ackLog{
		log([]report{{1, "SSL_CONFIG", "n1"}, {1, "SSL_CONFIG", "n2"}}, nil),
		log([]report{{2, "SSL_CONFIG", "n3"}}, &report{2, "SSL_CONFIG", "n4"}),
		log([]report{{3, "SSL_CONFIG", "n5"}}, &report{3, "CLONE_VM", "n6"}),
		log([]report{{4, "SSL_CONFIG", "n8"}}, nil),
		log([]report{{5, "SSL_CONFIG", "n10"}}, nil),
	}
	want := expectations(logs, 0, rand.New(rand.NewPCG(1, 1)))
	d := checkDurability(context.Background(), strings.TrimPrefix(srv.URL, "http://"), "X-Auth-Token", "t", want)
	if d.checked != 5 {
		t.Errorf("checked %d tasks, want 5", d.checked)
	}
	if len(d.failures) != 2 {
		t.Fatalf("failures %q, want tasks 4 and 5", d.failures)
	}
	for _, f := range d.failures {
		if !strings.Contains(f, taskID(4)) && !strings.Contains(f, taskID(5)) {
			t.Errorf("unexpected failure %q", f)
		}
	}
}

// The sample of older acknowledgements comes on top of every client's latest ones, however many
// of those there are.
func TestExpectationsSampleBesidesTheLatest(t *testing.T) {
	l := &ackLog{acked: map[int]report{}}
	for task := range 50 {
		l.acked[task] = report{task, "SSL_CONFIG", "n"}
	}
	for task := 40; task < 50; task++ {
		l.recent = append(l.recent, task)
	}
	for _, tt := range []struct{ sample, want int }{{0, 10}, {5, 15}, {40, 50}, {100, 50}} {
		want := expectations([]*ackLog{l}, tt.sample, rand.New(rand.NewPCG(1, 1)))
		if len(want) != tt.want {
			t.Errorf("sample %d: %d tasks to check, want %d", tt.sample, len(want), tt.want)
		}
		for task := 40; task < 50; task++ {
			if _, ok := want[task]; !ok {
				t.Errorf("sample %d: latest task %d not checked", tt.sample, task)
			}
		}
	}
}
