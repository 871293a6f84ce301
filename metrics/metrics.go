// Package metrics is smslab's /metrics: the Prometheus registry with the Go runtime's and the
// process's collectors and smslab's own metrics, named smslab_... (docs/metrics.md lists them).
// Requests, progress reports and commits are counted as they happen; tasks by state and the
// file sizes are read when a scraper asks, so that an idle server does no work for them.
package metrics

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"smslab/lifecycle"
)

// ProgressOperation is the operation whose requests are progress reports.
const ProgressOperation = "UpdateTaskSpeed"

// Metrics holds smslab's metrics and serves them.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	accepted prometheus.Counter
	refused  prometheus.Counter
	batches  prometheus.Histogram
}

// New returns the metrics of one smslab, whose version build_info shows.
func New(version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smslab_http_requests_total",
			Help: "HTTP requests answered, by operation (the SMS API's name, or the route's) and status code.",
		}, []string{"operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "smslab_http_request_duration_seconds",
			Help: "Time from a request's arrival to its answer, by operation.",
			// Answers take from tens of microseconds (a progress report) to seconds (a full
			// page of large tasks, or writes queued behind a slow disk).
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "smslab_commit_batch_writes",
			Help:    "Writes (progress reports, updates, imports) per committed transaction: group commit at work.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 9), // 1 to 256, the most a batch holds
		}),
	}
	reports := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "smslab_progress_reports_total",
		Help: "Progress reports (UpdateTaskSpeed) by result: accepted (200) or refused (any other answer).",
	}, []string{"result"})
	m.accepted, m.refused = reports.WithLabelValues("accepted"), reports.WithLabelValues("refused")
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "smslab_build_info",
		Help:        "Always 1; the version label is smslab's (smslab -version).",
		ConstLabels: prometheus.Labels{"version": version},
	})
	buildInfo.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, reports, m.batches, buildInfo,
	)
	return m
}

// StateCounter counts the tasks in each state: the store.
type StateCounter interface {
	CountTasksPerState(ctx context.Context) (map[string]int64, error)
}

// WatchStore adds the tasks by state and the sizes of the database file at path and of its WAL,
// read at each scrape. Call it once.
func (m *Metrics) WatchStore(store StateCounter, path string) {
	m.reg.MustRegister(&storeCollector{store: store, path: path})
}

// Handler serves the metrics in Prometheus' text format (or OpenMetrics, if asked for).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// A store that cannot count its tasks (it is closing) leaves that metric out, not the rest.
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

// CommitBatch records the number of writes a committed transaction held: db.OnCommit's hook.
func (m *Metrics) CommitBatch(writes int) { m.batches.Observe(float64(writes)) }

// Operation is the metrics of the requests to one operation.
type Operation struct {
	name    string
	m       *Metrics
	latency prometheus.Observer
	report  bool
}

// Operation returns the metrics of the operation called name, resolved once for its route.
func (m *Metrics) Operation(name string) *Operation {
	return &Operation{name: name, m: m, latency: m.latency.WithLabelValues(name), report: name == ProgressOperation}
}

// Observe records one answered request: its status code and how long it took.
func (o *Operation) Observe(status int, took time.Duration) {
	o.m.requests.WithLabelValues(o.name, strconv.Itoa(status)).Inc()
	o.latency.Observe(took.Seconds())
	if o.report {
		if status == http.StatusOK {
			o.m.accepted.Inc()
		} else {
			o.m.refused.Inc()
		}
	}
}

// storeCollector reads the store's counts and file sizes when the metrics are scraped.
type storeCollector struct {
	store StateCounter
	path  string
}

var (
	tasksDesc = prometheus.NewDesc("smslab_tasks", "Tasks in each state.", []string{"state"}, nil)
	dbDesc    = prometheus.NewDesc("smslab_database_size_bytes", "Size of the SQLite database file.", nil, nil)
	walDesc   = prometheus.NewDesc("smslab_wal_size_bytes",
		"Size of the database's write-ahead log (0 when there is none); checkpoints copy it into the file.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tasksDesc
	ch <- dbDesc
	ch <- walDesc
}

// scrapeTimeout bounds how long a scrape waits for the counts (the list index, at start-up).
const scrapeTimeout = 5 * time.Second

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := c.store.CountTasksPerState(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(tasksDesc, err)
	} else {
		// Every state, those without tasks at 0, so that a graph has no gaps when one empties.
		states := lifecycle.States()
		for _, state := range states {
			ch <- prometheus.MustNewConstMetric(tasksDesc, prometheus.GaugeValue, float64(counts[state]), state)
		}
		for state, n := range counts { // none expected: the API accepts only the states above
			if !slices.Contains(states, state) {
				ch <- prometheus.MustNewConstMetric(tasksDesc, prometheus.GaugeValue, float64(n), state)
			}
		}
	}
	ch <- prometheus.MustNewConstMetric(dbDesc, prometheus.GaugeValue, fileSize(c.path))
	ch <- prometheus.MustNewConstMetric(walDesc, prometheus.GaugeValue, fileSize(c.path+"-wal"))
}

// fileSize is the size of the file at path, 0 if there is none.
func fileSize(path string) float64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(fi.Size())
}
