package main

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var pprofLine = regexp.MustCompile(`msg="pprof listening" url=(http://\S+)`)

func TestRunServesPprofOnlyWhenAsked(t *testing.T) {
	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "off.db"))
	if strings.Contains(s.stderr.String(), "pprof") {
		t.Errorf("pprof without -pprof:\n%s", s.stderr)
	}
	if status, _ := s.do(t, "GET", "/debug/pprof/cmdline", ""); status == http.StatusOK {
		t.Errorf("the API's port serves pprof")
	}
	s.stop()

	s = startRun(t, map[string]string{"SMSLAB_PPROF": "127.0.0.1:0"}, "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "on.db"))
	m := pprofLine.FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no pprof URL logged with SMSLAB_PPROF:\n%s", s.stderr)
	}
	resp, err := http.Get(m[1] + "cmdline")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "smslab") {
		t.Errorf("GET %scmdline: %d %q, want 200 naming smslab", m[1], resp.StatusCode, body)
	}
	if status, _ := s.do(t, "GET", "/debug/pprof/cmdline", ""); status == http.StatusOK {
		t.Errorf("the API's port serves pprof with -pprof too")
	}
}

func TestRunRefusesABadPprofAddress(t *testing.T) {
	err := run(t.Context(), []string{"smslab", "-pprof", "6060", "-db", filepath.Join(t.TempDir(), "x.db")},
		func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "want host:port, such as 127.0.0.1:6060") {
		t.Errorf("run -pprof 6060: %v, want a host:port hint", err)
	}
}
