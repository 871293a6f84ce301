package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"smslab/sms"
)

// newRequest is an authenticated request with body (none if empty) and no Content-Type.
func newRequest(method, target, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	req.Header.Set("X-Auth-Token", "test-token")
	return req
}

// decode fails unless rec is a 200, and decodes its body into v.
func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, rec.Body)
	}
	return v
}

// defaultProjectID is the id of the default migration project.
func (a *testApp) defaultProjectID(t testing.TB) string {
	t.Helper()
	resp := decode[sms.ListMigprojectsResponse](t, a.get("/v3/migprojects?limit=100"))
	for _, p := range resp.Migprojects {
		if *p.Isdefault {
			return *p.ID
		}
	}
	t.Fatal("no default project")
	return ""
}
