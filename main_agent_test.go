package main

import (
	"bytes"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	webTaskID   = "7a9a9540-ff28-4869-b9e4-855fbe12xxxx" // demo: READY, Linux file
	cacheTaskID = "3f6e1d2c-8b4a-4c5d-9e7f-000000000013" // demo: READY, Linux file
	mailTaskID  = "3f6e1d2c-8b4a-4c5d-9e7f-000000000008" // demo: MIGRATE_FAIL
)

// `smslab agent` migrates the tasks it is given through a strict server, with a token from the
// environment that never shows, prints a line per task and plays its faults.
func TestAgentCommand(t *testing.T) {
	const token = "agent-token-5b1e"
	s := startRun(t, map[string]string{"SMSLAB_TOKENS": token + ",test"}, "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "lab.db"))
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"smslab", "agent", "-server", s.url, "-tasks", webTaskID + "," + cacheTaskID,
		"-speedup", "1e9", "-seed", "3", "-interval", "5m", "-fail", "task=" + cacheTaskID + ",at=MIGRATE:50,code=SMS.2011"},
		func(k string) string { return map[string]string{"SMSLAB_AGENT_TOKEN": token}[k] }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("agent: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], webTaskID+" sms_task_web-01: MIGRATE_SUCCESS after ") ||
		!strings.HasPrefix(lines[1], cacheTaskID+" sms_task_cache-02: MIGRATE_FAIL after ") ||
		!strings.HasSuffix(lines[1], "; fail with SMS.2011 at MIGRATE_LINUX_FILE 50%") {
		t.Errorf("summary:\n%s", stdout.String())
	}
	tasks := s.list(t, "limit=200")
	for _, task := range tasks.Tasks {
		switch *task.ID {
		case webTaskID:
			if *task.State != "MIGRATE_SUCCESS" || task.TotalTime == nil {
				t.Errorf("web-01: %s, total_time %v", *task.State, show(task.TotalTime))
			}
		case cacheTaskID:
			if *task.State != "MIGRATE_FAIL" || !strings.Contains(*task.ErrorJSON, `"error_code":"SMS.2011"`) {
				t.Errorf("cache-02: %s, error_json %v", *task.State, show(task.ErrorJSON))
			}
		}
	}
	if strings.Contains(stderr.String()+stdout.String()+s.stderr.String(), token) {
		t.Error("the token shows in the output or the server log")
	}
	if !strings.Contains(stderr.String(), "seed=3") {
		t.Errorf("the log does not show the seed:\n%s", stderr.String())
	}

	// No task matching -tasks is nothing to do, and the log says so.
	stderr.Reset()
	stdout.Reset()
	if err := run(context.Background(), []string{"smslab", "agent", "-server", s.url, "-token", token, "-tasks", "state=SKIPPING"},
		os.Getenv, &stdout, &stderr); err != nil || stdout.Len() != 0 || !strings.Contains(stderr.String(), "no task to migrate") {
		t.Errorf("no matching task: %v, stdout %q, log:\n%s", err, stdout.String(), stderr.String())
	}

	// A task that cannot run is refused up front, in one line.
	err = run(context.Background(), []string{"smslab", "agent", "-server", s.url, "-token", token, "-tasks", mailTaskID},
		os.Getenv, io.Discard, io.Discard)
	if err == nil || err.Error() != "agent: task "+mailTaskID+": the task is MIGRATE_FAIL: its migration failed; restart the task before reporting again" {
		t.Errorf("a failed task: %v", err)
	}
}

func TestAgentCommandLine(t *testing.T) {
	t.Parallel() // its last run waits 3 s for the client's retries: let other tests go meanwhile
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"smslab", "agent", "-h"}, os.Getenv, &stdout, io.Discard); err != nil {
		t.Errorf("-h: %v", err)
	}
	for _, want := range []string{"-server", "-tasks", "-speedup", "-seed", "-interval", "-fail", "-connections", "-access-key", "-token",
		"SMSLAB_AGENT_TOKEN", "task=ID", "stall=", "disconnect=", "SMS.1805, SMS.2011"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("usage lacks %s", want)
		}
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"smslab", "-h"}, os.Getenv, &stdout, io.Discard); err != nil ||
		!strings.Contains(stdout.String(), "smslab agent [flags]") || !strings.Contains(stdout.String(), "SMSLAB_DEMO") {
		t.Errorf("smslab -h does not mention the agent or -demo: %v", err)
	}

	const secret = "sk-9f8e7d"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"stray"}, `"stray" is no command: smslab agent takes flags alone, such as smslab agent -tasks state=READY`},
		{[]string{"-seed", "7", "stray"}, "an unexpected argument after the flags"},
		{[]string{"-access-key", "AK:", secret, "x"}, "2 unexpected arguments after the flags"},
		{[]string{"-speedup", "0"}, `invalid value "0" for flag -speedup: want a number from 0.001 to 1e+09`},
		{[]string{"-speedup", "1e-12"}, `invalid value "1e-12" for flag -speedup: want a number from 0.001 to 1e+09`},
		{[]string{"-speedup", "fast"}, `invalid value "fast" for flag -speedup: want a number from 0.001 to 1e+09`},
		{[]string{"-interval", "0s"}, "-interval 0s: want 1s to 1h"},
		{[]string{"-connections", "0"}, "-connections 0: want 1 to 4096"},
		{[]string{"-connections", "5000"}, "-connections 5000: want 1 to 4096"},
		{[]string{"-seed", "x"}, `-seed "x": want a whole number`},
		{[]string{"-tasks", "state=DONE"}, `-tasks "state=DONE": "DONE" is not a task state`},
		{[]string{"-fail", "task=x,at=NOWHERE"}, `-fail "task=x,at=NOWHERE": at: NOWHERE is not a sub-task`},
		{[]string{"-access-key", secret}, "-access-key: want AK:SK with neither empty"},
		{[]string{"-access-key", "a k:" + secret}, "-access-key: the access key id must be at most 128 printable ASCII characters without spaces"},
		{[]string{"-access-key", "AK:" + secret, "-token", "t"}, "give -access-key or -token, not both"},
		{[]string{"-server", "127.0.0.1:8080"}, `server "127.0.0.1:8080": want an http:// or https:// URL`},
	}
	for _, tt := range tests {
		err := run(context.Background(), append([]string{"smslab", "agent"}, tt.args...), func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") ||
			strings.Contains(err.Error(), secret) {
			t.Errorf("%v: error %v, want one line with %q and no secret", tt.args, err, tt.want)
		}
	}
	// The two kinds of credentials are one setting: one given on the command line wins over the
	// other kind in the environment, and both in the environment still conflict.
	for _, tt := range []struct {
		args  []string
		env   map[string]string
		token string
		ak    string
	}{
		{[]string{"-access-key", "AK:" + secret}, map[string]string{"SMSLAB_AGENT_TOKEN": "env-token"}, "", "AK"},
		{[]string{"-token", "flag-token"}, map[string]string{"SMSLAB_AGENT_ACCESS_KEY": "EAK:" + secret}, "flag-token", ""},
		{nil, map[string]string{"SMSLAB_AGENT_TOKEN": "env-token"}, "env-token", ""},
	} {
		cfg, err := parseAgentOptions(tt.args, func(k string) string { return tt.env[k] })
		if err != nil || cfg.Credentials.Token != tt.token || cfg.Credentials.AccessKey != tt.ak {
			t.Errorf("%v with %v: token %q access key %q (%v), want %q and %q", tt.args, slices.Collect(maps.Keys(tt.env)),
				cfg.Credentials.Token, cfg.Credentials.AccessKey, err, tt.token, tt.ak)
		}
	}
	both := map[string]string{"SMSLAB_AGENT_TOKEN": "t", "SMSLAB_AGENT_ACCESS_KEY": "AK:" + secret}
	if _, err := parseAgentOptions(nil, func(k string) string { return both[k] }); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both kinds in the environment: %v", err)
	}

	// A server that does not answer stops the run with the reason.
	err := run(context.Background(), []string{"smslab", "agent", "-server", "http://127.0.0.1:1"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "list tasks: ") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("no server: %v", err)
	}
}

// `smslab -demo` plays its lab at once: its operator creates tasks and starts the READY ones,
// with the credentials it was given (never shown), and it stops cleanly with the server.
func TestRunDemo(t *testing.T) {
	const token = "demo-token-77aa"
	s := startRun(t, map[string]string{"SMSLAB_TOKENS": token + ",test", "SMSLAB_DEMO": "1"},
		"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "demo.db"), "-demo-speedup", "600")
	started := waitUntil(30*time.Second, func() bool {
		moved := 0
		for _, task := range s.list(t, "limit=200").Tasks {
			if (*task.ID == webTaskID || *task.ID == cacheTaskID) && *task.State != "READY" && task.SubtaskInfo != nil {
				moved++
			}
		}
		return moved == 2
	})
	if !started {
		t.Fatalf("the demo's READY tasks did not start within 30s\n%s", s.stderr)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	log := s.stderr.String()
	if !strings.Contains(log, `msg="agents starting" component="demo agents" agents=28 tasks=5 seed=1 speedup=600`) ||
		!strings.Contains(log, `msg="operator created a task from the template" component="demo operator"`) ||
		!strings.Contains(log, "smslab stopped") || strings.Contains(log, token) {
		t.Errorf("log:\n%s", log)
	}
}
