package static_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"smslab/agent"
	"smslab/db"
	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

var update = flag.Bool("update", false, "rewrite the screenshots in docs/ (status-dark.png, status-light.png, demo.png, wall-dark.png, wall-light.png)")

// The demo's running task that the tests report progress on.
const dbOrders = "3f6e1d2c-8b4a-4c5d-9e7f-000000000003"

// hostileID is a task whose every shown text is markup that would run script if the page
// parsed it as HTML.
const hostileID = "hostile-0001"

const hostileName = `<img src=x onerror=alert(1)>`

var hostileTask = `{"tasks": [{
  "id": "` + hostileID + `", "name": "<img src=x onerror=alert(1)>", "state": "MIGRATE_FAIL",
  "create_date": 1795000000000, "type": "MIGRATE_FILE", "os_type": "LINUX",
  "error_json": "<script>alert(2)</script>",
  "subtask_info": "MIGRATE_LINUX_FILE 12%",
  "source_server": {"id": "evil", "name": "<b onmouseover=alert(3)>x</b>", "ip": "\"><svg onload=alert(4)>"},
  "sub_tasks": [{"id": 1, "name": "MIGRATE_LINUX_FILE", "progress": 12, "start_date": 1795000001000,
    "process_trace": "<img src=y onerror=alert(5)>"}]
}]}`

// lab is a real smslab: the Echo app on a TCP listener over a SQLite file.
type lab struct {
	addr, dbPath string
	stopOnce     sync.Once
	stop         func()
}

// startLab serves dbPath on addr (127.0.0.1:0 for a free port) after importing tasks.
func startLab(t *testing.T, addr, dbPath string, tasks []sms.Task) *lab {
	t.Helper()
	return startLabSeed(t, addr, dbPath, &sms.SeedFile{Tasks: tasks})
}

// startLabSeed is startLab with a whole seed: projects, sources and tasks.
func startLabSeed(t *testing.T, addr, dbPath string, f *sms.SeedFile) *lab {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ImportSeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	app := handlers.New(handlers.Config{
		Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Status: handlers.StatusInfo{Addr: ln.Addr().String(), DBPath: dbPath,
			AuthMode: "open", Started: time.Now()},
	})
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	l := &lab{addr: ln.Addr().String(), dbPath: dbPath}
	l.stop = func() {
		l.stopOnce.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			<-served
			store.Close()
		})
	}
	t.Cleanup(l.stop)
	return l
}

func (l *lab) url() string { return "http://" + l.addr + "/" }

// report sends an agent's progress report through the API, as an agent does.
func (l *lab) report(t *testing.T, taskID, body string) {
	t.Helper()
	l.send(t, http.MethodPut, "/v3/tasks/"+taskID+"/progress", body)
}

// send sends an API request with a JSON body, which must be answered 200.
func (l *lab) send(t *testing.T, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+l.addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "lab")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
	}
}

func demoTasks(t *testing.T, extra ...string) []sms.Task {
	t.Helper()
	dec := sms.NewDecoder()
	f, err := seed.Load(dec, seed.Demo)
	if err != nil {
		t.Fatal(err)
	}
	tasks := f.Tasks
	for _, file := range extra {
		more, err := seed.Parse(dec, []byte(file))
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, more.Tasks...)
	}
	return tasks
}

// chromium finds the browser, or skips the test where it is missing, except in CI.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	const msg = "the status page test needs Chromium; install it: apt-get install -y chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// pageEvents is what the page said on the console, threw, or opened as a dialog.
type pageEvents struct {
	mu      sync.Mutex
	console []string
	dialogs []string
}

