package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fields smslab does not know are named, one warning each, and loaded past; -seed-strict (or
// SMSLAB_SEED_STRICT) refuses the file instead, naming them, and changes nothing.
func TestRunSeedUnknownFields(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "lab.json")
	writeFile(t, file, `{"exported_at":"2026-11-23","tasks":[{"id":"t-1","nmae":"web","state":"READY"}],
		"sources":[{"id":"s-1","name":"web","rack":"b4"}]}`)

	s := startRun(t, nil, "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "warn.db"), "-seed", file)
	if got := s.list(t, ""); got.Count != 1 || *got.Tasks[0].Name != "" {
		t.Errorf("loaded: %+v", got)
	}
	s.stop()
	for _, field := range []string{"exported_at", "tasks[0].nmae", "sources[0].rack"} {
		want := `level=WARN msg="seed file: unknown field ignored (-seed-strict refuses it)" file=` + file + " field=" + field + "\n"
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, s.stderr)
		}
	}

	want := `-seed "` + file + `": unknown fields exported_at, tasks[0].nmae, sources[0].rack ` +
		"(-seed-strict refuses them; without it they are ignored with a warning)"
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"-seed-strict"}, nil},
		{nil, map[string]string{"SMSLAB_SEED_STRICT": "true"}},
	} {
		dbPath := filepath.Join(dir, "strict.db")
		args := append([]string{"smslab", "-addr", "127.0.0.1:0", "-db", dbPath, "-seed", file}, c.args...)
		err := run(context.Background(), args, func(k string) string { return c.env[k] }, io.Discard, io.Discard)
		if err == nil || err.Error() != want {
			t.Errorf("%v %v: error %v\nwant %s", c.args, c.env, err, want)
		}
		if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused seed made the database: %v", err)
		}
	}

	empty := filepath.Join(dir, "empty.json")
	writeFile(t, empty, `{"task":[]}`)
	err := run(context.Background(), []string{"smslab", "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "e.db"), "-seed", empty},
		func(string) string { return "" }, io.Discard, io.Discard)
	if want := `-seed "` + empty + `": seed file ` + empty + ": the file holds none of the arrays a seed file loads (migprojects, sources, templates, tasks): only task"; err == nil || err.Error() != want {
		t.Errorf("a file without arrays: %v\nwant %s", err, want)
	}
}
