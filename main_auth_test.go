package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"smslab/auth"
	"smslab/auth/signer"
)

// startAuthRun starts run on a fresh database with the given extra flags and environment.
func startAuthRun(t *testing.T, args []string, env map[string]string) (string, *syncBuffer, func() error) {
	t.Helper()
	s := startRun(t, env, append([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "smslab.db")}, args...)...)
	return s.url, s.stderr, s.stop
}

func mustDo(t *testing.T, r *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// A strict-mode server says at start how many credentials it loaded, and its log never shows a
// secret key or token, neither after refusing requests nor after serving them.
func TestRunStrictModeKeepsSecretsOutOfTheLog(t *testing.T) {
	const (
		ak        = "RUNAK0001"
		sk        = "run-secret-key-zz9"
		token1    = "run-token-one-7f3a"
		token2    = "run-token-two-91bc"
		guessedSK = "guessed-secret-4411"
		badToken  = "presented-token-5520"
	)
	tokensFile := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokensFile, []byte("# lab tokens\n"+token1+"\n\n"+token2+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url, log, stop := startAuthRun(t, []string{"-tokens-file", tokensFile},
		map[string]string{"SMSLAB_ACCESS_KEYS": ak + ":" + sk})

	var signatures []string
	newReq := func(header map[string]string, signer *signer.Signer) *http.Request {
		r, err := http.NewRequest(http.MethodGet, url+"/v3/tasks?limit=1", nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			r.Header.Set(k, v)
		}
		if signer != nil {
			signer.Sign(r, nil)
			signatures = append(signatures, r.Header.Get("Authorization"))
		}
		return r
	}
	for _, tt := range []struct {
		name string
		req  *http.Request
		want int
	}{
		{"no credentials", newReq(nil, nil), http.StatusUnauthorized},
		{"wrong token", newReq(map[string]string{"X-Auth-Token": badToken}, nil), http.StatusUnauthorized},
		{"wrong secret key", newReq(nil, &signer.Signer{AccessKey: ak, SecretKey: guessedSK}), http.StatusUnauthorized},
		{"token from the file", newReq(map[string]string{"X-Auth-Token": token2}, nil), http.StatusOK},
		{"signature", newReq(nil, &signer.Signer{AccessKey: ak, SecretKey: sk}), http.StatusOK},
	} {
		if got := mustDo(t, tt.req); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("run: %v", err)
	}

	got := log.String()
	if !strings.Contains(got, `msg=credentials mode="strict: 1 access key, 2 tokens"`) {
		t.Errorf("start-up does not log the mode:\n%s", got)
	}
	for _, secret := range append([]string{sk, token1, token2, guessedSK, badToken}, signatures...) {
		if strings.Contains(got, secret) {
			t.Errorf("the log shows %q:\n%s", secret, got)
		}
	}
	// The signature hex alone must not appear either.
	for _, s := range signatures {
		if _, hex, _ := strings.Cut(s, "Signature="); strings.Contains(got, hex) {
			t.Errorf("the log shows a signature:\n%s", got)
		}
	}
}

func TestRunOpenModeByDefault(t *testing.T) {
	url, log, stop := startAuthRun(t, nil, nil)
	r, _ := http.NewRequest(http.MethodGet, url+"/v3/tasks", nil)
	if got := mustDo(t, r); got != http.StatusUnauthorized {
		t.Errorf("no credentials: status %d, want 401", got)
	}
	r.Header.Set("X-Auth-Token", "anything")
	if got := mustDo(t, r); got != http.StatusOK {
		t.Errorf("any token: status %d, want 200", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "msg=credentials mode=open") {
		t.Errorf("start-up does not log the mode:\n%s", log)
	}
}

// Bad credential configuration stops run before it listens or touches the database, with a
// one-line reason that never quotes the secret.
func TestRunRefusesBadCredentials(t *testing.T) {
	dir := t.TempDir()
	keysFile := filepath.Join(dir, "keys")
	if err := os.WriteFile(keysFile, []byte("AK1:SECRET-ONE\nSECRET-TWO-NO-AK\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"malformed flag", []string{"-access-keys", "AK1:SECRET-ONE,SECRET-TWO"}, nil,
			"credentials: access keys entry 2: want AK:SK with neither empty"},
		{"malformed environment", nil, map[string]string{"SMSLAB_ACCESS_KEYS": "AK1SECRET-ONE"},
			"credentials: access keys entry 1: want AK:SK with neither empty"},
		{"malformed file", []string{"-access-keys-file", keysFile}, nil,
			"credentials: access keys file " + keysFile + " line 2: want AK:SK with neither empty"},
		{"unreadable file", nil, map[string]string{"SMSLAB_TOKENS_FILE": filepath.Join(dir, "missing")},
			"credentials: open " + filepath.Join(dir, "missing") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "smslab.db")
			var stdout, stderr bytes.Buffer
			args := append([]string{"smslab", "-addr", "127.0.0.1:0", "-db", dbPath}, tt.args...)
			err := run(context.Background(), args, func(k string) string { return tt.env[k] }, &stdout, &stderr)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("run = %v, want %q", err, tt.want)
			}
			if all := err.Error() + stdout.String() + stderr.String(); strings.Contains(all, "SECRET") {
				t.Errorf("a secret shows: %q", all)
			}
			if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
				t.Errorf("the database was touched: %v", err)
			}
		})
	}
}

// Open and on loopback, smslab answers only requests that name it by a loopback name or address,
// or by the host of -addr: a web page cannot reach it by DNS rebinding. Strict, it answers any
// name (a page has no secret to sign with); so it does when it listens beyond loopback, where
// its names are not smslab's to know.
func TestRunRefusesForeignHostsWhenOpenOnLoopback(t *testing.T) {
	statusFor := func(url, host string, token string) int {
		r, _ := http.NewRequest(http.MethodGet, url+"/v3/tasks?limit=1", nil)
		r.Host = host
		r.Header.Set("X-Auth-Token", token)
		return mustDo(t, r)
	}
	open, _, _ := startAuthRun(t, nil, nil)
	port := open[strings.LastIndex(open, ":"):]
	for host, want := range map[string]int{
		"localhost" + port: http.StatusOK, "127.0.0.1" + port: http.StatusOK, "[::1]" + port: http.StatusOK,
		"localhost": http.StatusOK, "rebind.example" + port: http.StatusBadRequest, "rebind.example": http.StatusBadRequest,
	} {
		if got := statusFor(open, host, "any"); got != want {
			t.Errorf("open, Host %s: %d, want %d", host, got, want)
		}
	}

	s := startRun(t, nil, "-addr", "localhost:0", "-db", filepath.Join(t.TempDir(), "smslab.db"))
	if got := statusFor(s.url, "localhost", "any"); got != http.StatusOK {
		t.Errorf("-addr localhost:0, Host localhost: %d", got)
	}

	strict, _, _ := startAuthRun(t, []string{"-tokens", "lab-token"}, nil)
	if got := statusFor(strict, "rebind.example", "lab-token"); got != http.StatusOK {
		t.Errorf("strict, Host rebind.example: %d, want 200", got)
	}

	if got := hostNames(mustAuth(t), &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, ":8080"); got != nil {
		t.Errorf("listening on every address: Host names %v, want any", got)
	}
	if got := hostNames(mustAuth(t), &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "lab.internal:8080"); !slices.Equal(got, []string{"localhost", "lab.internal"}) {
		t.Errorf("-addr lab.internal:8080 on loopback: Host names %v", got)
	}
}

// mustAuth is an open Authenticator.
func mustAuth(t *testing.T) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
