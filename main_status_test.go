package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunServesStatusPage checks that run tells the status page where it listens, which
// database it serves and which credential mode is on, and that the page needs no credentials.
func TestRunServesStatusPage(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "lab.db")
	s := startRun(t, map[string]string{"SMSLAB_TOKENS": "lab-token"}, "-addr", "127.0.0.1:0", "-db", dbPath)
	resp, err := http.Get(s.url + "/status/summary")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `{"addr":"` + strings.TrimPrefix(s.url, "http://") + `","db":"` + dbPath + `","auth_mode":"strict: 0 access keys, 1 token","started":`
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), want) || !strings.Contains(string(body), `"total":19,`) {
		t.Errorf("GET /status/summary: %d %s\nwant a body starting %s and the 19 demo tasks", resp.StatusCode, body, want)
	}
	if strings.Contains(string(body), "lab-token") {
		t.Error("the status page shows a token")
	}
}
