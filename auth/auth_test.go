package auth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"smslab/auth"
	"smslab/auth/signer"
)

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func mustNew(t *testing.T, cfg auth.Config) *auth.Authenticator {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return clock }
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMode(t *testing.T) {
	tests := []struct {
		cfg  auth.Config
		want string
	}{
		{auth.Config{}, "open"},
		{auth.Config{AccessKeys: map[string]string{}, Tokens: []string{}}, "open"},
		{auth.Config{Tokens: []string{"t"}}, "strict: 0 access keys, 1 token"},
		{auth.Config{AccessKeys: map[string]string{"A": "s"}}, "strict: 1 access key, 0 tokens"},
		{auth.Config{AccessKeys: map[string]string{"A": "s", "B": "s"}, Tokens: []string{"t", "u", "t"}}, "strict: 2 access keys, 2 tokens"},
	}
	for _, tt := range tests {
		if got := mustNew(t, tt.cfg).Mode(); got != tt.want {
			t.Errorf("Mode() = %q, want %q", got, tt.want)
		}
	}
}

// An empty secret would weaken strict mode, or turn it open, and a token over the header's limit
// could never be used; New refuses them.
func TestNewRefusesUnusableCredentials(t *testing.T) {
	for _, cfg := range []auth.Config{
		{Tokens: []string{""}},
		{Tokens: []string{strings.Repeat("t", auth.MaxTokenLength+1)}},
		{AccessKeys: map[string]string{"": "sk"}},
		{AccessKeys: map[string]string{"AK": ""}},
	} {
		if _, err := auth.New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error, want one", cfg)
		}
	}
}

// The verifier and the test signer are written apart; paths and queries that need encoding
// must come out the same on both sides.
func TestSignatureCanonicalForms(t *testing.T) {
	a := mustNew(t, auth.Config{AccessKeys: map[string]string{"AK1": "sk-one"}})
	targets := []string{
		"/v3/tasks",
		"/v3/tasks/",
		"/v3/tasks?limit=2&offset=0",
		"/v3/tasks?state=READY&name=a%20b&name=a+b&name=%2B&id=x",
		"/v3/tasks?name=%E8%BF%81%E7%A7%BB&empty=&flag",
		"/v3/tasks/abc%20def/progress",
		"/v3/tasks/%E8%BF%81~x_y.z-1/progress",
		"/v3/tasks/a%2Fb",
		"/v3/tasks?q=!*'():@&=$,/?%23[]",
	}
	for _, target := range targets {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("User-Agent", "  test  ")
		signer.Signer{AccessKey: "AK1", SecretKey: "sk-one", Date: clock,
			SignedHeaders: []string{"user-agent", "host", "x-sdk-date"}}.Sign(r, nil)
		if err := a.Authenticate(r, nil); err != nil {
			t.Errorf("%s: %v", target, err)
		}
	}
}

// The official Go SDK signs a body with X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD when it is not
// JSON; the reference says that value then stands in for the body's hash.
func TestUnsignedPayload(t *testing.T) {
	a := mustNew(t, auth.Config{AccessKeys: map[string]string{"AK1": "sk-one"}})
	r := httptest.NewRequest(http.MethodPut, "/v3/tasks/x", strings.NewReader("signed"))
	r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
	signer.Signer{AccessKey: "AK1", SecretKey: "sk-one", Date: clock,
		SignedHeaders: []string{"host", "x-sdk-content-sha256", "x-sdk-date"}}.Sign(r, []byte("signed"))
	if err := a.Authenticate(r, []byte("other")); err != nil {
		t.Fatalf("UNSIGNED-PAYLOAD: %v", err)
	}
}

