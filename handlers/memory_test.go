package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"smslab/handlers"
)

// Requests hold at most BodyBudget bytes of bodies together: a request that finds no room waits
// for it, and after BodyWait is answered 503 with Retry-After; it goes through once there is room.
func TestBodiesShareABudget(t *testing.T) {
	body := exampleReport
	app := newTestAppWith(t, handlers.Config{BodyBudget: int64(len(body)), BodyWait: 20 * time.Millisecond})
	target := "/v3/tasks/" + dbOrdersTaskID + "/progress"
	newReport := func(body io.Reader) *http.Request {
		req := httptest.NewRequest(http.MethodPut, target, body)
		req.ContentLength = int64(len(exampleReport))
		req.Header.Set("X-Auth-Token", "t")
		req.Header.Set("Content-Type", "application/json")
		return req
	}

	// The first report takes the whole budget and holds it while its body trickles in.
	pr, pw := io.Pipe()
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- app.serve(newReport(pr)) }()
	if _, err := io.WriteString(pw, body[:1]); err != nil { // returns once the handler reads
		t.Fatal(err)
	}

	rec := app.serve(newReport(strings.NewReader(body)))
	wantError(t, rec, http.StatusServiceUnavailable, "SMS.9003", "The server is busy")
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}

	io.WriteString(pw, body[1:])
	if rec := <-first; rec.Code != http.StatusOK {
		t.Fatalf("the report holding the budget: %d %s", rec.Code, rec.Body)
	}
	if rec := app.serve(newReport(strings.NewReader(body))); rec.Code != http.StatusOK {
		t.Errorf("once the budget is free: %d %s", rec.Code, rec.Body)
	}
}
