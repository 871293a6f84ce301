package static_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"smslab/seed"
	"smslab/sms"
)

// sourceRow is a JavaScript expression for the row of a source server.
func sourceRow(id string) string {
	return `document.querySelector('#source-rows tr.source[data-id="` + id + `"]')`
}

// The source servers view: every source of the demo, newest first, what each runs, whose agent
// calls, a hostile name shown as text, the connected filter and the name search.
func TestStatusPageSourceServers(t *testing.T) {
	ctx, events := newBrowser(t, 1600, 1000)
	demo, err := seed.Load(sms.NewDecoder(), seed.Demo)
	if err != nil {
		t.Fatal(err)
	}
	l := startLabSeed(t, "127.0.0.1:0", filepath.Join(t.TempDir(), "smslab.db"), &demo.SeedFile)
	l.send(t, "POST", "/v3/sources", `{"id":"hostile-src","name":"<img src=x onerror=alert(6)>","ip":"10.66.0.1",
		"os_type":"LINUX","os_version":"<b>x</b>","agent_version":"24.3.0"}`)

	do(t, ctx, chromedp.Navigate(l.url()))
	waitFor(t, ctx, "the tasks", `document.querySelectorAll("#rows tr.task").length === 19`)
	waitFor(t, ctx, "the tab counts", `document.getElementById("n-sources").textContent === "23"`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#tab-sources")))
	waitFor(t, ctx, "the 23 sources", `document.querySelectorAll("#source-rows tr.source").length === 23`)
	if eval[bool](t, ctx, `!document.getElementById("task-table").hidden || document.getElementById("tab-sources").getAttribute("aria-selected") !== "true"`) {
		t.Error("the tasks still show in the sources view")
	}

	// The agent that just registered is the newest, and connected; its name is text.
	first := `document.querySelector("#source-rows tr.source")`
	if got := eval[string](t, ctx, first+`.dataset.id`); got != "hostile-src" {
		t.Errorf("first source %q, want the connected hostile-src", got)
	}
	if got := eval[string](t, ctx, sourceRow("hostile-src")+`.querySelector(".name").textContent`); got != "<img src=x onerror=alert(6)>" {
		t.Errorf("hostile name shown as %q", got)
	}
	cells := eval[[]string](t, ctx, `[...`+sourceRow("hostile-src")+`.children].map((c) => c.innerText.replaceAll("\n", " | "))`)
	if len(cells) != 8 || cells[1] != "linux · <b>x</b>" || cells[2] != "default" || cells[3] != "waiting | setting" ||
		cells[4] != "connected | agent 24.3.0" || cells[5] != "no task" || !strings.HasSuffix(cells[6], " s ago") {
		t.Errorf("hostile-src's cells: %q", cells)
	}

	// A progress report makes the running db-orders' source connected, with its task's progress.
	const dbOrdersSource = "5c1a7e0b-4d2f-4a8e-9b1c-000000000003"
	l.report(t, dbOrders, `{"subtask_name": "MIGRATE_LINUX_BLOCK", "progress": 88, "replicatesize": 1, "totalsize": 2, "process_trace": ""}`)
	waitFor(t, ctx, "db-orders connected", sourceRow(dbOrdersSource)+`.querySelector(".col-conn").textContent.startsWith("connected")`)
	task := eval[string](t, ctx, sourceRow(dbOrdersSource)+`.querySelector(".col-task").innerText.replaceAll("\n", " | ")`)
	if task != "sms_task_db-orders | running | migrate linux block | 88%" {
		t.Errorf("db-orders' task cell %q", task)
	}
	if got := eval[string](t, ctx, sourceRow(dbOrdersSource)+`.querySelector(".badge").textContent`); got != "replicate" {
		t.Errorf("db-orders' state %q", got)
	}

	// The connected filter, then a name search.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#source-chips .chip[data-connected="true"]`)))
	waitFor(t, ctx, "the 2 connected", `document.querySelectorAll("#source-rows tr.source").length === 2 && `+
		`document.querySelector('#source-chips .chip[data-connected="true"] .n').textContent === "2"`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#source-chips .chip[data-connected="false"]`)))
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#search"), "legacy-f"))
	waitFor(t, ctx, "the search", `document.querySelectorAll("#source-rows tr.source").length === 1`)
	if got := eval[string](t, ctx, `document.querySelector("#source-rows .badge").textContent`); got != "unavailable" {
		t.Errorf("legacy-ftp is %q, want unavailable (its boot loader fails a check)", got)
	}

	// Back to the tasks, with their own search.
	do(t, ctx, chromedp.Click(chromedp.CSS("#tab-tasks")))
	waitFor(t, ctx, "the tasks again", `!document.getElementById("task-table").hidden && document.querySelectorAll("#rows tr.task").length === 19 && document.getElementById("search").value === ""`)

	if n := eval[int](t, ctx, `document.querySelectorAll("img, svg, script:not([src]), b").length`); n != 0 {
		t.Errorf("the page holds %d elements made of source data", n)
	}
	if v := eval[[]string](t, ctx, `window.__csp`); len(v) != 0 {
		t.Errorf("CSP violations: %q", v)
	}
	if console, dialogs := events.take(); len(console)+len(dialogs) != 0 {
		t.Errorf("console %q, dialogs %q", console, dialogs)
	}
}
