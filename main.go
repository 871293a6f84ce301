// Command smslab is a local emulator of Huawei Cloud's Server Migration Service (SMS) v3 task
// API, on an embedded SQLite database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"smslab/agent"
	"smslab/auth"
	"smslab/conns"
	"smslab/db"
	"smslab/handlers"
	"smslab/metrics"
	"smslab/seed"
	"smslab/sms"
)

func main() {
	// A lab server should stay small beside everything else on a laptop (memlimit.go), unless
	// GOMEMLIMIT says otherwise. The limit is soft: a bigger database still runs. Set here, not in
	// run, which touches no process-wide state. `smslab agent` keeps Go's default: its memory
	// grows with the agents it runs, and a server's limit would keep its collector running.
	if os.Getenv("GOMEMLIMIT") == "" && (len(os.Args) < 2 || os.Args[1] != "agent") {
		heapLimit = newMemoryBudget(debug.SetMemoryLimit)
		heapLimit.watchLiveHeap()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "smslab:", err)
		os.Exit(1)
	}
}

// run is the smslab command: `smslab agent ...` runs agents, anything else serves.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "agent" {
		return runAgents(ctx, args[2:], getenv, stdout, stderr)
	}
	return serve(ctx, args, getenv, stdout, stderr)
}

// serve is smslab: it serves until ctx is done, then shuts down within a bound and closes the
// database last.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w (see smslab -h)", err)
	}
	if o.version {
		fmt.Fprint(stdout, versionLine())
		return nil
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	authCfg, err := o.auth.Config()
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	authn, err := auth.New(authCfg)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}

	// Read the seed before touching the database: a bad file must change nothing.
	var loaded *seed.File
	if o.seed != "" {
		if loaded, err = loadSeed(o, logger); err != nil {
			return err
		}
	}
	ln, err := listen(o)
	if err != nil {
		return err
	}
	defer ln.Close()
	if o.pprof != "" {
		stopPprof, err := servePprof(o.pprof, logger)
		if err != nil {
			return fmt.Errorf("-pprof: %w", err)
		}
		defer stopPprof()
	}
	m := metrics.New(versionString())
	dbOpts := []db.Option{db.OnCommit(m.CommitBatch), db.OnFileGone(func(err error) {
		logger.Error("database file gone: writes are refused until smslab restarts", "db", o.db, "err", err)
	})}
	if o.sync == "full" {
		dbOpts = append(dbOpts, db.SynchronousFull())
	}
	var demo *seed.File
	if o.seed == "" { // a new database starts with the demo set, stored with its schema
		if demo, err = seed.Load(sms.NewDecoder(), seed.Demo); err != nil {
			return err
		}
		dbOpts = append(dbOpts, db.FirstSeed(&demo.SeedFile))
	}
	opening := time.Now()
	store, err := db.Open(ctx, o.db, dbOpts...)
	if err != nil {
		return err
	}
	defer store.Close()
	m.WatchStore(store, o.db)
	if from, to, ok := store.Upgraded(); ok {
		logger.Info("database schema upgraded", "from", from, "to", to, "took", time.Since(opening).Round(time.Millisecond))
	}
	var seeded, seededSources, seededTemplates int
	count := func(f *seed.File) {
		seeded, seededSources, seededTemplates = seeded+len(f.Tasks), seededSources+len(f.Sources), seededTemplates+len(f.Templates)
	}
	if loaded != nil {
		count(loaded)
	}
	if store.Created() && demo != nil {
		count(demo)
	}
	// An import is a write, and the first write waits for the list index (a few hundred ms at
	// 100k tasks): with nothing to import, serve at once.
	if loaded != nil && len(loaded.Tasks)+len(loaded.Sources)+len(loaded.Migprojects)+len(loaded.Templates) > 0 {
		if err := store.ImportSeed(ctx, &loaded.SeedFile); err != nil {
			return fmt.Errorf("load seed %s: %w", o.seed, err)
		}
	}

	app := handlers.New(handlers.Config{Store: store, Auth: authn, Logger: logger, Metrics: m,
		Status: handlers.StatusInfo{Addr: ln.Addr().String(), DBPath: o.db, AuthMode: authn.Mode(), Started: time.Now()},
		Hosts:  hostNames(authn, ln.Addr(), o.addr)})
	cl := conns.NewListener(ln, maxConnections(), logger)
	stopping := &atomic.Bool{}
	srv := newHTTPServer(closeWhenStopping(app, stopping), logger)
	srv.ConnState = cl.ConnState
	if heapLimit != nil {
		srv.ConnState = func(c net.Conn, state http.ConnState) {
			cl.ConnState(c, state)
			heapLimit.ConnState(c, state)
		}
	}
	logger.Info("credentials", "mode", authn.Mode())
	logger.Info("smslab listening", "addr", ln.Addr().String(), "db", o.db, "sync", o.sync, "seeded", seeded,
		"seeded_sources", seededSources, "seeded_templates", seededTemplates, "max_connections", cl.Max(), "version", versionString())
	url, exposed, beyond := reach(ln.Addr().(*net.TCPAddr))
	if exposed {
		warnExposed(logger, ln.Addr(), beyond, authn.Strict())
	}
	fmt.Fprintf(stdout, "smslab serving %s (database %s)\n", url, o.db)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(cl) }()
	stopAgents := func() {}
	switch {
	case o.demo:
		cfg, op, err := demoConfig(ln.Addr(), authCfg, o.speedup, logger)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		cfg.Logger = logger.With("component", "demo agents")
		stopAgents = startAgents(ctx, cfg, op, logger)
	case o.agents:
		cfg, err := agentsConfig(ln.Addr(), authCfg, o.speedup, logger.With("component", "agents"))
		if err != nil {
			return fmt.Errorf("agents: %w", err)
		}
		stopAgents = startAgents(ctx, cfg, nil, logger)
	}
	defer stopAgents()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stopAgents() // before the server, so that no agent meets a closed door
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := shutdown(shutdownCtx, srv, cl, stopping); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("smslab stopped")
	return nil
}

// hostNames are the names requests may give in Host when smslab is open and listens on loopback,
// besides loopback addresses: there any web page could use it through a name it resolves to
// 127.0.0.1 (DNS rebinding). Elsewhere it is nil, and any name is answered: strict mode asks for
// secrets a page does not have, and a server listening beyond loopback has names smslab cannot
// know.
func hostNames(authn *auth.Authenticator, listening net.Addr, addr string) []string {
	tcp, ok := listening.(*net.TCPAddr)
	if authn.Strict() || !ok || !tcp.IP.IsLoopback() {
		return nil
	}
	names := []string{"localhost"}
	if host, _, err := net.SplitHostPort(addr); err == nil && host != "" && !strings.EqualFold(host, "localhost") {
		names = append(names, host)
	}
	return names
}

// startAgents runs the in-process agents, and the demo's operator if given, in the background;
// the function it returns stops them and waits until they have.
func startAgents(ctx context.Context, cfg agent.Config, op *agent.Operator, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := agent.Run(ctx, cfg); err != nil {
			logger.Error("the agents could not start", "err", err)
		}
	})
	if op != nil {
		wg.Go(func() {
			if err := op.Run(ctx); err != nil && ctx.Err() == nil {
				logger.Error("the demo's operator stopped", "err", err)
			} else if err == nil {
				logger.Info("the demo's operator is done: the lab plays on")
			}
		})
	}
	return func() {
		cancel()
		wg.Wait()
	}
}
