package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// machine describes where the benchmark ran.
type machine struct {
	cpu, kernel, goVersion, commit string
	cores                          int
}

func machineInfo() machine {
	m := machine{cpu: "unknown CPU", kernel: "unknown", goVersion: runtime.Version(), cores: runtime.NumCPU()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
				m.cpu = strings.TrimSpace(value)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	return m
}

// gitCommit names the commit measured, marked dirty if tracked files differ from it.
func gitCommit(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if exec.Command("git", "-C", root, "diff", "--quiet", "HEAD").Run() != nil {
		c += " (uncommitted changes)"
	}
	return c
}

func newProbeClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// countOf reads the count of a ListTasks answer.
func countOf(body []byte) (int, error) {
	var page struct {
		Count *int `json:"count"`
	}
	if err := json.Unmarshal(body, &page); err != nil || page.Count == nil {
		return 0, fmt.Errorf("not a ListTasks answer: %.200s", body)
	}
	return *page.Count, nil
}

// row is one line of the results table.
type row struct {
	scenario  string
	tasks     int // 0 for the ceiling
	clients   int
	st        stats
	ratio     float64 // of the matching ceiling; 0 if none
	errors    int64
	peakRSS   int64 // bytes; 0 for a part of a mixed run
	subRow    bool
	cpu       cpuUse
	wal       int64
	scenarioK string
	kind      kind
	// The CPU (server and load generator, in cores) and request rate of the no-op window the
	// scenario is compared with; zero for a ceiling.
	ceilingCPU, ceilingRate float64
}

type startupRow struct {
	what  string
	times []time.Duration
}

type reportData struct {
	cfg      config
	args     []string
	machine  machine
	ceilings map[string]*measurement
	rows     []row
	startups []startupRow
	durable  []string
	failures int
}

func (r *reportData) addCeiling(name string, m *measurement) {
	if r.ceilings == nil {
		r.ceilings = map[string]*measurement{}
	}
	r.ceilings[name] = m
	r.addRows("no-op "+name, name, 0, r.cfg.clients[name], m, nil)
}

func (r *reportData) add(sc scenario, n, clients int, m *measurement) {
	r.addRows(sc.name, sc.name, n, clients, m, r.ceilings[sc.ceiling])
	if d := m.durability; d != nil {
		verdict := "all kept"
		if !d.ok() {
			verdict = fmt.Sprintf("**%d lost**", len(d.failures))
			r.failures++
		}
		r.durable = append(r.durable, fmt.Sprintf("%s, %s tasks: %d tasks checked, %s",
			sc.name, count(n), d.checked, verdict))
	}
}

// addRows adds a scenario's row, and for a mix one row per kind of request below it.
func (r *reportData) addRows(label, name string, n, clients int, m, ceiling *measurement) {
	var all []time.Duration
	var present []kind
	for k := range kinds {
		all = append(all, m.run.latencies[k]...)
		if len(m.run.latencies[k]) > 0 {
			present = append(present, k)
		}
	}
	ratio := func(st stats, k kind, whole bool) float64 {
		if ceiling == nil {
			if n == 0 {
				return 1
			}
			return 0
		}
		c := summarise(slices.Clone(ceiling.run.latencies[k]), ceiling.window)
		if whole {
			var lat []time.Duration
			for k := range kinds {
				lat = append(lat, ceiling.run.latencies[k]...)
			}
			c = summarise(lat, ceiling.window)
		}
		if c.rate == 0 {
			return 0
		}
		return st.rate / c.rate
	}
	st := summarise(all, m.window)
	whole := row{scenario: label, tasks: n, clients: clients, st: st,
		ratio: ratio(st, 0, true), errors: m.run.errors, peakRSS: m.peak, cpu: m.cpu, wal: m.wal, scenarioK: name, kind: -1}
	if ceiling != nil && whole.ratio > 0 {
		whole.ceilingCPU = ceiling.cpu.server + ceiling.cpu.generator
		whole.ceilingRate = st.rate / whole.ratio
	}
	r.rows = append(r.rows, whole)
	if len(present) > 1 {
		for _, k := range present {
			st := summarise(slices.Clone(m.run.latencies[k]), m.window)
			r.rows = append(r.rows, row{scenario: "↳ " + k.String() + " part", tasks: n, clients: clients,
				st: st, ratio: ratio(st, k, false), subRow: true, scenarioK: name, kind: k})
		}
	}
	if m.run.errors > 0 {
		r.failures++
	}
}

func (r *reportData) failed() bool { return r.failures > 0 }

// count formats a number with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

func mb(b int64) string {
	switch {
	case b == 0:
		return ""
	case b < 10<<20:
		return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MB"
	}
	return strconv.FormatInt(b>>20, 10) + " MB"
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}

// writeHeader prints the report's title, machine, commit and command.
func (r *reportData) writeHeader(w io.Writer) {
	m := r.machine
	fmt.Fprintf(w, "## smslab load benchmark, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "- Machine: %s, %d cores, Linux %s, %s\n", m.cpu, m.cores, m.kernel, m.goVersion)
	fmt.Fprintf(w, "- Commit: %s\n", m.commit)
	fmt.Fprintf(w, "- Command: `%s`\n", strings.Join(append([]string{"go run ./bench"}, r.args...), " "))
}

// write prints the report as markdown.
func (r *reportData) write(w io.Writer) {
	r.writeHeader(w)
	fmt.Fprintf(w, "- Each scenario: a fresh server on a fresh copy of the database, %s warm-up, %s measured; "+
		"clients and server share the machine over loopback\n\n", r.cfg.warmup, r.cfg.duration)

	fmt.Fprintln(w, "| scenario | tasks | clients | req/s | of ceiling | p50 | p99 | p99.9 | errors | peak RSS |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, x := range r.rows {
		tasks, errs := "—", ""
		if x.tasks > 0 {
			tasks = count(x.tasks)
		}
		if !x.subRow {
			errs = strconv.FormatInt(x.errors, 10)
		}
		ratio := ""
		if x.ratio > 0 {
			ratio = strconv.FormatFloat(100*x.ratio, 'f', 1, 64) + "%"
		}
		label := x.scenario
		if !x.subRow && x.cpu.other >= noisyCores {
			label += " ⚠"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", label, tasks, x.clients,
			count(int(x.st.rate+0.5)), ratio, ms(x.st.p50), ms(x.st.p99), ms(x.st.p999), errs, mb(x.peakRSS))
	}

	fmt.Fprintf(w, "\nCPU used during each measured window, in cores (of %d), per request, and the server's WAL file at "+
		"its end. \"At the no-op's CPU\" is the rate at which the server and the load generator, at this scenario's "+
		"CPU per request, would use all the CPU they used together in the no-op window: about what the scenario "+
		"could reach if nothing but CPU held it back. It is no hard bound: a scenario that gets more CPU than "+
		"the no-op window did goes past it.\n\n", r.machine.cores)
	fmt.Fprintln(w, "| scenario | tasks | server | load generator | other processes | server µs/request | load generator µs/request | at the no-op's CPU | WAL |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	busiest := 0.0
	for _, x := range r.rows {
		if x.subRow {
			continue
		}
		tasks := "—"
		if x.tasks > 0 {
			tasks = count(x.tasks)
		}
		busiest = max(busiest, x.cpu.other)
		wal := ""
		if x.tasks > 0 {
			wal = mb(max(x.wal, 1))
		}
		perRequest := func(cores float64) string {
			if x.st.rate == 0 {
				return ""
			}
			return fmt.Sprintf("%.0f", cores*1e6/x.st.rate)
		}
		atNoopCPU := ""
		if used := x.cpu.server + x.cpu.generator; x.ceilingCPU > 0 && used > 0 {
			rate := x.ceilingCPU / (used / x.st.rate)
			atNoopCPU = fmt.Sprintf("%s/s (%.1f%%)", count(int(rate+0.5)), 100*rate/x.ceilingRate)
		}
		fmt.Fprintf(w, "| %s | %s | %.2f | %.2f | %.2f | %s | %s | %s | %s |\n", x.scenario, tasks, x.cpu.server, x.cpu.generator,
			x.cpu.other, perRequest(x.cpu.server), perRequest(x.cpu.generator), atNoopCPU, wal)
	}
	if busiest >= noisyCores {
		fmt.Fprintf(w, "\n**⚠ Other processes used up to %.2f cores during a window: the rows marked ⚠ are disturbed; re-run them on a quiet machine.**\n", busiest)
	}

	fmt.Fprintf(w, "\nStart-up to first answer (GET /v3/tasks?limit=1 answered 200), %d starts:\n\n", r.cfg.starts)
	fmt.Fprintln(w, "| database | min | median |")
	fmt.Fprintln(w, "| --- | ---: | ---: |")
	for _, s := range r.startups {
		fmt.Fprintf(w, "| %s | %s | %s |\n", s.what, ms(slices.Min(s.times)), ms(median(s.times)))
	}

	if len(r.durable) > 0 {
		fmt.Fprintf(w, "\nDurability (kill -9 at the end of the window under load, restart, then each sampled "+
			"task must show its last acknowledged report; each client's latest %d are always checked):\n\n", recentAcks)
		for _, d := range r.durable {
			fmt.Fprintf(w, "- %s\n", d)
		}
	}

	fmt.Fprintln(w, "\nTargets of issue 6:")
	fmt.Fprintln(w)
	for _, t := range r.targets() {
		fmt.Fprintf(w, "- %s\n", t)
	}
}

// noisyCores is how much CPU other processes may use during a window before the report warns
// that the figures are disturbed.
const noisyCores = 0.15

// targets checks the measured figures against issue 6.
func (r *reportData) targets() []string {
	const big = 100_000
	find := func(name string, clients int) *row {
		for i, x := range r.rows {
			if x.scenarioK == name && x.tasks == big && x.clients == clients && !x.subRow {
				return &r.rows[i]
			}
		}
		return nil
	}
	mark := func(ok bool) string {
		if ok {
			return "✅"
		}
		return "❌"
	}
	var out []string
	if x := find("progress", 64); x != nil {
		out = append(out, fmt.Sprintf("%s progress, 100k tasks, 64 clients: %.1f%% of ceiling (≥ 30%%), p99 %s (< 25 ms), %d errors",
			mark(x.ratio >= 0.30 && x.st.p99 < 25*time.Millisecond && x.errors == 0), 100*x.ratio, ms(x.st.p99), x.errors))
	} else {
		out = append(out, "progress, 100k tasks, 64 clients: not measured in this run")
	}
	for _, name := range []string{"list", "list-state"} {
		if x := find(name, 16); x != nil {
			out = append(out, fmt.Sprintf("%s %s, 100k tasks, 16 clients: %.1f%% of ceiling (≥ 5%%), p99 %s (< 30 ms)",
				mark(x.ratio >= 0.05 && x.st.p99 < 30*time.Millisecond && x.errors == 0), name, 100*x.ratio, ms(x.st.p99)))
		} else {
			out = append(out, name+", 100k tasks, 16 clients: not measured in this run")
		}
	}
	for _, s := range r.startups {
		if s.what == "existing, "+count(big)+" tasks" || strings.HasPrefix(s.what, "new") {
			med := median(s.times)
			out = append(out, fmt.Sprintf("%s start-up, %s: median %s (< 150 ms)", mark(med < 150*time.Millisecond), s.what, ms(med)))
		}
	}
	if x := find("mixed", 64); x != nil {
		out = append(out, fmt.Sprintf("%s RSS under the mixed load, 100k tasks: peak %s (< 100 MB)",
			mark(x.peakRSS < 100<<20), mb(x.peakRSS)))
	} else {
		out = append(out, "RSS under the mixed load, 100k tasks, 64 clients: not measured in this run")
	}
	return out
}
