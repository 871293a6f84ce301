package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/handlers"
)

// benchTasks is the size of the database the in-process benchmarks run on:
// go test ./bench -run '^$' -bench . -tasks 10000
var benchTasks = flag.Int("tasks", 100_000, "tasks in the database of the in-process benchmarks")

// TestMain makes the benchmarks' database before the tests and benchmarks start, so that a CPU
// profile taken with -cpuprofile holds only the requests; plain go test makes nothing.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		if _, err := benchDataset(); err != nil {
			fmt.Fprintln(os.Stderr, "bench database:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// benchDataset returns the cached database of *benchTasks tasks, making it if needed.
func benchDataset() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	return dataset(context.Background(), root, defaultCacheDir(), population{n: *benchTasks}, os.Stderr)
}

// newBenchApp returns smslab's Echo app, as main builds it, on a fresh copy of the generated
// database of *benchTasks tasks. Request logs are formatted as the server does, then discarded.
func newBenchApp(b *testing.B) *echo.Echo {
	b.Helper()
	e, _ := newBenchAppAt(b)
	return e
}

// newBenchAppAt is newBenchApp, and also returns the path of its database file.
func newBenchAppAt(b *testing.B) (*echo.Echo, string) {
	b.Helper()
	ctx := context.Background()
	src, err := benchDataset()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bench.db")
	if err := copyFile(src, path); err != nil {
		b.Fatal(err)
	}
	store, err := db.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := handlers.New(handlers.Config{Store: store, Logger: logger})
	// The store builds its list index in the background after opening; the status summary waits
	// for it, so that building it is not measured as part of the requests.
	serve(b, e, httptest.NewRequest(http.MethodGet, "/status/summary", nil))
	return e, path
}

// serve sends one request through the app and fails the benchmark unless it answered 200.
func serve(b *testing.B, e *echo.Echo, req *http.Request) {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Errorf("%s %s: status %d: %.200s", req.Method, req.URL, rec.Code, rec.Body)
	}
}

