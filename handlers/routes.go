// Package handlers is smslab's HTTP face: the SMS v3 task routes on Echo, with the SMS error
// envelope for every failure.
package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"smslab/auth"
	"smslab/db"
	"smslab/metrics"
	"smslab/sms"
	"smslab/static"
)

// Config is what the API needs to run.
type Config struct {
	Store  *db.Store
	Auth   Authenticator
	Logger *slog.Logger
	// Status is what the status page's header shows about this instance.
	Status StatusInfo
	// Metrics are served at /metrics; nil means new ones that watch Store and Status.DBPath.
	Metrics *metrics.Metrics
}

// bodyLimit caps request bodies, in bytes: the API gateway's 12 MB.
const bodyLimit = 12 << 20

// New returns the Echo app serving every route. A nil cfg.Auth checks credentials in auth's open
// mode.
func New(cfg Config) *echo.Echo {
	if cfg.Auth == nil {
		cfg.Auth, _ = auth.New(auth.Config{}) // an empty Config cannot fail
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New("")
		cfg.Metrics.WatchStore(cfg.Store, cfg.Status.DBPath)
	}
	dec := sms.NewDecoder()

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	e.Use(middleware.Recover())
	// Every answer, errors included, carries an X-Request-Id: the official SDK reports it in
	// errors. A caller's own id is kept, so that it can follow its request through the log.
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	e.Use(observeRequests(cfg.Logger, cfg.Metrics.Operation(unrouted)))
	e.Use(refuseOptions)
	r := router{e: e, metrics: cfg.Metrics}

	// Tasks: the SMS API, with credentials.
	api := []echo.MiddlewareFunc{readBody(bodyLimit), authenticate(cfg.Auth, cfg.Logger), checkBody}
	r.GET("/v3/tasks", "ListTasks", listTasks(cfg.Store, dec), api...)
	r.PUT("/v3/tasks/:task_id", "UpdateTask", updateTask(cfg.Store, dec), api...)
	r.PUT("/v3/tasks/:task_id/progress", "UpdateTaskSpeed", updateTaskSpeed(cfg.Store, dec), api...)
	r.GET("/healthz", "Healthz", healthz)
	r.GET("/readyz", "Readyz", readyz(cfg.Store))

	// The status page and the JSON it polls: read-only, no credentials, a strict CSP.
	r.GET("/", "StatusPage", echo.StaticFileHandler("index.html", static.FS), pageHeaders)
	r.GET("/assets/*", "StatusAssets", echo.StaticDirectoryHandler(echo.MustSubFS(static.FS, "assets"), false), pageHeaders)
	r.GET("/status/summary", "StatusSummary", statusSummary(cfg.Store, cfg.Status), pageHeaders)
	r.GET("/status/tasks", "StatusTasks", statusTasks(cfg.Store, dec), pageHeaders)
	r.GET("/status/tasks/:task_id", "StatusTask", statusTaskDetails(cfg.Store, statusPathID), pageHeaders)
	r.GET("/status/task", "StatusTask", statusTaskDetails(cfg.Store, statusQueryID), pageHeaders)

	// Metrics, in Prometheus' text format: read-only, no credentials, like the status page.
	r.GET("/metrics", "Metrics", echo.WrapHandler(cfg.Metrics.Handler()))
	return e
}

// observeRequests counts every request in its operation's metrics (unrouted's when no route took
// it) and logs one line per request, at debug level when it succeeded and at info level, with the
// SMS error code and message, when it failed, so that a lab under load is not slowed by its own
// log. Never headers or bodies, which may hold credentials.
func observeRequests(logger *slog.Logger, unrouted *metrics.Operation) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod:   true,
		LogURIPath:  true,
		LogStatus:   true,
		LogLatency:  true,
		LogError:    true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			operationOf(c, unrouted).Observe(v.Status, v.Latency)
			level := slog.LevelDebug
			if v.Status >= http.StatusBadRequest {
				level = slog.LevelInfo
			}
			if !logger.Enabled(c.Request().Context(), level) {
				return nil
			}
			attrs := []slog.Attr{slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency.Round(time.Microsecond)),
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID))}
			if v.Error != nil {
				// What the client was answered: a message for the client's own input, or a
				// gateway's terse one for credentials, never a secret.
				apiErr := classify(v.Error)
				attrs = append(attrs, slog.String("error_code", apiErr.Code), slog.String("error_msg", apiErr.Msg))
			}
			logger.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}
