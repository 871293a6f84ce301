package main

import (
	"bufio"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The release builds all four binaries, each for its platform and without cgo (no dynamic
// loader on Linux), lists each in SHA256SUMS with its hash, and the one for this machine says
// its version and answers ListTasks.
func TestReleaseBuildsEveryPlatformAndTheLocalOneRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles smslab four times; skipped with -short")
	}
	dir := t.TempDir()
	const version = "v0.0.0-release-test"
	built, err := build(dir, version)
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != 4 {
		t.Fatalf("built %d binaries, want 4", len(built))
	}
	sums := readSums(t, filepath.Join(dir, "SHA256SUMS"))
	for _, b := range built {
		path := filepath.Join(dir, b.name)
		want := "smslab-" + version + "-" + b.platform.os + "-" + b.platform.arch
		if b.platform.os == "windows" {
			want += ".exe"
		}
		if b.name != want {
			t.Errorf("%s: named %s, want %s", b.platform, b.name, want)
		}
		checkFormat(t, path, b.platform)
		sum, err := sha256File(path)
		if err != nil {
			t.Fatal(err)
		}
		if sums[b.name] != sum {
			t.Errorf("SHA256SUMS has %q for %s, want %s", sums[b.name], b.name, sum)
		}
		delete(sums, b.name)
	}
	if len(sums) != 0 {
		t.Errorf("SHA256SUMS lists files not built: %v", sums)
	}

	local := platform{runtime.GOOS, runtime.GOARCH}
	for _, b := range built {
		if b.platform == local {
			if err := smoke(filepath.Join(dir, b.name), version); err != nil {
				t.Errorf("%s: %v", b.name, err)
			}
			return
		}
	}
	t.Logf("no release binary for %s to run", local)
}

// readSums reads a sha256sum file: name -> hash.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("SHA256SUMS line %q: want HASH  NAME", sc.Text())
		}
		sums[name] = sum
	}
	return sums
}

// checkFormat checks that the file at path is an executable for p, and on Linux a static one.
func checkFormat(t *testing.T, path string, p platform) {
	t.Helper()
	switch p.os {
	case "linux":
		f, err := elf.Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer f.Close()
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[p.arch]
		if f.Machine != want {
			t.Errorf("%s: machine %v, want %v", path, f.Machine, want)
		}
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				t.Errorf("%s: has a dynamic loader: not a static binary", path)
			}
		}
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer f.Close()
		if f.Cpu != macho.CpuArm64 {
			t.Errorf("%s: CPU %v, want arm64", path, f.Cpu)
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer f.Close()
		if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
			t.Errorf("%s: machine %#x, want AMD64", path, f.Machine)
		}
	default:
		t.Errorf("%s: no check for %s", path, p)
	}
}
