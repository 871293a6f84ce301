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
	"syscall"
	"time"

	"smslab/db"
	"smslab/handlers"
	"smslab/seed"
	"smslab/sms"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "smslab:", err)
		os.Exit(1)
	}
}

// options are smslab's settings, from flags or, for a flag not given, its environment variable.
type options struct {
	addr string
	db   string
	seed string
}

// envOf names the environment variable each flag falls back to.
var envOf = map[string]string{
	"addr": "SMSLAB_ADDR",
	"db":   "SMSLAB_DB",
	"seed": "SMSLAB_SEED",
}

const usage = `smslab: a local emulator of the Huawei Cloud SMS v3 task API.

Usage: smslab [flags]

Every flag can also be set through the environment variable named beside it; a flag on the
command line wins.

  -addr ADDR   SMSLAB_ADDR   address to listen on (default 127.0.0.1:8080)
  -db PATH     SMSLAB_DB     SQLite database file, created and migrated on start
                             (default smslab.db)
  -seed SEED   SMSLAB_SEED   tasks to load at start, upserted by id: "demo" (the built-in demo
                             set), "none", or the path of a JSON file shaped like a ListTasks
                             response ({"count": N, "tasks": [...]}).
                             Default: demo when the database is new, otherwise nothing.
  -h                         print this help
`

// parseOptions reads the flags, then the environment for each flag not given.
func parseOptions(args []string, getenv func(string) string) (options, error) {
	var o options
	fs := flag.NewFlagSet("smslab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "")
	fs.StringVar(&o.db, "db", "smslab.db", "")
	fs.StringVar(&o.seed, "seed", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see smslab -h)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, env := range envOf {
		if v := getenv(env); v != "" && !given[name] {
			if err := fs.Set(name, v); err != nil {
				return o, fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	return o, nil
}

// run is smslab: it serves until ctx is done, then shuts down within a bound and closes the
// database last.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w (see smslab -h)", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

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
	store, err := db.Open(ctx, o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	if o.seed == "" && store.Created() {
		if tasks, err = seed.Load(sms.NewDecoder(), seed.Demo); err != nil {
			return err
		}
	}
	if err := store.Import(ctx, tasks); err != nil {
		return fmt.Errorf("load seed: %w", err)
	}

	app := handlers.New(handlers.Config{Store: store, Auth: handlers.RequireToken{}, Logger: logger,
		Status: handlers.StatusInfo{Addr: ln.Addr().String(), DBPath: o.db,
			AuthMode: "token: any non-empty X-Auth-Token", Started: time.Now()}})
	srv := &http.Server{
		Handler:           app,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("smslab listening", "addr", ln.Addr().String(), "db", o.db, "seeded", len(tasks))
	fmt.Fprintf(stdout, "smslab serving http://%s (database %s)\n", ln.Addr(), o.db)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("smslab stopped")
	return nil
}
