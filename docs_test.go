package main

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"smslab/db"
	"smslab/handlers"
	"smslab/metrics"
)

// TestDocLinksResolve keeps the docs' links honest: every relative link and image in README.md,
// BENCHMARKS.md and docs/*.md names a file that exists and, with a #fragment, a heading of that
// file, as GitHub makes anchors.
func TestDocLinksResolve(t *testing.T) {
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{"README.md", "BENCHMARKS.md"}, docs...)
	broken, checked, err := brokenLinks(".", files)
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 { // the README alone has more: the parser must have lost them
		t.Errorf("only %d links found in %v", checked, files)
	}
	for _, b := range broken {
		t.Error(b)
	}
}

// TestBrokenLinksFindsEachKind checks the checker on a small tree with one link of each kind
// that must fail, beside links that must pass.
func TestBrokenLinksFindsEachKind(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/api.md", "# The API\n\n## List tasks: `GET /v3/tasks`\n\n## Limits and errors\n\n## Limits and errors\n")
	write("docs/pic.png", "")
	write("README.md", strings.Join([]string{
		"[ok](docs/api.md) [ok](docs/api.md#list-tasks-get-v3tasks) ![ok](docs/pic.png)",
		"[ok](docs/api.md#limits-and-errors-1) [ok](#readme) [ok](https://example.com/#x)",
		"`[not a link](nowhere.md)` and <http://127.0.0.1:8080/>",
		"",
		"    [code, not a link](nowhere.md)",
		"",
		"```",
		"[code, not a link](nowhere.md)",
		"# not a heading",
		"```",
		"",
		"# README",
		"",
		"[bad file](docs/none.md) [bad anchor](docs/api.md#list-tasks) [bad here](#not-a-heading)",
		"[anchor on a picture](docs/pic.png#x)",
		"[ref]: docs/gone.md",
	}, "\n"))
	broken, checked, err := brokenLinks(dir, []string{"README.md", "docs/api.md"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"README.md: docs/none.md: no such file",
		"README.md: docs/api.md#list-tasks: no heading has this anchor",
		"README.md: #not-a-heading: no heading has this anchor",
		"README.md: docs/pic.png#x: an anchor in a file that is not Markdown",
		"README.md: docs/gone.md: no such file",
	}
	if !slices.Equal(broken, want) || checked != 10 {
		t.Errorf("got %d links checked, broken:\n%s\nwant 10, broken:\n%s", checked, strings.Join(broken, "\n"), strings.Join(want, "\n"))
	}
}

func TestAnchor(t *testing.T) {
	for _, c := range []struct{ heading, want string }{
		{"Task life cycle", "task-life-cycle"},
		{"Polling, not server-sent events", "polling-not-server-sent-events"},
		{"List tasks: `GET /v3/tasks`", "list-tasks-get-v3tasks"},
		{"Credentials and the official SDKs", "credentials-and-the-official-sdks"},
		{"What is left: a decision, not a tuning step", "what-is-left-a-decision-not-a-tuning-step"},
		{"The [status page](status-page.md) and `snake_case`", "the-status-page-and-snake_case"},
		{"Größe 100%", "größe-100"},
	} {
		if got := anchor(c.heading); got != c.want {
			t.Errorf("anchor(%q) = %q, want %q", c.heading, got, c.want)
		}
	}
}

var (
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	refLink    = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*(\S+)`)
	codeSpan   = regexp.MustCompile("`[^`]*`")
	heading    = regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
)

// brokenLinks returns, for the Markdown files named (relative to root), one line per link that
// does not resolve, and how many relative links it checked.
func brokenLinks(root string, files []string) (broken []string, checked int, err error) {
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) (map[string]bool, error) {
		if a, ok := anchors[path]; ok {
			return a, nil
		}
		data, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			return nil, err
		}
		a := map[string]bool{}
		seen := map[string]int{}
		for _, line := range markdownLines(string(data)) {
			if m := heading.FindStringSubmatch(line); m != nil {
				slug := anchor(m[2])
				if n := seen[slug]; n > 0 {
					a[slug+"-"+strconv.Itoa(n)] = true
				} else {
					a[slug] = true
				}
				seen[slug]++
			}
		}
		anchors[path] = a
		return a, nil
	}
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			return nil, 0, err
		}
		for _, line := range markdownLines(string(data)) {
			line = codeSpan.ReplaceAllString(line, "")
			var targets []string
			for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
				targets = append(targets, m[1])
			}
			if m := refLink.FindStringSubmatch(line); m != nil {
				targets = append(targets, m[1])
			}
			for _, target := range targets {
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				if why := resolve(root, file, target, anchorsOf); why != "" {
					broken = append(broken, file+": "+target+": "+why)
				}
			}
		}
	}
	return broken, checked, nil
}

