package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that run's goroutine may write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunServesStatusPage checks that run tells the status page where it listens and which
// database it serves, and that the page needs no credentials.
func TestRunServesStatusPage(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "lab.db")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"smslab", "-addr", "127.0.0.1:0", "-db", dbPath},
			func(string) string { return "" }, &stdout, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	serving := regexp.MustCompile(`serving http://(\S+) `)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); {
		if m := serving.FindStringSubmatch(stdout.String()); m != nil {
			addr = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" {
		t.Fatalf("run did not say where it serves: %q", stdout.String())
	}
	resp, err := http.Get("http://" + addr + "/status/summary")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `{"addr":"` + addr + `","db":"` + dbPath + `","auth_mode":"token: any non-empty X-Auth-Token","started":`
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), want) || !strings.Contains(string(body), `"total":19,`) {
		t.Errorf("GET /status/summary: %d %s\nwant a body starting %s and the 19 demo tasks", resp.StatusCode, body, want)
	}
}
