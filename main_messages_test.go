package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Each refusal at start says what to do, in exactly these words.
func TestRunMessagesSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.json")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		// A stray word is named when it comes first and looks like a command, and only then.
		{[]string{"serve"}, nil, `"serve" is no command: smslab takes flags alone, such as smslab -addr 127.0.0.1:8080 (see smslab -h)`},
		{[]string{"serve", "-addr", "127.0.0.1:0"}, nil, `"serve" is no command: smslab takes flags alone, such as smslab -addr 127.0.0.1:8080 (see smslab -h)`},
		{[]string{"version"}, nil, `"version" is no command: -version prints the version (see smslab -h)`},
		{[]string{"-db", "x.db", "serve"}, nil, `an unexpected argument after the flags (is a value with a space in it unquoted?) (see smslab -h)`},
		{[]string{"tok2-Secret9"}, nil, `an unexpected argument after the flags (is a value with a space in it unquoted?) (see smslab -h)`},
		{[]string{"agent-key:secret"}, nil, `an unexpected argument after the flags (is a value with a space in it unquoted?) (see smslab -h)`},

		{[]string{"-addr", "18082"}, nil, `invalid value "18082" for flag -addr: want host:port, such as 127.0.0.1:18082 (see smslab -h)`},
		{[]string{"-addr", "localhost"}, nil, `invalid value "localhost" for flag -addr: want host:port, such as 127.0.0.1:8080 (see smslab -h)`},
		{[]string{"-addr", "127.0.0.1:http"}, nil, `invalid value "127.0.0.1:http" for flag -addr: want host:port, such as 127.0.0.1:8080 (see smslab -h)`},
		{[]string{"-addr", ""}, nil, `invalid value "" for flag -addr: want host:port, such as 127.0.0.1:8080 (see smslab -h)`},
		{nil, map[string]string{"SMSLAB_ADDR": "bogus"}, `SMSLAB_ADDR="bogus": want host:port, such as 127.0.0.1:8080 (see smslab -h)`},
		{[]string{"-addr", busy.Addr().String()}, nil, `-addr "` + busy.Addr().String() + `": listen tcp ` + busy.Addr().String() +
			`: bind: address already in use: another program listens there; give another port`},
		{nil, map[string]string{"SMSLAB_ADDR": busy.Addr().String()}, `SMSLAB_ADDR="` + busy.Addr().String() + `": listen tcp ` +
			busy.Addr().String() + `: bind: address already in use: another program listens there; give another port`},

		{[]string{"-seed", "Demo"}, nil, `-seed "Demo": no such file; for the built-in demo set, give "demo" (in lower case)`},
		{[]string{"-seed", "NONE"}, nil, `-seed "NONE": no such file; for no tasks, give "none" (in lower case)`},
		{nil, map[string]string{"SMSLAB_SEED": "DEMO"}, `SMSLAB_SEED="DEMO": no such file; for the built-in demo set, give "demo" (in lower case)`},
		{nil, map[string]string{"SMSLAB_SEED": missing}, `SMSLAB_SEED="` + missing + `": `},
		{[]string{"-seed", missing}, nil, `-seed "` + missing + `": `},
	} {
		env := map[string]string{"SMSLAB_DB": filepath.Join(dir, "never.db")}
		for k, v := range tt.env {
			env[k] = v
		}
		err := run(context.Background(), append([]string{"smslab"}, tt.args...), func(k string) string { return env[k] }, io.Discard, io.Discard)
		switch {
		case err == nil:
			t.Errorf("%q %v: no error, want %q", tt.args, tt.env, tt.want)
		case strings.HasSuffix(tt.want, ": "): // the reason after it is the seed package's
			if !strings.HasPrefix(err.Error(), tt.want) || !strings.Contains(err.Error(), "no such file") {
				t.Errorf("%q %v: error\n%s\nwant it to start with\n%s", tt.args, tt.env, err, tt.want)
			}
		case err.Error() != tt.want:
			t.Errorf("%q %v: error\n%s\nwant\n%s", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestRunVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.4.0-3-gabcdef0"
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"smslab", "-version"}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "smslab v1.4.0-3-gabcdef0 (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
	if stdout.String() != want {
		t.Errorf("-version printed %q, want %q", stdout.String(), want)
	}
}

// On every address, smslab prints a URL a browser opens (loopback), and warns of what the network
// now reaches without credentials: the API too in open mode. On loopback it warns of nothing.
func TestRunWarnsWhenListeningBeyondLoopback(t *testing.T) {
	for _, tt := range []struct {
		args []string
		warn string
	}{
		{[]string{"-addr", "127.0.0.1:0"}, ""},
		{[]string{"-addr", "0.0.0.0:0"}, `level=WARN msg="listening beyond loopback: anyone who reaches this port reads the status page and /metrics without credentials, and the API takes any token (give -tokens or -access-keys to require credentials)" addr=`},
		{[]string{"-addr", "0.0.0.0:0", "-tokens", "t1"}, `level=WARN msg="listening beyond loopback: anyone who reaches this port reads the status page and /metrics without credentials" addr=`},
	} {
		s := startRun(t, nil, append(tt.args, "-db", filepath.Join(t.TempDir(), "w.db"))...)
		if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
			t.Errorf("%v: printed %s, want http://127.0.0.1:PORT", tt.args, s.url)
		}
		resp, err := http.Get(s.url + "/healthz")
		if err != nil {
			t.Fatalf("%v: the printed URL: %v", tt.args, err)
		}
		resp.Body.Close()
		s.stop()
		log := s.stderr.String()
		if got := strings.Contains(log, "level=WARN"); got != (tt.warn != "") || (tt.warn != "" && !strings.Contains(log, tt.warn)) {
			t.Errorf("%v: log\n%s\nwant a warning %q", tt.args, log, tt.warn)
		}
	}
}

