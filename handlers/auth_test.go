package handlers_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/labstack/echo/v4"

	"smslab/auth"
	"smslab/auth/signer"
	"smslab/db"
	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

// The lab's credentials in the strict-mode tests.
const (
	labAK     = "LABAK0001"
	labSK     = "lab-secret-key-1"
	labToken  = "lab-token-1"
	otherSK   = "not-the-lab-secret"
	readyTask = "3f6e1d2c-8b4a-4c5d-9e7f-000000000012" // sms_task_cache-01, READY in the demo seed
)

// authClock is the server clock of these tests.
var authClock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// authLog is a log sink safe for the server's goroutines.
type authLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *authLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *authLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newAuthTestApp serves the API over a demo-seeded database in t.TempDir(), checking credentials
// per cfg.
func newAuthTestApp(t *testing.T, cfg auth.Config) (*echo.Echo, *db.Store, *authLog) {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "smslab.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	demo, err := seed.DemoAt(sms.NewDecoder(), demoSeededAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ImportSeed(ctx, &demo.SeedFile); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := &authLog{}
	logger := slog.New(slog.NewTextHandler(log, nil))
	return handlers.New(handlers.Config{Store: store, Auth: a, Logger: logger}), store, log
}

// strictConfig holds the lab's credentials, checked on authClock.
func strictConfig() auth.Config {
	return auth.Config{
		AccessKeys: map[string]string{labAK: labSK},
		Tokens:     []string{labToken},
		Now:        func() time.Time { return authClock },
	}
}

func serve(e *echo.Echo, r *http.Request) (*httptest.ResponseRecorder, envelope) {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	var env envelope
	_ = json.Unmarshal(w.Body.Bytes(), &env)
	return w, env
}

// request is a request as a test client sends it: signed with the lab key at authClock unless
// a case changes that.
type request struct {
	method, target, body string
	header               http.Header
}

func (rq request) build() *http.Request {
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r := httptest.NewRequest(rq.method, rq.target, body)
	r.Host = "127.0.0.1:8080"
	if rq.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for name, vals := range rq.header {
		r.Header[name] = vals
	}
	return r
}

var (
	getTasks   = request{method: http.MethodGet, target: "/v3/tasks?state=READY&limit=2"}
	renameTask = request{method: http.MethodPut, target: "/v3/tasks/" + readyTask, body: `{"name":"renamed"}`}
	// sdkHeaders are what the official Go SDK signs.
	sdkHeaders = []string{"user-agent", "x-project-id", "x-sdk-date"}
)

// signed returns rq built and signed by s, which defaults to the lab key at authClock.
func signed(rq request, s signer.Signer) *http.Request {
	if s.AccessKey == "" {
		s.AccessKey = labAK
	}
	if s.SecretKey == "" {
		s.SecretKey = labSK
	}
	if s.Date.IsZero() {
		s.Date = authClock
	}
	r := rq.build()
	r.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
	r.Header.Set("X-Project-Id", "p1")
	if s.SignedHeaders == nil {
		s.SignedHeaders = sdkHeaders
	}
	s.Sign(r, []byte(rq.body))
	return r
}

