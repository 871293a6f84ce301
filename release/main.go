// Command release builds smslab's release binaries: static (no cgo), one per platform a lab is
// likely to run, with the version stamped in, and a SHA256SUMS file to check them with.
//
//	go run ./release -out dist                  # version from git describe --tags --always --dirty
//	go run ./release -out dist -version v1.2.0  # or given
//	go run ./release -out dist -check           # then start this machine's binary and ask it for tasks
//
// It needs nothing but Go (and git, for the version). CI runs it with -check.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// platform is a GOOS/GOARCH pair.
type platform struct{ os, arch string }

func (p platform) String() string { return p.os + "/" + p.arch }

// platforms are the release's: Linux servers and laptops (amd64, arm64), Apple silicon, Windows.
var platforms = []platform{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "arm64"}, {"windows", "amd64"}}

func main() {
	out := flag.String("out", "dist", "directory to write the binaries and SHA256SUMS to")
	version := flag.String("version", "", "the version to stamp in (default: git describe --tags --always --dirty)")
	check := flag.Bool("check", false, "start the binary built for this machine and check that it answers ListTasks")
	flag.Parse()
	if err := run(*out, *version, *check); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(out, version string, check bool) error {
	if version == "" {
		var err error
		if version, err = describe(); err != nil {
			return err
		}
	}
	built, err := build(out, version)
	if err != nil {
		return err
	}
	for _, b := range built {
		fmt.Printf("%s  %s\n", b.platform, filepath.Join(out, b.name))
	}
	fmt.Printf("checksums  %s\n", filepath.Join(out, "SHA256SUMS"))
	if !check {
		return nil
	}
	for _, b := range built {
		if b.platform == (platform{runtime.GOOS, runtime.GOARCH}) {
			if err := smoke(filepath.Join(out, b.name), version); err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			fmt.Printf("checked  %s answers ListTasks and says it is %s\n", b.name, version)
			return nil
		}
	}
	return fmt.Errorf("-check: no binary for this machine (%s/%s) among %v", runtime.GOOS, runtime.GOARCH, platforms)
}

// describe is the version git gives the checkout: the last tag, the commits since and the
// commit, and -dirty for uncommitted changes (the commit alone without a tag).
func describe() (string, error) {
	out, err := exec.Command("git", "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		return "", fmt.Errorf("git describe: %v: give -version", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// binary is one built file.
type binary struct {
	platform platform
	name     string // in the output directory
	sum      string // SHA-256, hex
}

// build compiles smslab (the module's root package) for every platform into dir, and writes
// SHA256SUMS there in the format sha256sum -c reads.
func build(dir, version string) ([]binary, error) {
	if strings.ContainsAny(version, " '\"") {
		return nil, fmt.Errorf("version %q: no spaces or quotes", version)
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var built []binary
	var sums strings.Builder
	for _, p := range platforms {
		name := fmt.Sprintf("smslab-%s-%s-%s", version, p.os, p.arch)
		if p.os == "windows" {
			name += ".exe"
		}
		path, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version, "-o", path, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.os, "GOARCH="+p.arch)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build for %s: %v\n%s", p, err, out)
		}
		sum, err := sha256File(path)
		if err != nil {
			return nil, err
		}
		built = append(built, binary{platform: p, name: name, sum: sum})
		fmt.Fprintf(&sums, "%s  %s\n", sum, name)
	}
	return built, os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(sums.String()), 0o644)
}

// moduleRoot is the directory of smslab's go.mod, wherever the command runs from.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run from smslab's checkout: go env GOMOD: %q %v", gomod, err)
	}
	return filepath.Dir(gomod), nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// smoke runs bin -version, then starts it on a new database in a temporary directory, on a free
// loopback port, and checks that it answers ListTasks with its demo tasks; then stops it.
func smoke(bin, version string) error {
	out, err := exec.Command(bin, "-version").Output()
	if err != nil {
		return fmt.Errorf("-version: %v", err)
	}
	if want := "smslab " + version + " ("; !strings.HasPrefix(string(out), want) {
		return fmt.Errorf("-version printed %q, want it to start with %q", out, want)
	}
	dir, err := os.MkdirTemp("", "smslab-release-check")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "check.db"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		stop(cmd.Process)
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(line, "smslab serving ")
	if err != nil || !ok {
		return fmt.Errorf("did not start: %q %v\n%s", line, err, stderr.String())
	}
	url, _, _ = strings.Cut(url, " ")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v3/tasks?limit=1", nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", "release-check")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("ListTasks: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var page struct {
		Count int               `json:"count"`
		Tasks []json.RawMessage `json:"tasks"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil || page.Count == 0 || len(page.Tasks) != 1 {
		return fmt.Errorf("ListTasks: status %d: %.300s", resp.StatusCode, body)
	}
	return nil
}

// stop asks the process to stop as Ctrl-C would, or kills it where that cannot be sent.
func stop(p *os.Process) {
	if err := p.Signal(os.Interrupt); errors.Is(err, os.ErrProcessDone) {
		return
	} else if err != nil {
		_ = p.Kill()
	}
}
