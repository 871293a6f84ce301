package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
)

const (
	appBillingTaskID = "3f6e1d2c-8b4a-4c5d-9e7f-000000000004" // demo: RUNNING, Linux file
	fileShareTaskID  = "3f6e1d2c-8b4a-4c5d-9e7f-000000000006" // demo: SYNCING
)

type wallRow struct {
	ID, State, Group, Health string
	HealthReason             *string `json:"health_reason"`
	Copying                  bool
}

// The wall's totals sum what the tasks reported, its throughput leaves out the stalled and
// disconnected ones, and its order puts the failed tasks first, then the stalled, then the
// disconnected, then the running ones, then the rest.
func TestStatusWaveAndWall(t *testing.T) {
	app := newTestApp(t)
	clock := testNow
	app.store.Now = func() time.Time { return clock }
	report := func(id, subTask string, progress int, done, total int64, speed float64) {
		t.Helper()
		rec := app.put("/v3/tasks/"+id+"/progress", fmt.Sprintf(`{"subtask_name":%q,"progress":%d,"replicatesize":%d,`+
			`"totalsize":%d,"process_trace":"","migrate_speed":%g}`, subTask, progress, done, total, speed))
		if rec.Code != http.StatusOK {
			t.Fatalf("report on %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	// Every second for five seconds: db-orders copies at 400 Mbit/s, app-billing at 0 from the
	// third, file-share syncs at 100 and falls silent after the second.
	for i := range 5 {
		report(dbOrdersTaskID, "MIGRATE_LINUX_BLOCK", 70, 700<<20, 1000<<20, 400)
		speed := 50.0
		if i >= 2 {
			speed = 0
		}
		report(appBillingTaskID, "MIGRATE_LINUX_FILE", 20, 200<<20, 1000<<20, speed)
		if i < 2 {
			report(fileShareTaskID, "SYNC_WINDOWS_BLOCK", 60, 60<<20, 100<<20, 100)
		}
		clock = clock.Add(time.Second)
	}
	clock = clock.Add(time.Second) // file-share: silent for 5 s, app-billing at 0 for 4 s

	var wave struct {
		Tasks, Stalled, Disconnected, Sized, Replicated, Total, Copying int64
		Throughput                                                      float64
		EndEstimate                                                     *int64 `json:"end_estimate"`
		Now                                                             int64
		History                                                         []struct{ Mbps float64 }
	}
	rec := app.get("/status/wave")
	if err := json.Unmarshal(rec.Body.Bytes(), &wave, json.MatchCaseInsensitiveNames(true)); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("GET /status/wave: %d %s %v", rec.Code, rec.Body, err)
	}
	replicated, total := int64(700+200+60)<<20, int64(1000+1000+100)<<20
	if wave.Tasks != 19 || wave.Stalled != 1 || wave.Disconnected != 1 || wave.Sized != 3 ||
		wave.Replicated != replicated || wave.Total != total || wave.Copying != 1 || wave.Throughput != 400 ||
		len(wave.History) != 1 || wave.History[0].Mbps != 400 {
		t.Errorf("wave %s", rec.Body)
	}
	if want := wave.Now + (total-replicated)*8*1000/400e6; wave.EndEstimate == nil || *wave.EndEstimate != want {
		t.Errorf("end estimate %v, want %d", wave.EndEstimate, want)
	}

	var page struct {
		Count int64
		Tasks []wallRow
	}
	rec = app.get("/status/wall?limit=8")
	if err := json.Unmarshal(rec.Body.Bytes(), &page, json.MatchCaseInsensitiveNames(true)); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("GET /status/wall: %d %s %v", rec.Code, rec.Body, err)
	}
	var order []string
	for _, r := range page.Tasks {
		order = append(order, r.Group+"/"+r.Health)
	}
	want := []string{"failed/", "failed/", "running/stalled", "syncing/disconnected", "running/", "running/", "running/", "ready/"}
	if page.Count != 19 || !slices.Equal(order, want) || page.Tasks[2].ID != appBillingTaskID || page.Tasks[3].ID != fileShareTaskID {
		t.Errorf("wall order %q (count %d), want %q\n%s", order, page.Count, want, rec.Body)
	}
	if r := page.Tasks[2]; r.HealthReason == nil || *r.HealthReason != "copy rate 0 Mbit/s for 4.0 s" {
		t.Errorf("stalled reason %v", r.HealthReason)
	}
	if r := page.Tasks[3]; r.HealthReason == nil || *r.HealthReason != "agent not polling: nothing for 5.0 s, 5 times its usual 1.0 s" {
		t.Errorf("disconnected reason %v", r.HealthReason)
	}

	// The wall pages through every task once.
	seen := map[string]bool{}
	for offset := 0; offset < 19; offset += 5 {
		rec = app.get(fmt.Sprintf("/status/wall?offset=%d&limit=5", offset))
		page.Tasks = nil
		if err := json.Unmarshal(rec.Body.Bytes(), &page, json.MatchCaseInsensitiveNames(true)); err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Tasks {
			seen[r.ID] = true
		}
	}
	if len(seen) != 19 {
		t.Errorf("paging through the wall showed %d tasks, want 19", len(seen))
	}

	for _, c := range []struct{ query, msg string }{
		{"?limit=0", "limit"}, {"?limit=201", "limit"}, {"?offset=-1", "offset"}, {"?offset=x", "offset"}, {"?state=failed", "state"},
	} {
		if rec := app.get("/status/wall" + c.query); rec.Code != http.StatusBadRequest {
			t.Errorf("GET /status/wall%s: %d %s", c.query, rec.Code, rec.Body)
		}
	}
	if rec := app.get("/status/wave?x=1"); rec.Code != http.StatusBadRequest {
		t.Errorf("GET /status/wave?x=1: %d", rec.Code)
	}
}