// Strict mode: only the lab's token or a signature by the lab's key within the replay window.
func TestStrictModeRefusals(t *testing.T) {
	const (
		noToken = auth.MsgNoToken
		badTok  = auth.MsgBadToken
		badSig  = auth.MsgBadSignature
		expired = auth.MsgExpired
	)
	tests := []struct {
		name string
		req  func() *http.Request
		msg  string // "" means the request passes
	}{
		{"token", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {labToken}}}.build()
		}, ""},
		{"signature", func() *http.Request { return signed(getTasks, signer.Signer{}) }, ""},
		{"signature with host", func() *http.Request {
			return signed(getTasks, signer.Signer{SignedHeaders: []string{"host", "x-sdk-date"}})
		}, ""},
		{"signature on a body", func() *http.Request { return signed(renameTask, signer.Signer{}) }, ""},
		{"signature beside a repeated token", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header["X-Auth-Token"] = []string{"x", "y"} // judged by the signature alone
			return r
		}, ""},

		{"no credentials", func() *http.Request { return getTasks.build() }, noToken},
		{"empty token", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {""}}}.build()
		}, noToken},
		{"unknown token", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {"lab-token-2"}}}.build()
		}, badTok},
		{"token prefix", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {"lab-token"}}}.build()
		}, badTok},
		{"token twice", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {labToken, labToken}}}.build()
		}, badTok},
		{"unknown access key", func() *http.Request { return signed(getTasks, signer.Signer{AccessKey: "NOSUCHAK"}) },
			"Incorrect IAM authentication information: ak NOSUCHAK not exist"},
		{"wrong secret key", func() *http.Request { return signed(getTasks, signer.Signer{SecretKey: otherSK}) }, badSig},
		{"tampered body", func() *http.Request {
			r := signed(renameTask, signer.Signer{})
			r.Body = io.NopCloser(strings.NewReader(`{"name":"hijacked"}`))
			r.ContentLength = -1
			return r
		}, badSig},
		{"tampered query", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.URL.RawQuery = "state=RUNNING&limit=2"
			return r
		}, badSig},
		{"added query parameter", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.URL.RawQuery += "&offset=1"
			return r
		}, badSig},
		{"tampered path", func() *http.Request {
			r := signed(renameTask, signer.Signer{})
			r.URL.Path = "/v3/tasks/3f6e1d2c-8b4a-4c5d-9e7f-000000000013"
			return r
		}, badSig},
		{"tampered method", func() *http.Request {
			r := signed(request{method: http.MethodPut, target: "/v3/tasks", body: `{}`}, signer.Signer{})
			r.Method = http.MethodGet
			r.Body, r.ContentLength = http.NoBody, 0
			return r
		}, badSig},
		{"tampered signed header", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Set("X-Project-Id", "p2")
			return r
		}, badSig},
		{"tampered host", func() *http.Request {
			r := signed(getTasks, signer.Signer{SignedHeaders: []string{"host", "x-sdk-date"}})
			r.Host = "smslab.example"
			return r
		}, badSig},
		{"tampered date", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Set("X-Sdk-Date", authClock.Add(time.Minute).Format(signer.DateFormat))
			return r
		}, badSig},
		{"signed header missing", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Del("X-Project-Id")
			return r
		}, badSig},
		{"signed header twice", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Add("X-Project-Id", "p1")
			return r
		}, badSig},
		{"unsigned payload claimed after signing", func() *http.Request {
			r := signed(renameTask, signer.Signer{})
			r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
			return r
		}, badSig},
		{"date 16 minutes behind", func() *http.Request {
			return signed(getTasks, signer.Signer{Date: authClock.Add(-16 * time.Minute)})
		}, expired},
		{"date 16 minutes ahead", func() *http.Request {
			return signed(getTasks, signer.Signer{Date: authClock.Add(16 * time.Minute)})
		}, expired},
		{"date missing", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Del("X-Sdk-Date")
			return r
		}, badSig},
		{"date not in the signing form", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Set("X-Sdk-Date", authClock.Format(time.RFC1123))
			return r
		}, badSig},
		{"other scheme", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"Authorization": {"Bearer " + labToken}}}.build()
		}, badSig},
		{"authorization twice", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
			return r
		}, badSig},
		{"signature not hex", func() *http.Request {
			return withAuthorization(signed(getTasks, signer.Signer{}), func(v string) string {
				return v[:len(v)-64] + strings.Repeat("zz", 32)
			})
		}, badSig},
		{"signature truncated", func() *http.Request {
			return withAuthorization(signed(getTasks, signer.Signer{}), func(v string) string { return v[:len(v)-2] })
		}, badSig},
		{"signature missing", func() *http.Request {
			return withAuthorization(signed(getTasks, signer.Signer{}), func(v string) string {
				return v[:strings.Index(v, ", Signature=")]
			})
		}, badSig},
		{"signed headers upper case", func() *http.Request {
			return withAuthorization(signed(getTasks, signer.Signer{}), func(v string) string {
				return strings.Replace(v, "x-sdk-date", "X-Sdk-Date", 1)
			})
		}, badSig},
		{"unknown parameter", func() *http.Request {
			return withAuthorization(signed(getTasks, signer.Signer{}), func(v string) string { return v + ", Extra=1" })
		}, badSig},
		{"bad signature beside a good token", func() *http.Request {
			r := signed(getTasks, signer.Signer{SecretKey: otherSK})
			r.Header.Set("X-Auth-Token", labToken)
			return r
		}, badSig},
	}
	e, _, _ := newAuthTestApp(t, strictConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := wantAuthOutcome(t, e, tt.req(), tt.msg)
			if tt.msg != "" && w.Header().Get(echo.HeaderXRequestID) == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

func withAuthorization(r *http.Request, edit func(string) string) *http.Request {
	r.Header.Set("Authorization", edit(r.Header.Get("Authorization")))
	return r
}

// A refused update changes nothing; the same update, signed, does.
func TestRefusedUpdateChangesNothing(t *testing.T) {
	e, store, log := newAuthTestApp(t, strictConfig())
	r := signed(renameTask, signer.Signer{})
	r.Body = io.NopCloser(strings.NewReader(`{"name":"hijacked"}`))
	if w, _ := serve(e, r); w.Code != http.StatusUnauthorized {
		t.Fatalf("tampered update: status %d %s", w.Code, w.Body)
	}
	if task, err := store.GetTask(context.Background(), readyTask); err != nil || task.Name != "sms_task_cache-01" {
		t.Fatalf("after a refused update the name is %q (%v)", task.Name, err)
	}
	if w, _ := serve(e, signed(renameTask, signer.Signer{})); w.Code != http.StatusOK {
		t.Fatalf("signed update: status %d %s", w.Code, w.Body)
	}
	if task, err := store.GetTask(context.Background(), readyTask); err != nil || task.Name != "renamed" {
		t.Fatalf("after the signed update the name is %q (%v)", task.Name, err)
	}
	// The log says which rule failed, and holds no secret.
	got := log.String()
	if !strings.Contains(got, "signature does not match") {
		t.Errorf("log does not say why the request was refused:\n%s", got)
	}
	for _, secret := range []string{labSK, labToken} {
		if strings.Contains(got, secret) {
			t.Errorf("log shows a secret:\n%s", got)
		}
	}
}

// Open mode checks no secret, but a request must still carry a token or a well-formed signature.
func TestOpenModeRefusals(t *testing.T) {
	tests := []struct {
		name string
		req  func() *http.Request
		msg  string
	}{
		{"any token", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {"anything"}}}.build()
		}, ""},
		{"any key", func() *http.Request {
			return signed(getTasks, signer.Signer{AccessKey: "ANYAK", SecretKey: "any"})
		}, ""},
		{"any date", func() *http.Request { return signed(getTasks, signer.Signer{Date: authClock.AddDate(-1, 0, 0)}) }, ""},
		{"no credentials", func() *http.Request { return getTasks.build() }, auth.MsgNoToken},
		{"empty token", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {""}}}.build()
		}, auth.MsgNoToken},
		{"token at the API's limit", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {strings.Repeat("t", auth.MaxTokenLength)}}}.build()
		}, ""},
		{"token over the API's limit", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"X-Auth-Token": {strings.Repeat("t", auth.MaxTokenLength+1)}}}.build()
		}, auth.MsgBadToken},
		{"other scheme", func() *http.Request {
			return request{method: "GET", target: "/v3/tasks", header: http.Header{"Authorization": {"Basic YTpi"}}}.build()
		}, auth.MsgBadSignature},
		{"signature missing", func() *http.Request {
			return withAuthorization(signed(getTasks, signer.Signer{}), func(v string) string {
				return v[:strings.Index(v, ", Signature=")]
			})
		}, auth.MsgBadSignature},
		{"date missing", func() *http.Request {
			r := signed(getTasks, signer.Signer{})
			r.Header.Del("X-Sdk-Date")
			return r
		}, auth.MsgBadSignature},
	}
	e, _, _ := newAuthTestApp(t, auth.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAuthOutcome(t, e, tt.req(), tt.msg)
		})
	}
}

