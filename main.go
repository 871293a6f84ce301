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
	"slices"
	"syscall"
	"time"

	"smslab/agent"
	"smslab/auth"
	"smslab/db"
	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

func main() {
	// A lab server should stay small beside everything else on a laptop: the garbage collector
	// works harder before the Go heap passes 48 MiB (100k tasks need about 25 MiB of it), unless
	// GOMEMLIMIT says otherwise. The limit is soft: a bigger database still runs. Set here, not in
	// run, which touches no process-wide state.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "smslab:", err)
		os.Exit(1)
	}
}

// options are smslab's settings, from flags or, for a flag not given, its environment variable.
type options struct {
	addr        string
	db          string
	seed        string
	sync        string
	verbose     bool
	demo        bool
	demoSpeedup float64
	auth        auth.Options
}

// envOf names the environment variable each flag falls back to.
var envOf = map[string]string{
	"addr": "SMSLAB_ADDR",
	"db":   "SMSLAB_DB",
	"seed": "SMSLAB_SEED",
	"sync": "SMSLAB_SYNC",
	"demo": "SMSLAB_DEMO",

	"demo-speedup": "SMSLAB_DEMO_SPEEDUP",

	"verbose": "SMSLAB_VERBOSE",

	"access-keys":      "SMSLAB_ACCESS_KEYS",
	"access-keys-file": "SMSLAB_ACCESS_KEYS_FILE",
	"tokens":           "SMSLAB_TOKENS",
	"tokens-file":      "SMSLAB_TOKENS_FILE",
}

const usage = `smslab: a local emulator of the Huawei Cloud SMS v3 task API.

Usage: smslab [flags]
       smslab agent [flags]   simulated migration agents (see smslab agent -h)

Every flag can also be set through the environment variable named beside it; a flag on the
command line wins.

  -addr ADDR   SMSLAB_ADDR   address to listen on (default 127.0.0.1:8080)
  -db PATH     SMSLAB_DB     SQLite database file, created and migrated on start; a plain
                             path (no '?' or '#'), one smslab per file, not another
                             application's SQLite file (default smslab.db)
  -seed SEED   SMSLAB_SEED   tasks to load at start, upserted by id: "demo" (the built-in demo
                             set), "none", or the path of a JSON file shaped like a ListTasks
                             response ({"count": N, "tasks": [...]}).
                             Default: demo when the database is new, otherwise nothing.
  -sync MODE   SMSLAB_SYNC   "normal" (default): an answered write survives any crash of
                             smslab; "full": it also survives a power loss or an OS crash,
                             at several times the cost of each write
  -verbose     SMSLAB_VERBOSE
                             log every request; by default only failed ones (4xx, 5xx),
                             start-up and shutdown are logged
  -demo        SMSLAB_DEMO   also run simulated agents against this server on every task
                             that can run (on a new database, the demo tasks): a live
                             migration wave, with a few failures, stalls and disconnections
  -demo-speedup N
               SMSLAB_DEMO_SPEEDUP
                             simulated seconds per second for the demo's agents, 0.001 to
                             1e9 (default 60: a 2-hour migration takes 2 minutes)
  -h                         print this help

Credentials. With none of these the server is open: any non-empty X-Auth-Token or well-formed
SDK-HMAC-SHA256 signature passes. With any of them it is strict: only these pass. Lists add up.

  -access-keys AK:SK,...      SMSLAB_ACCESS_KEYS       access keys and their secret keys, for
                                                       signatures (the official SDKs)
  -access-keys-file PATH      SMSLAB_ACCESS_KEYS_FILE  the same, one AK:SK a line
  -tokens TOKEN,...           SMSLAB_TOKENS            X-Auth-Token values accepted
  -tokens-file PATH           SMSLAB_TOKENS_FILE       the same, one token a line

In the files, blank lines and lines starting with # are ignored. Prefer the files: flags and
environment variables can show in process listings.
`