func (p *pageEvents) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p.console = append(p.console, "console."+string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		text := ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil {
			text += " " + ex.Description
		}
		p.console = append(p.console, "exception: "+text)
	case *cdplog.EventEntryAdded:
		// Every level but verbose: CSP violations and failed loads are errors.
		if ev.Entry.Level != cdplog.EntryLevelVerbose {
			p.console = append(p.console, fmt.Sprintf("log %s/%s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
		}
	case *page.EventJavascriptDialogOpening:
		p.dialogs = append(p.dialogs, string(ev.Type)+": "+ev.Message)
	}
}

// take returns what was recorded so far and forgets it.
func (p *pageEvents) take() (console, dialogs []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	console, dialogs = p.console, p.dialogs
	p.console, p.dialogs = nil, nil
	return console, dialogs
}

// cspProbe runs before the page's own scripts and counts the CSP violations the page causes.
const cspProbe = `window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));`

// newBrowser starts headless Chromium on a fresh profile with everything that would reach the
// network turned off (the lab has none, and Chromium hangs trying).
func newBrowser(t *testing.T, width, height int) (context.Context, *pageEvents) {
	t.Helper()
	path := chromium(t)
	events := &pageEvents{}
	// Chromium now and then exits at start, before it says where it listens, with nothing in its
	// output but dbus noise (CI, beside the other packages' tests); that says nothing about the
	// page, so a start that fails so is tried again, twice, on a new profile.
	ctx, err := startBrowser(t, path, width, height, events)
	for tries := 1; err != nil && tries < 3 && strings.Contains(err.Error(), "chrome failed to start"); tries++ {
		t.Logf("start Chromium, trying again: %v", err)
		ctx, err = startBrowser(t, path, width, height, events)
	}
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		t.Fatal(err)
	}
	// A dialog would block the page; dismiss it, and the test fails on having seen it.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()
	return ctx, events
}

// startBrowser starts one Chromium for newBrowser, stopped when the test ends.
func startBrowser(t *testing.T, path string, width, height int, events *pageEvents) (context.Context, error) {
	profile := t.TempDir() // removed after the browser stops: cleanups run last-in first-out
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(events.record))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	return ctx, chromedp.Do(ctx)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls the page until expr is true, for at most fifteen seconds: generous, because CI
// runs this beside every other package's tests under -race, and the page is slow to get its
// turn; how long the page took is logged where it matters, never asserted.
func waitFor(t *testing.T, ctx context.Context, what, expr string) time.Duration {
	t.Helper()
	start := time.Now()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		t.Fatalf("waiting for %s: %v\nbanner: %q", what, err,
			eval[string](t, ctx, `document.getElementById("banner").textContent`))
	}
	return time.Since(start)
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// row is a JavaScript expression for the list row of a task.
func row(id string) string {
	return fmt.Sprintf(`document.querySelector('#rows tr.task[data-id=%q]')`, id)
}

