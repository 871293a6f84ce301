package static_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"smslab/seed"
	"smslab/sms"
)

// wallLab is a wave of 300 tasks: 3 failed, 8 running whose agents report (through the API)
// every 200 ms for as long as the test runs, and the rest ready, succeeded or aborted.
type wallLab struct {
	*lab
	stalled, gone atomic.Bool // the stalled task reports 0 Mbit/s; the gone one nothing
	mu            sync.Mutex
	errs          []string
}

const (
	wallTasks   = 300
	wallRunning = 8
	stalledID   = "wall-run-2"
	goneID      = "wall-run-5"
)

// wallSpeed and wallSizes are what running task i reports, the same every time, so that the
// wave's totals can be held to them.
func wallSpeed(i int) float64        { return 100 + float64(i)*10.5 }
func wallSizes(i int) (int64, int64) { return int64(i+1) << 30, int64(i+4) << 30 }

func startWallLab(t *testing.T) *wallLab {
	t.Helper()
	var tasks []string
	for i := range wallTasks {
		state, id := "READY", fmt.Sprintf("wall-%03d", i)
		switch {
		case i < wallRunning:
			state, id = "RUNNING", fmt.Sprintf("wall-run-%d", i)
		case i < wallRunning+3:
			state = "MIGRATE_FAIL"
		case i%3 == 0:
			state = "MIGRATE_SUCCESS"
		case i%7 == 0:
			state = "ABORT"
		}
		tasks = append(tasks, fmt.Sprintf(`{"id":%q,"name":"%s 服务器","state":%q,"type":"MIGRATE_BLOCK","os_type":"LINUX","create_date":%d,
			"source_server":{"id":"src-%s","name":"host-%s"}}`, id, id, state, 1795000000000-int64(i)*1000, id, id))
	}
	f, err := seed.Parse(sms.NewDecoder(), []byte(`{"tasks":[`+strings.Join(tasks, ",")+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	w := &wallLab{lab: startLab(t, "127.0.0.1:0", filepath.Join(t.TempDir(), "smslab.db"), f.Tasks)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			for i := range wallRunning {
				id := fmt.Sprintf("wall-run-%d", i)
				speed := wallSpeed(i)
				if id == goneID && w.gone.Load() {
					continue
				}
				if id == stalledID && w.stalled.Load() {
					speed = 0
				}
				done, total := wallSizes(i)
				w.post(id, fmt.Sprintf(`{"subtask_name":"MIGRATE_LINUX_BLOCK","progress":40,"replicatesize":%d,"totalsize":%d,`+
					`"process_trace":"","migrate_speed":%g}`, done, total, speed))
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		w.mu.Lock()
		defer w.mu.Unlock()
		if len(w.errs) > 0 {
			t.Errorf("reports refused: %q", w.errs[:min(len(w.errs), 5)])
		}
	})
	return w
}

// post sends a progress report from the reporting goroutine, which must not call t.Fatal.
func (w *wallLab) post(id, body string) {
	req, _ := http.NewRequest(http.MethodPut, "http://"+w.addr+"/v3/tasks/"+id+"/progress", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "lab")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		err = fmt.Errorf("%s: %d", id, resp.StatusCode)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, err.Error())
}

// listAll reads every task through ListTasks.
func (w *wallLab) listAll(t *testing.T) []sms.Task {
	t.Helper()
	var all []sms.Task
	for offset := 0; ; offset += 100 {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v3/tasks?limit=100&offset=%d", w.addr, offset), nil)
		req.Header.Set("X-Auth-Token", "lab")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page sms.ListTasksResponse
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Tasks...)
		if len(page.Tasks) < 100 {
			return all
		}
	}
}

// waitWithin is waitFor with a deadline of its own.
func waitWithin(t *testing.T, ctx context.Context, within time.Duration, what, expr string) time.Duration {
	t.Helper()
	start := time.Now()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(within)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
	return time.Since(start)
}

