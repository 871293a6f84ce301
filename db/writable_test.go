package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A database smslab could not write is refused at start with what to change, and the refusal
// leaves every file as it was and adds none (SQLite would leave a read-only -shm beside a
// read-only file). The mode bits decide even for root, whom they do not stop.
func TestOpenRefusesWhatItCannotWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setUp func(t *testing.T, path string) // makes it unwritable
		undo  func(t *testing.T, path string) // does what the message says
		want  string
	}{
		{
			name:  "read-only file",
			setUp: func(t *testing.T, path string) { chmod(t, path, 0o444) },
			undo:  func(t *testing.T, path string) { chmod(t, path, 0o644) },
			want:  "it is read-only (mode 0444): make it writable (chmod u+w PATH) or use another database file",
		},
		{
			name: "read-only -shm left by an earlier run",
			setUp: func(t *testing.T, path string) {
				if err := os.WriteFile(path+"-shm", nil, 0o444); err != nil {
					t.Fatal(err)
				}
			},
			undo: func(t *testing.T, path string) { chmod(t, path+"-shm", 0o644) },
			want: "NAME-shm, left beside it by an earlier run, is read-only (mode 0444): make it writable (chmod u+w PATH-shm)",
		},
		{
			name:  "read-only directory",
			setUp: func(t *testing.T, path string) { chmod(t, filepath.Dir(path), 0o555) },
			undo:  func(t *testing.T, path string) { chmod(t, filepath.Dir(path), 0o755) },
			want:  "its directory DIR, where SQLite keeps NAME-wal and -shm, is read-only (mode 0555): make it writable (chmod u+w DIR)",
		},
		{
			name: "new database in a read-only directory",
			setUp: func(t *testing.T, path string) {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				chmod(t, filepath.Dir(path), 0o555)
			},
			undo: func(t *testing.T, path string) { chmod(t, filepath.Dir(path), 0o755) },
			want: "its directory DIR, where SQLite keeps NAME-wal and -shm, is read-only (mode 0555)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "lab")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755) }) // so that TempDir can remove it
			path := filepath.Join(dir, "lab.db")
			store := mustOpen(t, path)
			if err := store.Import(ctx, manyTasks(3)); err != nil {
				t.Fatal(err)
			}
			if err := store.Close(); err != nil {
				t.Fatal(err)
			}
			tc.setUp(t, path)
			before := snapshot(t, dir)

			refused, err := Open(ctx, path)
			if err == nil {
				refused.Close()
			}
			want := "database " + path + ": " + strings.NewReplacer("PATH", path, "DIR", dir, "NAME", "lab.db").Replace(tc.want)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Open: %v\nwant %s", err, want)
			}
			if after := snapshot(t, dir); !slices.Equal(after, before) {
				t.Errorf("the refusal changed the directory:\n%q\nwant\n%q", after, before)
			}

			tc.undo(t, path)
			store, err = Open(ctx, path)
			if err != nil {
				t.Fatalf("after doing what the message says: %v", err)
			}
			store.Close()
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists the files of dir with their modes, modification times and a hash of their
// contents.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		files = append(files, strings.Join([]string{e.Name(), fi.Mode().String(), fi.ModTime().String(), hex.EncodeToString(sum[:8])}, " "))
	}
	return files
}