// resolve says why target, a link in file (relative to root), does not resolve, or "" when it
// does.
func resolve(root, file, target string, anchorsOf func(string) (map[string]bool, error)) string {
	pathPart, fragment, _ := strings.Cut(target, "#")
	path := file
	if pathPart != "" {
		p, err := url.PathUnescape(pathPart)
		if err != nil {
			return "not a valid path"
		}
		path = filepath.Join(filepath.Dir(file), p)
		if _, err := os.Stat(filepath.Join(root, path)); err != nil {
			return "no such file"
		}
	}
	if fragment == "" {
		return ""
	}
	if !strings.HasSuffix(path, ".md") {
		return "an anchor in a file that is not Markdown"
	}
	a, err := anchorsOf(path)
	if err != nil {
		return err.Error()
	}
	if !a[strings.ToLower(fragment)] {
		return "no heading has this anchor"
	}
	return ""
}

// markdownLines returns the lines of a Markdown text that are neither in a fenced code block nor
// an indented one (four spaces or a tab, outside a list item's text).
func markdownLines(text string) []string {
	var lines []string
	fence := ""
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		if strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t") {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// anchor is the id GitHub gives a heading: its text lower-cased, links reduced to their text,
// every character but letters, digits, '_', '-' and spaces dropped, and spaces made '-'.
func anchor(text string) string {
	text = inlineLink.ReplaceAllStringFunc(text, func(link string) string {
		return link[strings.Index(link, "[")+1 : strings.Index(link, "]")]
	})
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestMetricsDocMatchesTheCode keeps docs/metrics.md equal to the code: its operations table names
// every route's operation with exactly its routes, and its metrics table every smslab_ metric that
// /metrics serves, and no other.
func TestMetricsDocMatchesTheCode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs.db")
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	m := metrics.New("docs")
	m.WatchStore(store, path)
	e := handlers.New(handlers.Config{Store: store, Metrics: m, Logger: slog.New(slog.DiscardHandler)})

	code := map[string][]string{"none": nil}
	for _, r := range e.Routes() {
		if r.Method != http.MethodHead { // HEAD follows GET: the doc says so once
			route := r.Method + " " + regexp.MustCompile(`:(\w+)`).ReplaceAllString(r.Path, "{$1}")
			code[r.Name] = append(code[r.Name], route)
		}
	}
	doc, err := os.ReadFile("docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	section := func(heading string) []string {
		_, rest, _ := strings.Cut(string(doc), "\n"+heading+"\n")
		rest, _, _ = strings.Cut(rest, "\n## ")
		var rows []string
		for _, line := range strings.Split(rest, "\n") {
			if strings.HasPrefix(line, "| `") {
				rows = append(rows, line)
			}
		}
		return rows
	}
	span := regexp.MustCompile("`([^`]*)`")
	documented := map[string][]string{}
	for _, row := range section("## Operations") {
		cells := strings.Split(row, "|")
		var routes []string
		for _, m := range span.FindAllStringSubmatch(cells[2], -1) {
			routes = append(routes, m[1])
		}
		documented[span.FindStringSubmatch(cells[1])[1]] = routes
	}
	for op, routes := range code {
		slices.Sort(routes)
		got := slices.Sorted(slices.Values(documented[op]))
		if _, ok := documented[op]; !ok || !slices.Equal(got, routes) {
			t.Errorf("operation %s: docs/metrics.md lists %v, the code routes %v", op, got, routes)
		}
		delete(documented, op)
	}
	for op := range documented {
		t.Errorf("docs/metrics.md lists operation %s, which no route has", op)
	}

	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil)) // a request to count
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	served := map[string]bool{}
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "TYPE" && strings.HasPrefix(f[2], "smslab_") {
			served[f[2]] = true
		}
	}
	listed := map[string]bool{}
	for _, row := range section("## smslab's metrics") {
		listed[span.FindStringSubmatch(row)[1]] = true
	}
	if len(served) < 8 || !maps.Equal(served, listed) {
		t.Errorf("/metrics serves %v,\ndocs/metrics.md lists %v", slices.Sorted(maps.Keys(served)), slices.Sorted(maps.Keys(listed)))
	}
}