func TestStatusPageInChromium(t *testing.T) {
	ctx, events := newBrowser(t, 1600, 1000)
	l := startLab(t, "127.0.0.1:0", filepath.Join(t.TempDir(), "smslab.db"), demoTasks(t, hostileTask))

	do(t, ctx, chromedp.Navigate(l.url()))
	waitFor(t, ctx, "the 20 tasks", `document.querySelectorAll("#rows tr.task").length === 20`)
	eval[any](t, ctx, `window.__sameDocument = true`)

	// The header: this instance and the counts by state.
	if got := eval[string](t, ctx, `document.getElementById("addr").textContent`); got != l.addr {
		t.Errorf("address %q, want %q", got, l.addr)
	}
	if got := eval[string](t, ctx, `document.getElementById("db").textContent`); got != l.dbPath {
		t.Errorf("database %q, want %q", got, l.dbPath)
	}
	chips := eval[string](t, ctx, `[...document.querySelectorAll("#chips .chip")]
		.map((c) => c.querySelector(".label").textContent + " " + c.querySelector(".n").textContent).join(", ")`)
	if want := "All 20, Running 4, Syncing 1, Succeeded 5, Failed 3, Aborted 1, Ready 6"; chips != want {
		t.Errorf("chips %q, want %q", chips, want)
	}

	// Running first; within a rank, the newest first.
	order := eval[string](t, ctx, `[...document.querySelectorAll("#rows tr.task .badge:not(.health)")].map((b) => b.textContent).join(",")`)
	if want := "running,running,running,running,syncing,migrate fail,migrate fail,migrate fail,ready,ready," +
		"ready,ready,ready,ready,abort,migrate success,migrate success,migrate success,migrate success,migrate success"; order != want {
		t.Errorf("states in order\n%s\nwant\n%s", order, want)
	}

	// A hostile name is text: shown literally, no element made of it, nothing run.
	if got := eval[string](t, ctx, row(hostileID)+`.querySelector(".name").textContent`); got != hostileName {
		t.Errorf("hostile name shown as %q", got)
	}
	if got := eval[string](t, ctx, row(hostileID)+`.querySelector(".error").textContent`); got != "<script>alert(2)</script>" {
		t.Errorf("hostile error shown as %q", got)
	}

	// A progress report moves the bar without a reload.
	pct := row(dbOrders) + `.querySelector(".pct").textContent`
	if got := eval[string](t, ctx, pct); got != "63%" {
		t.Fatalf("db-orders at %s before the report, want 63%%", got)
	}
	l.report(t, dbOrders, `{"subtask_name": "MIGRATE_LINUX_BLOCK", "progress": 87, "replicatesize": 596000000000,
		"totalsize": 687194767360, "process_trace": "copying /dev/sdb", "migrate_speed": 420.5, "remain_time": 1800}`)
	took := waitFor(t, ctx, "the bar at 87%", pct+` === "87%" && `+row(dbOrders)+`.querySelector(".fill").style.width === "87%"`)
	t.Logf("the page showed the progress report after %v", took.Round(time.Millisecond))
	cells := eval[[]string](t, ctx, `[...`+row(dbOrders)+`.querySelectorAll("td.num")].map((c) => c.textContent)`)
	if len(cells) != 4 || cells[0] != "420.5 Mbit/s" || cells[1] != "555.1 GiB / 640.0 GiB" ||
		!(strings.HasPrefix(cells[2], "30 min") || strings.HasPrefix(cells[2], "29 min")) || !strings.HasSuffix(cells[3], " s ago") {
		t.Errorf("db-orders speed, size, remaining, last report: %q", cells)
	}
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("the page reloaded")
	}

	// Expanding rows shows their sub-tasks in order, as text.
	// The buttons are clicked through the DOM: a mouse click aims at coordinates, and the rows
	// move when the first one opens and the next poll fills it in.
	for _, id := range []string{dbOrders, hostileID} {
		eval[any](t, ctx, row(id)+`.querySelector(".expander").click()`)
		waitFor(t, ctx, id+" expanded", row(id)+`.querySelector(".expander").getAttribute("aria-expanded") === "true"`)
	}
	waitFor(t, ctx, "db-orders' sub-tasks", row(dbOrders)+`.nextElementSibling.querySelectorAll(".subtasks tbody tr").length === 7`)
	subs := eval[string](t, ctx, row(dbOrders)+`.nextElementSibling.querySelector(".subtasks tbody").innerText`)
	for _, want := range []string{"CREATE_CLOUD_SERVER", "MIGRATE_LINUX_BLOCK\t\n87%", "copying /dev/sdb", "DETTACH_AGENT_IMAGE"} {
		if !strings.Contains(subs, want) {
			t.Errorf("sub-tasks lack %q:\n%s", want, subs)
		}
	}
	waitFor(t, ctx, "the hostile trace", row(hostileID)+`.nextElementSibling.querySelector(".trace")?.textContent === "<img src=y onerror=alert(5)>"`)

	// Filters: a state chip, then a name search.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#chips .chip[data-group="failed"]`)))
	waitFor(t, ctx, "the failed tasks", `document.querySelectorAll("#rows tr.task").length === 3`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#search"), "mail"))
	waitFor(t, ctx, "the search", `document.querySelectorAll("#rows tr.task").length === 1 && `+
		`document.querySelector("#rows .name").textContent === "sms_task_mail-gw"`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#chips .chip[data-group=""]`)))
	eval[any](t, ctx, `(() => { const s = document.getElementById("search"); s.value = ""; s.dispatchEvent(new Event("input")); })()`)
	waitFor(t, ctx, "all tasks again", `document.querySelectorAll("#rows tr.task").length === 20`)

	// Nothing ran, nothing was blocked, nothing was logged.
	if n := eval[int](t, ctx, `document.querySelectorAll("img, svg, script:not([src]), b").length`); n != 0 {
		t.Errorf("the page holds %d elements made of task data", n)
	}
	if v := eval[[]string](t, ctx, `window.__csp`); len(v) != 0 {
		t.Errorf("CSP violations: %q", v)
	}
	console, dialogs := events.take()
	if len(dialogs) != 0 {
		t.Errorf("dialogs opened: %q", dialogs)
	}
	if len(console) != 0 {
		t.Errorf("console:\n%s", strings.Join(console, "\n"))
	}

	// The CSP is really in force: an inline script is refused and reported.
	if eval[bool](t, ctx, `(() => { const s = document.createElement("script");
		s.textContent = "window.__inlineRan = true"; document.body.append(s); return window.__inlineRan === true; })()`) {
		t.Error("an inline script ran despite the CSP")
	}
	waitFor(t, ctx, "the CSP violation report", `window.__csp.some((v) => v.startsWith("script-src"))`)

	// The server goes away: the page says so, keeps the last figures, and comes back by itself
	// when the server restarts on the same address and database.
	l.stop()
	waitFor(t, ctx, "the offline banner", `document.body.classList.contains("offline") && `+
		`document.getElementById("banner").textContent.startsWith("Cannot reach smslab at `+l.addr+`")`)
	if n := eval[int](t, ctx, `document.querySelectorAll("#rows tr.task").length`); n != 20 {
		t.Errorf("offline, the page shows %d tasks, want the last 20", n)
	}
	l2 := startLab(t, l.addr, l.dbPath, nil)
	waitFor(t, ctx, "the page live again", `!document.body.classList.contains("offline") && `+
		`document.getElementById("banner").textContent.startsWith("smslab restarted at")`)
	l2.report(t, dbOrders, `{"subtask_name": "MIGRATE_LINUX_BLOCK", "progress": 95, "replicatesize": 650000000000,
		"totalsize": 687194767360, "process_trace": "copying /dev/sdc"}`)
	waitFor(t, ctx, "the bar at 95% after the restart", pct+` === "95%"`)
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("the page reloaded")
	}
	_, dialogs = events.take()
	if len(dialogs) != 0 {
		t.Errorf("dialogs opened: %q", dialogs)
	}
}

