package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"smslab/seed"
	"smslab/sms"
)

// A member a body has no field for is refused, at any depth, with its path and the operation.
func TestUnknownMembersAreRefused(t *testing.T) {
	update := "/v3/tasks/" + dbOrdersTaskID
	progress := update + "/progress"
	tests := []struct{ target, body, wantMsg string }{
		{update, `{"nmae":"typo"}`, "nmae is not a field of the UpdateTask request body"},
		{update, `{"name":"x","source_server":{"hostname":"h","cpus":4}}`, "source_server.cpus is not a field of the UpdateTask request body"},
		{update, `{"target_server":{"disks":[{"name":"d","size":1,"device_use":"BOOT","typ":"x"}]}}`,
			"target_server.disks[0].typ is not a field of the UpdateTask request body"},
		{update, `{"sub_tasks":[{"name":"SSL_CONFIG","progress":100,"subtask_name":"SSL_CONFIG"}]}`,
			"sub_tasks[0].subtask_name is not a field of the UpdateTask request body"},
		{progress, report("priority", "1"), "priority is not a field of the UpdateTaskSpeed request body"},
		{progress, report("Progress", "1"), "Progress is not a field of the UpdateTaskSpeed request body"},
	}
	app := newTestApp(t)
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			wantLimit(t, app, tt.target, dbOrdersTaskID, tt.body, tt.wantMsg)
		})
	}
}

// A seed file holds a ListTasks answer, which a newer service may extend: members it does not
// know are not refused, where request bodies refuse them.
func TestSeedFilesTakeUnknownMembers(t *testing.T) {
	f, err := seed.Parse(sms.NewDecoder(), []byte(`{"count":1,"newer":true,"tasks":[{"id":"t-1","state":"READY",`+
		`"newer_field":{"x":[1]},"source_server":{"id":"s-1","newer":1}}]}`))
	if err != nil || len(f.Tasks) != 1 || *f.Tasks[0].ID != "t-1" {
		t.Fatalf("a seed file with members smslab does not know: %v, %+v", err, f)
	}
}

// BenchmarkManyUnknownMembers sends a 7 MB report of 500,000 unknown members: it used to be
// read whole, each name kept to find duplicates; now the first one ends it.
func BenchmarkManyUnknownMembers(b *testing.B) {
	var body bytes.Buffer
	body.WriteString(`{"subtask_name":"SSL_CONFIG","progress":1,"replicatesize":1,"totalsize":1,"process_trace":""`)
	for i := range 500_000 {
		fmt.Fprintf(&body, `,"x%d":0`, i)
	}
	body.WriteString("}")
	app := newTestApp(b)
	target := "/v3/tasks/" + dbOrdersTaskID + "/progress"
	b.SetBytes(int64(body.Len()))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPut, target, bytes.NewReader(body.Bytes()))
		req.Header.Set("X-Auth-Token", "t")
		req.Header.Set("Content-Type", "application/json")
		if rec := app.serve(req); rec.Code != http.StatusBadRequest {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