// parseOptions reads the flags, then the environment for each flag not given.
func parseOptions(args []string, getenv func(string) string) (options, error) {
	o := options{sync: "normal", demoSpeedup: defaultSpeedup}
	fs := flag.NewFlagSet("smslab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "")
	fs.StringVar(&o.db, "db", "smslab.db", "")
	fs.StringVar(&o.seed, "seed", "", "")
	// Values are checked as they are set, so that an error names where the value came from: the
	// flag, or its environment variable.
	fs.Func("sync", "", func(v string) error {
		if v != "normal" && v != "full" {
			return errors.New("want normal or full")
		}
		o.sync = v
		return nil
	})
	fs.BoolVar(&o.verbose, "verbose", false, "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.Func("demo-speedup", "", setSpeedup(&o.demoSpeedup))
	fs.StringVar(&o.auth.AccessKeys, "access-keys", "", "")
	fs.StringVar(&o.auth.AccessKeysFile, "access-keys-file", "", "")
	fs.StringVar(&o.auth.Tokens, "tokens", "", "")
	fs.StringVar(&o.auth.TokensFile, "tokens-file", "", "")
	if err := parseWithEnv(fs, args[1:], envOf, getenv); err != nil {
		return o, err
	}
	if o.addr == "" { // net.Listen would take every interface and a random port
		return o, errors.New("-addr is empty: want host:port, such as 127.0.0.1:8080")
	}
	if o.db == "" {
		return o, errors.New("-db is empty: want a file path, such as smslab.db")
	}
	return o, nil
}

// parseWithEnv parses args with fs and refuses stray arguments, then sets each flag that was not
// given from its environment variable in envOf, if that is set. Flags in one of the alternatives
// are one setting in different forms: when the command line gives one, the environment sets none.
func parseWithEnv(fs *flag.FlagSet, args []string, envOf map[string]string, getenv func(string) string, alternatives ...[]string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		// Not shown: it may be a secret cut off by a space ("-tokens tok1, tok2"). Two words
		// that are no secret get an answer of their own.
		if slices.Contains(fs.Args(), "agent") {
			return errors.New(`"agent" is a command: it comes right after smslab, before any flag`)
		}
		if fs.Arg(0) == "help" {
			return errors.New(`"help" is no command: -h lists the flags`)
		}
		what := "an unexpected argument"
		if fs.NArg() > 1 {
			what = fmt.Sprintf("%d unexpected arguments", fs.NArg())
		}
		return fmt.Errorf("%s after the flags (is a value with a space in it unquoted?)", what)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, alt := range alternatives {
		if slices.ContainsFunc(alt, func(name string) bool { return given[name] }) {
			for _, name := range alt {
				given[name] = true
			}
		}
	}
	for name, env := range envOf {
		if v := getenv(env); v != "" && !given[name] {
			if err := fs.Set(name, v); err != nil {
				// Only flags that check their value (booleans, numbers, -sync) fail here, and none of
				// them holds a secret, so the value may be shown.
				if b, ok := fs.Lookup(name).Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
					err = errors.New("want true or false (or 1 or 0)") // rather than "parse error"
				}
				return fmt.Errorf("%s=%q: %w", env, v, err)
			}
		}
	}
	return nil
}

// run is smslab: it serves until ctx is done, then shuts down within a bound and closes the
// database last.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "agent" {
		return runAgents(ctx, args[2:], getenv, stdout, stderr)
	}
	o, err := parseOptions(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w (see smslab -h)", err)
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
	var tasks []sms.Task
	if o.seed != "" {
		if tasks, err = seed.Load(sms.NewDecoder(), o.seed); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	var dbOpts []db.Option
	if o.sync == "full" {
		dbOpts = append(dbOpts, db.SynchronousFull())
	}
	var demo []sms.Task
	if o.seed == "" { // a new database starts with the demo set, stored with its schema
		if demo, err = seed.Load(sms.NewDecoder(), seed.Demo); err != nil {
			return err
		}
		dbOpts = append(dbOpts, db.FirstTasks(demo))
	}
	opening := time.Now()
	store, err := db.Open(ctx, o.db, dbOpts...)
	if err != nil {
		return err
	}
	defer store.Close()
	if from, to, ok := store.Upgraded(); ok {
		logger.Info("database schema upgraded", "from", from, "to", to, "took", time.Since(opening).Round(time.Millisecond))
	}
	seeded := len(tasks)
	if store.Created() {
		seeded += len(demo)
	}
	// An import is a write, and the first write waits for the list index (a few hundred ms at
	// 100k tasks): with nothing to import, serve at once.
	if len(tasks) > 0 {
		if err := store.Import(ctx, tasks); err != nil {
			return fmt.Errorf("load seed: %w", err)
		}
	}

	app := handlers.New(handlers.Config{Store: store, Auth: authn, Logger: logger,
		Status: handlers.StatusInfo{Addr: ln.Addr().String(), DBPath: o.db, AuthMode: authn.Mode(), Started: time.Now()}})
	srv := newHTTPServer(app, logger)
	logger.Info("credentials", "mode", authn.Mode())
	logger.Info("smslab listening", "addr", ln.Addr().String(), "db", o.db, "sync", o.sync, "seeded", seeded)
	fmt.Fprintf(stdout, "smslab serving http://%s (database %s)\n", ln.Addr(), o.db)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stopAgents := func() {}
	if o.demo {
		cfg, err := demoConfig(ln.Addr(), authCfg, o.demoSpeedup, logger.With("component", "demo agents"))
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		stopAgents = startDemo(ctx, cfg, logger)
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
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("smslab stopped")
	return nil
}

// startDemo runs the demo's agents in the background; the function it returns stops them and
// waits until they have.
func startDemo(ctx context.Context, cfg agent.Config, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		outcomes, err := agent.Run(ctx, cfg)
		if err != nil {
			logger.Error("demo agents could not start", "err", err)
			return
		}
		if ctx.Err() == nil {
			logger.Info("demo wave done", "agents", len(outcomes))
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// memoryLimit is the soft limit of the Go heap; see main.
const memoryLimit = 48 << 20

// shutdownTimeout bounds how long requests in flight may take to finish once a stop is asked.
const shutdownTimeout = 10 * time.Second

// newHTTPServer wraps the app in a server whose timeouts keep slow or stalled clients from
// holding connections: a client has 5 s to send its headers and 30 s for the whole request.
func newHTTPServer(app http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           app,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