// edgeTasks are tasks a seed file may hold that once broke the page: an id of dots and characters
// a query must escape (the id ".", a path segment of its own, is refused now), a 255-character
// source server name, and a failed task with more sub-tasks than the page shows, none of them
// ended.
func edgeTasks() string {
	var subTasks []string
	for i := range 250 {
		subTasks = append(subTasks, fmt.Sprintf(`{"id": %d, "name": "STEP_%03d", "progress": 10, "start_date": 1795000001000}`, i+1, i))
	}
	return `{"tasks": [
  {"id": "...?#%", "name": "dot-task", "state": "RUNNING", "create_date": 1795000000000,
   "sub_tasks": [{"id": 1, "name": "CREATE_CLOUD_SERVER", "progress": 50, "start_date": 1795000001000}]},
  {"id": "long-source", "name": "long-source", "state": "READY", "create_date": 1795000000000,
   "source_server": {"id": "s-long", "name": "` + strings.Repeat("n", 255) + `"}},
  {"id": "many-subs", "name": "many-subs", "state": "MIGRATE_FAIL", "create_date": 1795000000000,
   "sub_tasks": [` + strings.Join(subTasks, ",") + `]}
]}`
}

// The page stays within the window, loads any task's sub-tasks, shows a bounded number of them,
// does not count a stopped task's sub-task time on, and drops control characters from a search
// (smslab refuses them) rather than going "offline".
func TestStatusPageEdgeCases(t *testing.T) {
	ctx, events := newBrowser(t, 1600, 1000)
	l := startLab(t, "127.0.0.1:0", filepath.Join(t.TempDir(), "smslab.db"), demoTasks(t, edgeTasks()))
	do(t, ctx, chromedp.Navigate(l.url()))
	waitFor(t, ctx, "the 22 tasks", `document.querySelectorAll("#rows tr.task").length === 22`)

	if w := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
		t.Errorf("the page is %d px wide in a %d px window", w[0], w[1])
	}

	for _, id := range []string{"...?#%", "many-subs"} {
		eval[any](t, ctx, row(id)+`.querySelector(".expander").click()`)
	}
	waitFor(t, ctx, "the sub-task of task ...?#%", row("...?#%")+`.nextElementSibling.querySelectorAll(".subtasks tbody tr").length === 1`)
	waitFor(t, ctx, "200 sub-tasks and a count", row("many-subs")+`.nextElementSibling.querySelectorAll(".subtasks tbody tr").length === 201`)
	if got := eval[string](t, ctx, row("many-subs")+`.nextElementSibling.querySelector(".subtasks tbody tr:last-child").textContent`); got != "… and 50 more sub-tasks, not shown" {
		t.Errorf("last sub-task row %q", got)
	}
	if got := eval[string](t, ctx, row("many-subs")+`.nextElementSibling.querySelector(".subtasks tbody tr td:nth-child(6)").textContent`); got != "—" {
		t.Errorf("a failed task's unfinished sub-task took %q, want —", got)
	}
	if got := eval[string](t, ctx, row("...?#%")+`.nextElementSibling.querySelector(".subtasks tbody tr td:nth-child(6)").textContent`); !strings.Contains(got, " d ") {
		t.Errorf("a running task's sub-task took %q, want days (it started in 2026)", got)
	}

	eval[any](t, ctx, `(() => { const s = document.getElementById("search"); s.value = "dot-\u0085task"; s.dispatchEvent(new Event("input")); })()`)
	waitFor(t, ctx, "the search without its control character", `document.querySelectorAll("#rows tr.task").length === 1 && `+
		`document.querySelector("#rows .name").textContent === "dot-task"`)
	if eval[bool](t, ctx, `document.body.classList.contains("offline") || !document.getElementById("banner").hidden`) {
		t.Errorf("after the search the page shows %q", eval[string](t, ctx, `document.getElementById("banner").textContent`))
	}
	// Every view is in the address, and an address restores it.
	waitFor(t, ctx, "the search in the address", `location.search === "?name=dot-task"`)
	do(t, ctx, chromedp.Navigate(l.url()+"?state=failed&name=many&limit=25"))
	waitFor(t, ctx, "the view the address names", `document.querySelectorAll("#rows tr.task").length === 1 && `+
		`document.querySelector("#rows .name").textContent === "many-subs" && document.getElementById("search").value === "many" && `+
		`document.getElementById("page-size").value === "25" && `+
		`document.querySelector('#chips .chip[data-group="failed"]')?.getAttribute("aria-pressed") === "true"`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#tab-sources`)))
	waitFor(t, ctx, "the sources view in the address", `location.search === "?view=sources&limit=25"`)
	if got := eval[string](t, ctx, `document.getElementById("view-toggle").getAttribute("href")`); got != "/?view=wall" {
		t.Errorf("the toggle leads to %q", got)
	}

	console, dialogs := events.take()
	if len(console)+len(dialogs) != 0 {
		t.Errorf("console %q, dialogs %q", console, dialogs)
	}
}

