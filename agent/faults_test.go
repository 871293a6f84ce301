package agent

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec    string
		want    FaultSpec
		wantErr string
	}{
		{spec: "task=t-1,at=MIGRATE_LINUX_FILE:40,code=SMS.1805",
			want: FaultSpec{Kind: Fail, TaskID: "t-1", Stage: "MIGRATE_LINUX_FILE", Percent: 40, Code: "SMS.1805"}},
		{spec: "task=t-1", want: FaultSpec{Kind: Fail, TaskID: "t-1", Stage: "MIGRATE", Percent: -1}},
		{spec: "random=20%,at=SYNC", want: FaultSpec{Kind: Fail, Share: 20, Stage: "SYNC", Percent: -1}},
		{spec: "stall=t-2,at=MIGRATE:30,for=90s", want: FaultSpec{Kind: Stall, TaskID: "t-2", Stage: "MIGRATE", Percent: 30, For: 90 * time.Second}},
		{spec: "stall=50%", want: FaultSpec{Kind: Stall, Share: 50, Stage: "MIGRATE", Percent: -1, For: 10 * time.Minute}},
		{spec: " disconnect = 100% , at = CONFIGURE:0 ", want: FaultSpec{Kind: Disconnect, Share: 100, Stage: "CONFIGURE", Percent: 0, For: 2 * time.Minute}},

		{spec: "", wantErr: `"" is not key=value`},
		{spec: "explode=t-1", wantErr: "it must start with task=, random=, stall= or disconnect="},
		{spec: "at=MIGRATE,task=t-1", wantErr: "it must start with"},
		{spec: "task=", wantErr: `"task=" is not key=value`},
		{spec: "random=0%", wantErr: `random: "0%" must be a percentage from 1% to 100%`},
		{spec: "random=120%", wantErr: "must be a percentage"},
		{spec: "random=20", wantErr: "must be a percentage"},
		{spec: "stall=abc%", wantErr: "stall: \"abc%\" must be a percentage"},
		{spec: "task=t,at=COPY", wantErr: "at: COPY is not a sub-task any task runs"},
		{spec: "task=t,at=CLONE_VM", wantErr: "at: CLONE_VM is not a sub-task any task runs"},
		{spec: "task=t,at=MIGRATE:100", wantErr: `at: the progress "100" must be a whole number from 0 to 99`},
		{spec: "task=t,at=MIGRATE:x", wantErr: "must be a whole number"},
		{spec: "task=t,code=SMS.9999", wantErr: "code: SMS.9999 is not one of SMS.0204"},
		{spec: "task=t,for=1m", wantErr: "for is for stall= and disconnect="},
		{spec: "stall=t,code=SMS.1805", wantErr: "code is for failures"},
		{spec: "stall=t,for=-1m", wantErr: `for: "-1m" is not a positive duration`},
		{spec: "stall=t,for=soon", wantErr: "is not a positive duration"},
		{spec: "task=t,at=MIGRATE,at=SYNC", wantErr: "at is given twice"},
		{spec: "task=t,colour=red", wantErr: `unknown key "colour"`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFault(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, fmt.Sprintf("-fail %q: ", tt.spec)) {
					t.Errorf("error %q is not one line naming the spec", msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.text = tt.spec
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func mustParse(t *testing.T, specs ...string) []FaultSpec {
	t.Helper()
	var out []FaultSpec
	for _, s := range specs {
		f, err := ParseFault(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// wave is ten Linux file tasks and ten Windows block tasks, all READY.
func wave(t *testing.T) ([]Task, map[string]plan) {
	var tasks []Task
	plans := map[string]plan{}
	for i := range 20 {
		task := newTask(fmt.Sprintf("t-%02d", i), "MIGRATE_FILE", "LINUX", "READY")
		if i >= 10 {
			task.Type, task.OSType = "MIGRATE_BLOCK", "WINDOWS"
		}
		p, err := planFor(task)
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, task)
		plans[task.ID] = p
	}
	return tasks, plans
}

func TestResolveFaults(t *testing.T) {
	tasks, plans := wave(t)
	got, err := resolveFaults(mustParse(t,
		"task=t-03,at=MIGRATE:40",           // the task's own copy sub-task, its usual error
		"random=25%,at=CONFIGURE_WINDOWS:5", // only Windows tasks have it
		"stall=10%,for=1m",
	), tasks, plans, 9)
	if err != nil {
		t.Fatal(err)
	}
	want := Fault{Kind: Fail, SubTask: "MIGRATE_LINUX_FILE", Percent: 40, Error: mustError(t, "SMS.1805")}
	if f := got["t-03"]; len(f) == 0 || !reflect.DeepEqual(f[0], want) {
		t.Errorf("t-03: %v, want %v", f, want)
	}
	var windowsFails, stalls int
	for id, faults := range got {
		for _, f := range faults {
			switch {
			case f.Kind == Fail && f.SubTask == "CONFIGURE_WINDOWS":
				windowsFails++
				if id < "t-10" || f.Percent != 5 || f.Error.Code != "SMS.0210" {
					t.Errorf("%s: %v", id, f)
				}
			case f.Kind == Stall:
				stalls++
				if f.For != time.Minute || f.Percent < 5 || f.Percent > 95 || !strings.HasPrefix(f.SubTask, "MIGRATE_") {
					t.Errorf("%s: %v", id, f)
				}
			}
		}
	}
	// 25% of the 10 tasks that fit, rounded; 10% of 20.
	if windowsFails != 3 || stalls != 2 {
		t.Errorf("%d Windows failures and %d stalls, want 3 and 2", windowsFails, stalls)
	}

	again, _ := resolveFaults(mustParse(t, "task=t-03,at=MIGRATE:40", "random=25%,at=CONFIGURE_WINDOWS:5", "stall=10%,for=1m"), tasks, plans, 9)
	if !reflect.DeepEqual(got, again) {
		t.Error("the same seed chose differently")
	}
	other, _ := resolveFaults(mustParse(t, "random=25%,at=CONFIGURE_WINDOWS:5", "stall=10%,for=1m"), tasks, plans, 10)
	if reflect.DeepEqual(got, other) {
		t.Error("another seed chose the same")
	}

	// A small share still strikes one task.
	one, _ := resolveFaults(mustParse(t, "random=1%"), tasks, plans, 1)
	if len(one) != 1 {
		t.Errorf("1%% of 20 tasks struck %d", len(one))
	}
}

func TestResolveFaultsErrors(t *testing.T) {
	tasks, plans := wave(t)
	running := newTask("t-run", "MIGRATE_FILE", "LINUX", "RUNNING")
	for _, name := range []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE", "FORMAT_DISK_LINUX_FILE"} {
		running.Progress[name] = 100
	}
	running.Progress["MIGRATE_LINUX_FILE"] = 63
	p, err := planFor(running)
	if err != nil {
		t.Fatal(err)
	}
	tasks, plans["t-run"] = append(tasks, running), p

	tests := []struct{ spec, want string }{
		{"task=nope", `-fail "task=nope": task nope is not among the tasks this run migrates`},
		{"task=t-01,at=MIGRATE_WINDOWS_BLOCK", "task t-01 does not run MIGRATE_WINDOWS_BLOCK in this run"},
		{"task=t-01,at=SYNC", "task t-01 does not run SYNC in this run"},
		{"task=t-run,at=MIGRATE:40", "task t-run is past MIGRATE_LINUX_FILE 40% already (it resumes at 63%)"},
		{"task=t-run,at=SSL_CONFIG:10", "task t-run does not run SSL_CONFIG in this run"},
	}
	for _, tt := range tests {
		if _, err := resolveFaults(mustParse(t, tt.spec), tasks, plans, 1); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.spec, err, tt.want)
		}
	}
	// A share leaves out the tasks that do not fit; with none, it strikes none.
	got, err := resolveFaults(mustParse(t, "random=100%,at=MIGRATE:40"), tasks, plans, 1)
	if err != nil || len(got) != 20 || got["t-run"] != nil {
		t.Errorf("100%% at MIGRATE 40%%: %d tasks struck (t-run: %v), %v", len(got), got["t-run"], err)
	}
	if got, err := resolveFaults(mustParse(t, "random=50%,at=SYNC"), tasks, plans, 1); err != nil || len(got) != 0 {
		t.Errorf("50%% at SYNC, which no task runs: %v, %v", got, err)
	}
}

func mustError(t *testing.T, code string) SMSError {
	e, ok := lookupError(code)
	if !ok {
		t.Fatalf("no error %s", code)
	}
	return e
}
