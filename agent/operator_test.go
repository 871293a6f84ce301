package agent

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/auth"
	"smslab/lifecycle"
	"smslab/seed"
	"smslab/sms"
)

// smslab -demo's lab on the demo set, at a high speedup: the new sources' agents register, the
// operator creates four tasks from the template and starts them with the READY ones, stops the
// first and starts it again, and tests one that succeeded; the lab then settles with the
// demo's faults played.
func TestDemoLab(t *testing.T) {
	f, err := seed.Load(sms.NewDecoder(), seed.Demo)
	if err != nil {
		t.Fatal(err)
	}
	l := newLab(t, auth.Config{})
	if err := l.store.ImportSeed(context.Background(), &f.SeedFile); err != nil {
		t.Fatal(err)
	}
	cfg := DemoLab(l.url, Credentials{}, 2000)
	cfg.Interval = time.Minute
	stop := runInBackground(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	op := Operator{Server: l.url, Speedup: cfg.Speedup, Seed: cfg.Seed}
	if err := op.Run(ctx); err != nil {
		t.Fatalf("the operator: %v", err)
	}

	type shown struct {
		ID, Name, State string
		CloneServer     *struct{ Name string } `json:"clone_server"`
		VMTemplateID    string                 `json:"vm_template_id"`
		Timeline        []sms.TimelineEvent    `json:"timeline"`
	}
	show := func(id string) shown {
		status, body := l.do(t, http.MethodGet, "/v3/tasks/"+id, "")
		var s shown
		if err := json.Unmarshal([]byte(body), &s, json.MatchCaseInsensitiveNames(true)); status != 200 || err != nil {
			t.Fatalf("ShowTask %s: %d %s %v", id, status, body, err)
		}
		return s
	}
	c, err := newClient(l.url, http.DefaultClient, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	settled := func() []sms.Task {
		var tasks []sms.Task
		waitFor(t, "the lab to settle", func() bool {
			tasks, err = c.listTasks(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range tasks {
				switch *task.State {
				case lifecycle.Ready, lifecycle.Running, lifecycle.Syncing, lifecycle.Aborting:
					return false
				}
			}
			return true
		})
		return tasks
	}()
	created, tested, restarted := 0, 0, 0
	states := map[string]int{}
	for _, task := range settled {
		states[*task.State]++
		s := show(*task.ID)
		if strings.HasPrefix(s.Name, "demo_lab-") {
			created++
			if s.VMTemplateID != *f.Templates[0].ID {
				t.Errorf("%s: template %q", s.Name, s.VMTemplateID)
			}
		}
		if s.CloneServer != nil {
			tested++
		}
		var stops, starts int
		for _, ev := range s.Timeline {
			if ev.Event == "result" && ev.Name == lifecycle.CmdStop && ev.Detail == "success" {
				stops++
			}
			if ev.Event == "result" && ev.Name == lifecycle.CmdStart && ev.Detail == "success" {
				starts++
			}
		}
		if stops == 1 && starts == 2 {
			restarted++
		}
	}
	if created != DemoTasks || tested != 1 || restarted != 1 {
		t.Errorf("%d tasks created (want %d), %d tested (want 1), %d stopped and started again (want 1)", created, DemoTasks, tested, restarted)
	}
	if states[lifecycle.MigrateSuccess] < DemoTasks {
		t.Errorf("the lab settles with %v", states)
	}
	out := stop()
	if len(out) != 22+DemoSources {
		t.Errorf("%d agents, want one for each of the %d sources", len(out), 22+DemoSources)
	}
	faults := map[FaultKind]int{}
	for _, o := range out {
		for _, f := range o.Faults {
			faults[f.Kind]++
			if f.Kind == Fail && o.State != "" && o.State != lifecycle.MigrateFail && o.State != lifecycle.SyncFail {
				t.Errorf("%s failed by a fault is %s", o.Task.ID, o.State)
			}
		}
	}
	if faults[Fail] == 0 || faults[Stall] == 0 || faults[Disconnect] == 0 {
		t.Errorf("the demo's faults: %v", faults)
	}
}
