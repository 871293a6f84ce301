// Command makev4 writes the schema-version-4 fixture of the migration tests: a database made by
// smslab before migration 0005 (sub-tasks as a JSON column), dumped as SQL, and what that smslab
// served from it. Run it at a commit whose schema is version 4 (b1a81d1, say), from the module
// root, after copying this directory there:
//
//	go run ./db/testdata/makev4 db/testdata
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"smslab/db"
	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "makev4:", err)
		os.Exit(1)
	}
}

func ptr[T any](v T) *T { return &v }

// now is the clock of every write: 2026-11-23T10:00:00Z, then a second more for each.
var now = time.UnixMilli(1795428000000)

func run(out string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "makev4")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "v4.db")
	store, err := db.Open(ctx, path)
	if err != nil {
		return err
	}
	store.Now = func() time.Time { now = now.Add(time.Second); return now }
	tasks, err := seed.Load(sms.NewDecoder(), seed.Demo)
	if err != nil {
		return err
	}
	tasks = append(tasks, edgeTasks()...)
	if err := store.Import(ctx, tasks); err != nil {
		return err
	}
	if err := writes(ctx, store); err != nil {
		return err
	}

	// What this smslab serves from it.
	list, err := store.ListTasks(ctx, &sms.ListTasksQuery{Limit: 100})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "v4-list.json"), append(append([]byte("["), list.Tasks...), ']', '\n'), 0o644); err != nil {
		return err
	}
	stored := map[string][]sms.SubTask{}
	for _, t := range tasks {
		row, err := store.GetTask(ctx, *t.ID)
		if err != nil {
			return err
		}
		var subTasks []sms.SubTask
		if row.SubTasks != nil {
			if err := json.Unmarshal([]byte(*row.SubTasks), &subTasks); err != nil {
				return err
			}
		}
		stored[row.ID] = subTasks
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "v4-sub-tasks.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	store.Now = func() time.Time { return time.UnixMilli(1795429000000) }
	e := handlers.New(handlers.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status/tasks?limit=200", nil))
	if rec.Code != http.StatusOK {
		return fmt.Errorf("status page: %d %s", rec.Code, rec.Body)
	}
	if err := os.WriteFile(filepath.Join(out, "v4-status.json"), append(rec.Body.Bytes(), '\n'), 0o644); err != nil {
		return err
	}
	if err := store.Close(); err != nil {
		return err
	}

	dump, err := exec.Command("sqlite3", path, ".dump").Output()
	if err != nil {
		return fmt.Errorf("sqlite3 .dump: %w", err)
	}
	dump = append(dump, "PRAGMA user_version = 4;\n"...)
	return os.WriteFile(filepath.Join(out, "v4.sql"), dump, 0o644)
}

// edgeTasks are tasks whose sub-tasks and subtask_info take every path through storing, listing
// and the status page's current sub-task.
func edgeTasks() []sms.Task {
	st := func(id int64, name string, progress int32) sms.TaskSubTask {
		return sms.TaskSubTask{ID: ptr(id), Name: ptr(name), Progress: ptr(progress)}
	}
	created := int64(1795000000000)
	task := func(id, state string, info *string, subTasks []sms.TaskSubTask) sms.Task {
		created += 60_000
		return sms.Task{ID: ptr(id), Name: ptr("edge " + id), State: ptr(state), CreateDate: ptr(created),
			SubtaskInfo: info, SubTasks: subTasks, MigrateSpeed: ptr(-0.0)}
	}
	chars := "quote \" backslash \\ tab \t line\nfeed \r é 中文 🚀 <script>&amp; \u2028\u2029 end"
	big := make([]sms.TaskSubTask, 260)
	for i := range big {
		big[i] = st(int64(100000+i), fmt.Sprintf("STEP_%04d", i), int32(i%101))
		if i%10 == 0 {
			big[i].StartDate, big[i].ProcessTrace = ptr(created+int64(i)), ptr(fmt.Sprintf("trace %d %s", i, chars))
		}
		if i%7 == 0 {
			big[i].EndDate = ptr(created + int64(i) + 5)
		}
	}
	big[17].Progress = nil
	return []sms.Task{
		task("edge-none", "READY", nil, nil),
		task("edge-empty", "RUNNING", ptr("MIGRATE_LINUX_BLOCK 5%"), []sms.TaskSubTask{}),
		task("edge-null-progress", "RUNNING", ptr("just words"), []sms.TaskSubTask{
			{ID: ptr(int64(501)), Name: ptr("CREATE_CLOUD_SERVER")}, {Name: ptr("SSL_CONFIG")}, {}}),
		task("edge-chars", "RUNNING", ptr(chars+" 40%"), []sms.TaskSubTask{
			{ID: ptr(int64(511)), Name: ptr(chars), Progress: ptr(int32(40)), StartDate: ptr(int64(1)), ProcessTrace: ptr(chars)},
			{ID: ptr(int64(512)), Name: ptr("second"), Progress: ptr(int32(0)), ProcessTrace: ptr("")}}),
		task("edge-done", "MIGRATE_SUCCESS", nil, []sms.TaskSubTask{st(521, "CREATE_CLOUD_SERVER", 100), st(522, "SSL_CONFIG", 100)}),
		task("edge-unnamed-last", "MIGRATE_FAIL", nil, []sms.TaskSubTask{st(531, "CREATE_CLOUD_SERVER", 100), {ID: ptr(int64(532)), Progress: ptr(int32(100))}}),
		task("edge-first-unfinished", "MIGRATE_FAIL", ptr("words only"), []sms.TaskSubTask{st(541, "A", 100), {Progress: ptr(int32(3))}, st(543, "C", 60), st(544, "D", 0)}),
		task("edge-info-elsewhere", "RUNNING", ptr("NOT_THERE 77%"), []sms.TaskSubTask{st(551, "A", 10)}),
		task("edge-dup-names", "RUNNING", ptr("A 10%"), []sms.TaskSubTask{st(561, "B", 100), st(562, "A", 30), st(563, "A", 90)}),
		task("edge-big", "RUNNING", ptr("STEP_0200 40%"), big),
	}
}

// writes are what agents and updates do to some of the tasks, through this smslab.
func writes(ctx context.Context, store *db.Store) error {
	dec := sms.NewDecoder()
	update := func(id, body string) error {
		req, err := dec.DecodeUpdateTask([]byte(body))
		if err != nil {
			return err
		}
		return store.UpdateTask(ctx, id, req)
	}
	report := func(id, subTask string, progress int32, trace string, speed *float64) error {
		return store.ReportProgress(ctx, id, &sms.ProgressReport{SubtaskName: ptr(subTask), Progress: ptr(progress),
			Replicatesize: ptr(int64(progress) * 10), Totalsize: ptr(int64(1000)), ProcessTrace: ptr(trace), MigrateSpeed: speed})
	}
	steps := []func() error{
		func() error {
			return update("edge-info-elsewhere", `{"sub_tasks":[{"id":552,"name":"A","progress":10,"migrate_speed":12.345678901234567,"user_op":"REPLICATE","process_trace":"t\"q"},{"name":"B","progress":0,"start_date":5,"end_date":6}],"name":"renamed edge"}`)
		},
		func() error { return update("edge-none", `{"sub_tasks":null,"priority":1}`) },
		func() error { return report("edge-empty", "CREATE_CLOUD_SERVER", 40, "made \u00e9", ptr(0.1)) },
		func() error { return report("edge-empty", "SSL_CONFIG", 100, "", nil) },
		func() error { return report("edge-chars", "second", 70, "chars \\ \"", ptr(1e-7)) },
		func() error { return report("edge-big", "STEP_0200", 55, "big", nil) },
		func() error { return report("edge-big", "NEW_STEP", 5, "appended", ptr(3.5)) },
		func() error { return report("edge-dup-names", "A", 95, "dup", nil) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("write %d: %w", i, err)
		}
	}
	return nil
}