// wantAuthOutcome serves req and checks that it was answered 200 (msg empty) or refused with 401
// APIGW.0301 and the message msg.
func wantAuthOutcome(t *testing.T, e *echo.Echo, req *http.Request, msg string) *httptest.ResponseRecorder {
	t.Helper()
	w, env := serve(e, req)
	if msg == "" {
		if w.Code != http.StatusOK {
			t.Fatalf("status %d %s, want 200", w.Code, w.Body)
		}
	} else if w.Code != http.StatusUnauthorized || env.Code != "APIGW.0301" || env.Msg != msg {
		t.Fatalf("got %d %s, want 401 APIGW.0301 %q", w.Code, w.Body, msg)
	}
	return w
}

// Unknown routes and methods answer 404 before any credential check, as the gateway does.
func TestUnknownRouteNeedsNoCredentials(t *testing.T) {
	e, _, _ := newAuthTestApp(t, strictConfig())
	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/v3/servers", nil),
		httptest.NewRequest(http.MethodOptions, "/v3/tasks/"+readyTask+"/progress", nil),
	} {
		w, env := serve(e, r)
		if w.Code != http.StatusNotFound || env.Code != "APIGW.0101" {
			t.Errorf("%s %s: got %d %s, want 404 APIGW.0101", r.Method, r.URL, w.Code, w.Body)
		}
	}
}

// Without valid credentials a request is refused with 401 whatever its body: the gateway answers
// before SMS would look at the Content-Type or at a GET's body.
func TestCredentialsAreCheckedBeforeTheBody(t *testing.T) {
	e, _, _ := newAuthTestApp(t, strictConfig())
	for _, tt := range []struct {
		method, target, contentType, body string
	}{
		{http.MethodPut, "/v3/tasks/" + readyTask, "text/plain", `{"name":"renamed"}`},
		{http.MethodPut, "/v3/tasks/" + readyTask + "/progress", "", `{}`},
		{http.MethodGet, "/v3/tasks", "", `{"limit":1}`},
	} {
		for _, token := range []string{"", "wrong"} {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			want := auth.MsgNoToken
			if token != "" {
				r.Header.Set("X-Auth-Token", token)
				want = auth.MsgBadToken
			}
			t.Run(tt.method+" "+tt.target+" token="+token, func(t *testing.T) {
				wantAuthOutcome(t, e, r, want)
			})
		}
	}
}