// The replay window is 15 minutes either way, edges included.
func TestReplayWindowEdges(t *testing.T) {
	a := mustNew(t, auth.Config{AccessKeys: map[string]string{"AK1": "sk-one"}})
	for _, tt := range []struct {
		skew time.Duration
		ok   bool
	}{
		{0, true}, {15 * time.Minute, true}, {-15 * time.Minute, true},
		{15*time.Minute + time.Second, false}, {-15*time.Minute - time.Second, false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/v3/tasks", nil)
		signer.Signer{AccessKey: "AK1", SecretKey: "sk-one", Date: clock.Add(tt.skew)}.Sign(r, nil)
		err := a.Authenticate(r, nil)
		var authErr *auth.Error
		switch {
		case tt.ok && err != nil:
			t.Errorf("skew %s: %v", tt.skew, err)
		case !tt.ok && (!errors.As(err, &authErr) || authErr.Msg != auth.MsgExpired):
			t.Errorf("skew %s: err = %v, want %q", tt.skew, err, auth.MsgExpired)
		}
	}
}

func TestOptionsConfig(t *testing.T) {
	dir := t.TempDir()
	keysFile := filepath.Join(dir, "keys")
	tokensFile := filepath.Join(dir, "tokens")
	mustWrite(t, keysFile, "# lab keys\n\nAK2:sk:with:colons\r\n  AK3 : sk3  \nAK1:sk1\n")
	mustWrite(t, tokensFile, "#comment\ntok-file\n\n  tok two  \n")

	cfg, err := auth.Options{
		AccessKeys: "AK1:sk1, ,AK4:sk4,", AccessKeysFile: keysFile,
		Tokens: "tok-flag,,tok-file", TokensFile: tokensFile,
	}.Config()
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := map[string]string{"AK1": "sk1", "AK2": "sk:with:colons", "AK3": "sk3", "AK4": "sk4"}
	if !reflect.DeepEqual(cfg.AccessKeys, wantKeys) {
		t.Errorf("AccessKeys = %v, want %v", cfg.AccessKeys, wantKeys)
	}
	wantTokens := []string{"tok-flag", "tok-file", "tok-file", "tok two"}
	if !slices.Equal(cfg.Tokens, wantTokens) {
		t.Errorf("Tokens = %q, want %q", cfg.Tokens, wantTokens)
	}
	if got := mustNew(t, cfg).Mode(); got != "strict: 4 access keys, 3 tokens" {
		t.Errorf("Mode() = %q", got)
	}
}

// Configuration errors say where the fault is and never quote the entry, which may be a secret.
func TestOptionsConfigErrors(t *testing.T) {
	dir := t.TempDir()
	badFile := filepath.Join(dir, "keys")
	mustWrite(t, badFile, "AK1:sk1\nno-colon-SECRET\n")
	commentsOnly := filepath.Join(dir, "comments")
	mustWrite(t, commentsOnly, "\n# tokens go here\n  \n")
	tests := []struct {
		name string
		opts auth.Options
		want string
	}{
		{"no colon", auth.Options{AccessKeys: "AK1:sk1,SECRETSECRET"}, "access keys entry 2: want AK:SK with neither empty"},
		{"empty secret", auth.Options{AccessKeys: "AK1:"}, "access keys entry 1: want AK:SK with neither empty"},
		{"empty key", auth.Options{AccessKeys: ":SECRET"}, "access keys entry 1: want AK:SK with neither empty"},
		{"space in key", auth.Options{AccessKeys: "A K:SECRET"}, "access keys entry 1: the access key id must be at most 128 printable ASCII characters without spaces"},
		{"conflict", auth.Options{AccessKeys: "AK1:SECRET1,AK1:SECRET2"}, "access keys entry 2: the access key id was given before with another secret key"},
		{"bad line", auth.Options{AccessKeysFile: badFile}, "access keys file " + badFile + " line 2: want AK:SK with neither empty"},
		{"missing keys file", auth.Options{AccessKeysFile: filepath.Join(dir, "none")}, "open " + filepath.Join(dir, "none") + ": no such file or directory"},
		{"missing tokens file", auth.Options{TokensFile: filepath.Join(dir, "none")}, "open " + filepath.Join(dir, "none") + ": no such file or directory"},
		{"no token in the tokens file", auth.Options{Tokens: "tok", TokensFile: commentsOnly},
			"tokens file " + commentsOnly + ": names no credential (only blanks, commas or # comments), which would leave smslab open"},
		{"no key in the keys file", auth.Options{AccessKeysFile: commentsOnly},
			"access keys file " + commentsOnly + ": names no credential (only blanks, commas or # comments), which would leave smslab open"},
		{"no token in the list", auth.Options{Tokens: " , "},
			"tokens: names no credential (only blanks, commas or # comments), which would leave smslab open"},
		{"no key in the list", auth.Options{AccessKeys: ","},
			"access keys: names no credential (only blanks, commas or # comments), which would leave smslab open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.Config()
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The server logs why a request was refused; an empty X-Auth-Token is told apart from none.
func TestRefusalReasons(t *testing.T) {
	a := mustNew(t, auth.Config{})
	for _, tt := range []struct {
		header http.Header
		reason string
	}{
		{http.Header{}, "neither X-Auth-Token nor Authorization is present"},
		{http.Header{"X-Auth-Token": {""}}, "X-Auth-Token is empty"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/v3/tasks", nil)
		r.Header = tt.header
		var authErr *auth.Error
		if err := a.Authenticate(r, nil); !errors.As(err, &authErr) || authErr.Msg != auth.MsgNoToken || authErr.Reason != tt.reason {
			t.Errorf("headers %v: %v, want %q because %q", tt.header, err, auth.MsgNoToken, tt.reason)
		}
	}
}