// TestStatusScreenshot rewrites the README's screenshots from the demo data with some progress:
//
//	go test ./static -run Screenshot -update
//
// It needs a CJK font for the demo's Chinese task name (apt-get install -y fonts-noto-cjk).
func TestStatusScreenshot(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite docs/status-dark.png and docs/status-light.png")
	}
	needCJKFont(t)
	docs, err := filepath.Abs(filepath.Join("..", "docs"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, _ := newBrowser(t, 1600, 1000)
	t.Chdir(t.TempDir()) // so that the header shows the database as smslab shows it by default
	l := startLab(t, "127.0.0.1:0", "smslab.db", demoTasks(t))
	for _, r := range []struct{ id, body string }{
		{dbOrders, `{"subtask_name": "MIGRATE_LINUX_BLOCK", "progress": 71, "replicatesize": 487713669939,
			"totalsize": 687194767360, "process_trace": "Migrated 71%: 454.2 GiB of 640 GiB", "migrate_speed": 412.7, "remain_time": 3870}`},
		{"3f6e1d2c-8b4a-4c5d-9e7f-000000000004", `{"subtask_name": "MIGRATE_LINUX_FILE", "progress": 24,
			"replicatesize": 51539607552, "totalsize": 214748364800, "process_trace": "", "migrate_speed": 96.4, "remain_time": 14100}`},
		{"3f6e1d2c-8b4a-4c5d-9e7f-000000000005", `{"subtask_name": "SSL_CONFIG", "progress": 60,
			"replicatesize": 0, "totalsize": 107374182400, "process_trace": "", "remain_time": 9000}`},
		{"3f6e1d2c-8b4a-4c5d-9e7f-000000000006", `{"subtask_name": "SYNC_WINDOWS_BLOCK", "progress": 58,
			"replicatesize": 1288490188, "totalsize": 2233382994, "process_trace": "", "migrate_speed": 188.2, "remain_time": 41}`},
		{"3f6e1d2c-8b4a-4c5d-9e7f-000000000016", `{"subtask_name": "ATTACH_AGENT_IMAGE", "progress": 80,
			"replicatesize": 0, "totalsize": 322122547200, "process_trace": "", "remain_time": 20000}`},
	} {
		l.report(t, r.id, r.body)
	}
	for _, scheme := range []string{"dark", "light"} {
		screenshot(t, ctx, l, scheme, filepath.Join(docs, "status-"+scheme+".png"), 19)
	}
}

// screenshot opens the status page of l in colour scheme ("dark", "light") with the orders-db
// task's sub-tasks shown, and writes a PNG of the whole page to path.
func screenshot(t *testing.T, ctx context.Context, l *lab, scheme, path string, rows int) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(l.url()))
	waitFor(t, ctx, "the tasks", fmt.Sprintf(`document.querySelectorAll("#rows tr.task").length === %d`, rows))
	do(t, ctx, chromedp.Click(chromedp.CSS(`#rows tr.task[data-id="`+dbOrders+`"] .expander`)))
	waitFor(t, ctx, "the sub-tasks", row(dbOrders)+`.nextElementSibling.querySelectorAll(".subtasks tbody tr").length === 7`)
	waitFor(t, ctx, "the bars to finish their transition", `document.getAnimations().length === 0`)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(png))
}

