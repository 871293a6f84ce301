// Command noop is the benchmark's ceiling: an Echo v4 server that answers smslab's two hot routes
// without doing any work, so that the load generator can measure what HTTP, Echo and this machine
// allow before smslab spends anything of its own.
//
// It listens on -addr (127.0.0.1:0 picks a free port) and prints "noop serving http://ADDR" once
// it accepts requests.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "noop:", err)
		os.Exit(1)
	}
}

// listBody and sourcesBody are small, fixed ListTasks and ListServers answers.
var (
	listBody    = []byte(`{"count":0,"tasks":[]}`)
	sourcesBody = []byte(`{"count":0,"source_servers":[]}`)
)

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("noop", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.PUT("/v3/tasks/:task_id/progress", func(c echo.Context) error {
		// Read the body as smslab does, so the ceiling pays for receiving it.
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte("{}"))
	})
	e.GET("/v3/tasks", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, listBody)
	})
	e.GET("/v3/sources", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, sourcesBody)
	})
	e.GET("/v3/sources/:source_id/command", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte("{}"))
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(stdout, "noop serving http://%s\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