// The wall fits a 1080p and a 4K screen without scrollbars, pages through all 300 tasks, puts a
// stalled and a disconnected task on its first page within seconds, with their reasons, and
// shows the wave's totals as ListTasks sums them.
func TestWallInChromium(t *testing.T) {
	for _, size := range [][2]int{{1920, 1080}, {3840, 2160}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			ctx, events := newBrowser(t, size[0], size[1])
			w := startWallLab(t)
			do(t, ctx, chromedp.EmulateViewport(int64(size[0]), int64(size[1])))
			do(t, ctx, chromedp.Navigate(w.url()+"?view=wall&every=0.25"))
			waitFor(t, ctx, "the wall's first page", `document.querySelectorAll("#wall-rows li:not([hidden])").length === 10`)

			fits := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight,
				[...document.querySelectorAll("#wall-rows li, .wave")].filter((e) => e.scrollHeight > e.clientHeight + 1).length]`)
			if fits[0] > fits[2] || fits[1] > fits[3] || fits[4] != 0 {
				t.Errorf("the wall is %dx%d in a %dx%d window, %d boxes overflow", fits[0], fits[1], fits[2], fits[3], fits[4])
			}
			if got := eval[string](t, ctx, `location.search`); got != "?view=wall&every=0.25" {
				t.Errorf("the address says %q", got)
			}

			took := waitWithin(t, ctx, 60*time.Second, "every task shown", `(() => {
				window.__seen ??= new Set();
				for (const li of document.querySelectorAll("#wall-rows li:not([hidden])")) window.__seen.add(li.dataset.id);
				return window.__seen.size === `+fmt.Sprint(wallTasks)+`; })()`)
			t.Logf("the wall showed all %d tasks in %v", wallTasks, took.Round(time.Millisecond))

			w.stalled.Store(true)
			w.gone.Store(true)
			stalledAt := time.Now()
			took = waitWithin(t, ctx, 20*time.Second, "the stalled and the disconnected task on the first page", `(() => {
				const rows = [...document.querySelectorAll("#wall-rows li:not([hidden])")];
				const at = (id) => rows.findIndex((li) => li.dataset.id === id);
				return document.getElementById("wall-page").textContent.startsWith("Page 1 of 30") &&
					at(`+fmt.Sprintf("%q", stalledID)+`) === 3 && rows[3].dataset.health === "stalled" &&
					at(`+fmt.Sprintf("%q", goneID)+`) === 4 && rows[4].dataset.health === "disconnected"; })()`)
			t.Logf("the wall showed the stall and the disconnect %v after they began", time.Since(stalledAt).Round(time.Millisecond))
			_ = took
			notes := eval[[]string](t, ctx, `[...document.querySelectorAll("#wall-rows li:not([hidden]) .w-note")].slice(3, 5).map((n) => n.textContent)`)
			if len(notes) != 2 || !strings.HasPrefix(notes[0], "copy rate 0 Mbit/s for ") || !strings.HasPrefix(notes[1], "agent not polling: nothing for ") {
				t.Errorf("reasons %q", notes)
			}

			// The header against ListTasks: tasks per group, and the throughput of the copies
			// neither stalled nor disconnected.
			groups := map[string]int{}
			var mbps float64
			for _, task := range w.listAll(t) {
				groups[group(*task.State)]++
				if *task.State == "RUNNING" && *task.ID != stalledID && *task.ID != goneID {
					mbps += *task.MigrateSpeed
				}
			}
			var replicated, total int64
			for i := range wallRunning {
				d, s := wallSizes(i)
				replicated, total = replicated+d, total+s
			}
			want := fmt.Sprintf("all %d, running %d, succeeded %d, failed %d, aborted %d, ready %d, stalled 1, disconnected 1 | %d of %d | %g",
				wallTasks, groups["running"], groups["succeeded"], groups["failed"], groups["aborted"], groups["ready"], replicated, total, mbps)
			header := `[...document.querySelectorAll("#wave-states .wave-state")].map((d) => d.dataset.group + " " + d.querySelector(".n").textContent).join(", ") +
				" | " + document.getElementById("wave-bytes").dataset.replicated + " of " + document.getElementById("wave-bytes").dataset.total +
				" | " + document.getElementById("wave-rate").dataset.mbps`
			if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](header+` === `+fmt.Sprintf("%q", want),
				chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Errorf("wave header\n%s\nwant\n%s", eval[string](t, ctx, header), want)
			}
			if n := eval[int](t, ctx, `Number(document.getElementById("wave-spark").dataset.points)`); n < 2 {
				t.Errorf("the sparkline has %d points", n)
			}

			if v := eval[[]string](t, ctx, `window.__csp`); len(v) != 0 {
				t.Errorf("CSP violations: %q", v)
			}
			if console, dialogs := events.take(); len(console)+len(dialogs) != 0 {
				t.Errorf("console %q, dialogs %q", console, dialogs)
			}
		})
	}
}

// group is the status page's group of a task state, as the wall's header counts them.
func group(state string) string {
	switch state {
	case "RUNNING":
		return "running"
	case "MIGRATE_SUCCESS":
		return "succeeded"
	case "MIGRATE_FAIL":
		return "failed"
	case "ABORT":
		return "aborted"
	case "READY":
		return "ready"
	}
	return state
}