// countingBody is a request body that counts the bytes read from it.
type countingBody struct {
	r    io.Reader
	read int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

func (b *countingBody) Close() error { return nil }

// Credentials that can be judged without the body are judged before a byte of it is read, so
// that a refused request costs its headers, not up to 12 MiB; only a signature over the body
// needs the body.
func TestCredentialsAreRefusedBeforeTheBodyIsRead(t *testing.T) {
	body := `{"name":"` + strings.Repeat("n", 4<<20) + `"}`
	put := request{method: http.MethodPut, target: "/v3/tasks/" + readyTask, body: body}
	withToken := func(tokens ...string) func() *http.Request {
		return func() *http.Request {
			return request{method: put.method, target: put.target, body: body, header: http.Header{"X-Auth-Token": tokens}}.build()
		}
	}
	tests := []struct {
		name   string
		strict bool
		req    func() *http.Request
		msg    string
	}{
		{"no credentials", true, func() *http.Request { return put.build() }, auth.MsgNoToken},
		{"empty token", true, withToken(""), auth.MsgNoToken},
		{"token twice", true, withToken(labToken, labToken), auth.MsgBadToken},
		{"token over the API's limit", true, withToken(strings.Repeat("t", auth.MaxTokenLength+1)), auth.MsgBadToken},
		{"unknown token", true, withToken("lab-token-2"), auth.MsgBadToken},
		{"other scheme", true, func() *http.Request {
			return request{method: put.method, target: put.target, body: body, header: http.Header{"Authorization": {"Basic YTpi"}}}.build()
		}, auth.MsgBadSignature},
		{"signature not hex", true, func() *http.Request {
			return withAuthorization(signed(put, signer.Signer{}), func(v string) string {
				return v[:len(v)-64] + strings.Repeat("zz", 32)
			})
		}, auth.MsgBadSignature},
		{"authorization twice", true, func() *http.Request {
			r := signed(put, signer.Signer{})
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
			return r
		}, auth.MsgBadSignature},
		{"unknown access key", true, func() *http.Request { return signed(put, signer.Signer{AccessKey: "NOSUCHAK"}) },
			"Incorrect IAM authentication information: ak NOSUCHAK not exist"},
		{"stale date", true, func() *http.Request { return signed(put, signer.Signer{Date: authClock.Add(-16 * time.Minute)}) },
			auth.MsgExpired},
		{"date missing", true, func() *http.Request {
			r := signed(put, signer.Signer{})
			r.Header.Del("X-Sdk-Date")
			return r
		}, auth.MsgBadSignature},
		{"signed header missing", true, func() *http.Request {
			r := signed(put, signer.Signer{})
			r.Header.Del("X-Project-Id")
			return r
		}, auth.MsgBadSignature},
		{"signed header twice", true, func() *http.Request {
			r := signed(put, signer.Signer{})
			r.Header.Add("X-Project-Id", "p1")
			return r
		}, auth.MsgBadSignature},
		{"open: no credentials", false, func() *http.Request { return put.build() }, auth.MsgNoToken},
		{"open: token over the API's limit", false, withToken(strings.Repeat("t", auth.MaxTokenLength+1)), auth.MsgBadToken},
		{"open: signature missing", false, func() *http.Request {
			return withAuthorization(signed(put, signer.Signer{}), func(v string) string {
				return v[:strings.Index(v, ", Signature=")]
			})
		}, auth.MsgBadSignature},
	}
	strict, _, _ := newAuthTestApp(t, strictConfig())
	open, _, _ := newAuthTestApp(t, auth.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := open
			if tt.strict {
				e = strict
			}
			r := tt.req()
			counted := &countingBody{r: r.Body}
			r.Body = counted
			wantAuthOutcome(t, e, r, tt.msg)
			if counted.read != 0 {
				t.Errorf("%d bytes of the body read before refusing it", counted.read)
			}
		})
	}

	// A signature that does not match the body can only be refused once the body is read.
	r := signed(put, signer.Signer{})
	counted := &countingBody{r: strings.NewReader(strings.Replace(body, "nnn", "NNN", 1))}
	r.Body = counted
	wantAuthOutcome(t, strict, r, auth.MsgBadSignature)
	if counted.read != len(body) {
		t.Errorf("%d bytes of the %d of a tampered body read", counted.read, len(body))
	}
}