// TestDemoScreenshot rewrites docs/demo.png: the status page a few seconds into the lab
// `smslab -demo` plays (its agents and its operator at the demo's pace, on the demo seed), once
// the operator's four new tasks are at work, for the README; and docs/wall-dark.png and
// wall-light.png, the wall at 1920x1080 a minute on:
//
//	go test ./static -run DemoScreenshot -update
func TestDemoScreenshot(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite docs/demo.png, wall-dark.png and wall-light.png")
	}
	needCJKFont(t)
	docs, err := filepath.Abs(filepath.Join("..", "docs"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, _ := newBrowser(t, 1600, 1000)
	t.Chdir(t.TempDir())
	f, err := seed.Load(sms.NewDecoder(), seed.Demo)
	if err != nil {
		t.Fatal(err)
	}
	l := startLabSeed(t, "127.0.0.1:0", "smslab.db", &f.SeedFile)
	labCtx, stopLab := context.WithCancel(context.Background())
	var played sync.WaitGroup
	played.Add(2)
	go func() {
		defer played.Done()
		_, _ = agent.Run(labCtx, agent.DemoLab("http://"+l.addr, agent.Credentials{}, 60))
	}()
	go func() {
		defer played.Done()
		_ = agent.Operator{Server: "http://" + l.addr, Speedup: 60, Seed: 1}.Run(labCtx)
	}()
	t.Cleanup(func() {
		stopLab()
		played.Wait()
	})
	do(t, ctx, chromedp.Navigate(l.url()))
	waitWithin(t, ctx, 60*time.Second, "the operator's tasks at work",
		`[...document.querySelectorAll("#rows tr.task")].filter(r => r.textContent.includes("demo_lab-") && r.textContent.includes("running")).length === `+strconv.Itoa(agent.DemoTasks))
	screenshot(t, ctx, l, "light", filepath.Join(docs, "demo.png"), len(f.Tasks)+agent.DemoTasks)

	// The wall, the lab going on, held on its first page: the problems.
	wall, _ := newBrowser(t, 1920, 1080)
	do(t, wall, chromedp.EmulateViewport(1920, 1080))
	do(t, wall, chromedp.Navigate(l.url()+"?view=wall&every=3600"))
	waitWithin(t, wall, 60*time.Second, "a minute of throughput history",
		`Number(document.getElementById("wave-spark").dataset.points) >= 20 && Number(document.getElementById("wave-rate").dataset.mbps) > 0`)
	for _, scheme := range []string{"dark", "light"} {
		if _, err := chromedp.Call(wall, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}, {Name: "prefers-reduced-motion", Value: "reduce"}},
		}); err != nil {
			t.Fatal(err)
		}
		shown := eval[string](t, wall, `document.getElementById("wall-clock").textContent`)
		waitFor(t, wall, "the next poll", `document.getElementById("wall-clock").textContent !== `+fmt.Sprintf("%q", shown))
		png, err := chromedp.Run(wall, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(docs, "wall-"+scheme+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, len(png))
	}
}

// needCJKFont fails a screenshot test on a machine without a CJK font: the demo's Chinese task
// name would show as boxes.
func needCJKFont(t *testing.T) {
	t.Helper()
	out, err := exec.Command("fc-list", ":lang=zh").Output()
	if err != nil || len(strings.TrimSpace(string(out))) == 0 {
		t.Fatal("the screenshots need a CJK font: apt-get install -y fonts-noto-cjk")
	}
}