// BenchmarkProgress is the progress scenario in process: reports on tasks spread uniformly over
// the tasks whose state takes them, from 64 concurrent goroutines on 2 cores (32 per GOMAXPROCS).
// It reports the largest size the WAL file reached (wal-MB, looked at every 64th report of each
// goroutine) and its size at the end (wal-end-MB).
func BenchmarkProgress(b *testing.B) {
	e, path := newBenchAppAt(b)
	var worker atomic.Uint64
	var walMax atomic.Int64
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	b.SetParallelism(32)
	b.ResetTimer()
	defer reportCPU(b)()
	defer func() {
		b.ReportMetric(float64(max(walMax.Load(), walSize()))/(1<<20), "wal-MB")
		b.ReportMetric(float64(walSize())/(1<<20), "wal-end-MB")
	}()
	b.RunParallel(func(pb *testing.PB) {
		w := worker.Add(1)
		rng := rand.New(rand.NewPCG(w, 1))
		for n := 0; pb.Next(); n++ {
			if n%64 == 0 {
				for size := walSize(); ; {
					if seen := walMax.Load(); size <= seen || walMax.CompareAndSwap(seen, size) {
						break
					}
				}
			}
			p := reportableTask(func() int { return rng.IntN(*benchTasks) })
			body := progressBody(nil, rng, report{subTask: p.reportSubTask(rng),
				trace: "bench " + strconv.FormatUint(w, 10) + " " + strconv.Itoa(n)})
			req := httptest.NewRequest(http.MethodPut, "/v3/tasks/"+p.id+"/progress", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Auth-Token", "bench")
			serve(b, e, req)
		}
	})
}

// reportCPU starts counting the CPU time of the whole process, user and system, and returns a
// function that reports it per operation as cpu-µs/op: on a shared machine it moves less than
// ns/op, which counts the time the machine gave to other processes too. The garbage collector's
// share of it is reported as gc-cpu-µs/op.
func reportCPU(b *testing.B) func() {
	start, startGC := processCPU(b), gcCPU()
	return func() {
		b.ReportMetric(float64((processCPU(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
		b.ReportMetric(float64((gcCPU()-startGC).Microseconds())/float64(b.N), "gc-cpu-µs/op")
	}
}

// gcCPU is the CPU time the garbage collector has spent, as the runtime estimates it.
func gcCPU() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return time.Duration(s[0].Value.Float64() * float64(time.Second))
}

func processCPU(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkListTasks is the list scenario in process: pages of 100 at random offsets, with and
// without a state filter, from 16 concurrent goroutines on 2 cores.
func BenchmarkListTasks(b *testing.B) {
	e := newBenchApp(b)
	counts := newCounts(stateCounts(*benchTasks))
	for _, filtered := range []bool{false, true} {
		name := "all"
		if filtered {
			name = "state"
		}
		b.Run(name, func(b *testing.B) {
			var worker atomic.Uint64
			b.SetParallelism(8)
			defer reportCPU(b)()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(worker.Add(1), 2))
				for pb.Next() {
					q := "limit=100&offset=" + strconv.Itoa(rng.IntN(min(*benchTasks, maxOffset)+1))
					if filtered {
						s := rng.IntN(len(taskStates))
						q = "limit=100&offset=" + strconv.Itoa(rng.IntN(min(counts.of(s), maxOffset)+1)) + "&state=" + taskStates[s]
					}
					req := httptest.NewRequest(http.MethodGet, "/v3/tasks?"+q, nil)
					req.Header.Set("X-Auth-Token", "bench")
					serve(b, e, req)
				}
			})
		})
	}
}

// BenchmarkListServers is the sources scenario in process: pages of 100 sources at random
// offsets, from 16 concurrent goroutines on 2 cores, as BenchmarkListTasks/all pages tasks.
func BenchmarkListServers(b *testing.B) {
	e := newBenchApp(b)
	var worker atomic.Uint64
	b.SetParallelism(8)
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(worker.Add(1), 3))
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/v3/sources?limit=100&offset="+strconv.Itoa(rng.IntN(min(*benchTasks, maxOffset)+1)), nil)
			req.Header.Set("X-Auth-Token", "bench")
			serve(b, e, req)
		}
	})
}

// BenchmarkStatusPage is one poll of an open status page, in process, one request at a time: the
// header's counts, a page of 50 tasks (first, deep, one state group) and a name search, and the
// same of the source servers tab.
func BenchmarkStatusPage(b *testing.B) {
	e := newBenchApp(b)
	for _, bc := range []struct{ name, url string }{
		{"summary", "/status/summary"},
		{"first page", "/status/tasks?limit=50"},
		{"deep page", "/status/tasks?limit=50&offset=" + strconv.Itoa(*benchTasks/2)},
		{"failed", "/status/tasks?limit=50&state=failed"},
		{"name search", "/status/tasks?limit=50&name=task_12"},
		{"sources", "/status/sources?limit=50"},
		{"sources deep", "/status/sources?limit=50&offset=" + strconv.Itoa(*benchTasks/2)},
		{"sources search", "/status/sources?limit=50&name=src-12"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				serve(b, e, httptest.NewRequest(http.MethodGet, bc.url, nil))
			}
		})
	}
}

// BenchmarkWaveTotals is what the wall's totals cost each time they are taken (at most every
// 2 s, whoever watches: handlers/status_wall.go): a scan of every task's sizes, and the health of
// every running or syncing task, judged in memory.
func BenchmarkWaveTotals(b *testing.B) {
	ctx := context.Background()
	src, err := benchDataset()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bench.db")
	if err := copyFile(src, path); err != nil {
		b.Fatal(err)
	}
	store, err := db.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if _, err := store.CountTasksPerState(ctx); err != nil { // waits for the list index
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := store.WaveTotals(ctx, time.Now().UnixMilli()); err != nil {
			b.Fatal(err)
		}
	}
}