func TestReach(t *testing.T) {
	for _, tt := range []struct {
		addr    net.TCPAddr
		url     string
		exposed bool
	}{
		{net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080", false},
		{net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080", false},
		{net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://127.0.0.1:8080", true},
		{net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://127.0.0.1:8080", true},
		{net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 8080}, "http://10.1.2.3:8080", true},
	} {
		url, exposed, beyond := reach(&tt.addr)
		if url != tt.url || exposed != tt.exposed {
			t.Errorf("%v: %s exposed=%v, want %s exposed=%v", tt.addr.String(), url, exposed, tt.url, tt.exposed)
		}
		for _, u := range beyond {
			if strings.Contains(u, "127.0.0.1") || strings.Contains(u, "[::1]") || strings.Contains(u, "0.0.0.0") {
				t.Errorf("%v: %s is not an address others reach", tt.addr.String(), u)
			}
		}
	}
}

// The agent's refusals say what to do: which flags give credentials, and that a state is
// selected with state=.
func TestAgentMessagesSayWhatToDo(t *testing.T) {
	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "a.db"),
		"-tokens", "lab-token", "-access-keys", "LABAK:lab-secret")
	const refused = "agent: list tasks: GET /v3/tasks: 401 APIGW.0301: Incorrect IAM authentication information: "
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, refused + "decrypt token fail; the server wants credentials: give -token TOKEN or -access-key AK:SK " +
			"(or SMSLAB_AGENT_TOKEN, SMSLAB_AGENT_ACCESS_KEY), from its -tokens or -access-keys"},
		{[]string{"-token", "wrong"}, refused + "decrypt token fail; the server refused this token: " +
			"give -token TOKEN with one from its -tokens, or -access-key AK:SK"},
		{[]string{"-access-key", "LABAK:wrong"}, refused + "verify aksk signature fail; the server refused this access key's signature: " +
			"give -access-key AK:SK with a pair from its -access-keys (and check both clocks), or -token TOKEN"},
		{[]string{"-token", "lab-token", "-tasks", "READY"},
			"agent: task READY: no task has this id; READY is a state: -tasks state=READY selects the tasks in it"},
		{[]string{"-token", "lab-token", "-tasks", "migrate_fail"},
			"agent: task migrate_fail: no task has this id; MIGRATE_FAIL is a state: -tasks state=MIGRATE_FAIL selects the tasks in it"},
	} {
		args := append([]string{"smslab", "agent", "-server", s.url}, tt.args...)
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v: error\n%v\nwant\n%s", tt.args, err, tt.want)
		}
	}
}
