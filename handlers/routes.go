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
	// Hosts, when set, are the only names (besides loopback addresses) that a request's Host may
	// give, with or without a port: others are refused, so that a web page cannot reach an open
	// smslab on loopback through a name it controls (DNS rebinding).
	Hosts []string
	// BodyBudget is how many bytes of request bodies requests may hold at once, and BodyWait how
	// long a request waits for room before it is answered 503; zero means the default. A body
	// sent without Content-Length takes 12 MiB of it while it is read, so a budget below that
	// (tests' only) refuses such bodies.
	BodyBudget int64
	BodyWait   time.Duration
	// Metrics are served at /metrics; nil means new ones that watch Store and Status.DBPath.
	Metrics *metrics.Metrics
}

const (
	// bodyLimit caps request bodies, in bytes: the API gateway's 12 MB.
	bodyLimit = 12 << 20
	// defaultBodyBudget holds one body of the largest size and 4 MiB of others: a 12 MiB
	// UpdateTask takes the server 100-135 MB more while it is handled (docs/storage.md#memory).
	defaultBodyBudget = 16 << 20
	defaultBodyWait   = 5 * time.Second
)

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
	// Before routing, so that they see every request, those refused before routing included.
	e.Pre(noSniff)
	e.Pre(middleware.Recover())
	// Every answer, errors included, carries an X-Request-Id: the official SDK reports it in
	// errors. A caller's own id is kept, so that it can follow its request through the log.
	e.Pre(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	e.Pre(observeRequests(cfg.Logger, cfg.Metrics.Operation(unrouted)))
	if len(cfg.Hosts) > 0 {
		e.Pre(onlyHosts(cfg.Hosts))
	}
	e.Pre(samePath)
	e.Use(refuseOptions)
	r := router{e: e, metrics: cfg.Metrics}

	if cfg.BodyBudget == 0 {
		cfg.BodyBudget = defaultBodyBudget
	}
	if cfg.BodyWait == 0 {
		cfg.BodyWait = defaultBodyWait
	}
	// Tasks: the SMS API, with credentials, checked on the headers before the body is read and on
	// the body after.
	api := []echo.MiddlewareFunc{refuseLargeBody(bodyLimit), authenticate(cfg.Auth, cfg.Logger),
		readBody(bodyLimit, newByteBudget(cfg.BodyBudget), cfg.BodyWait), checkSignedBody(cfg.Logger), checkBody}
	r.GET("/v3/tasks", "ListTasks", listTasks(cfg.Store, dec), api...)
	r.PUT("/v3/tasks/:task_id", "UpdateTask", updateTask(cfg.Store, dec), api...)
	r.PUT("/v3/tasks/:task_id/progress", "UpdateTaskSpeed", updateTaskSpeed(cfg.Store, dec), api...)

	// The task's life and the agent's command channel (taskops.go, docs/api.md#task-life-cycle).
	// The static route delete comes before the task_id ones, whose ids may not be that word.
	r.POST("/v3/tasks", "CreateTask", createTask(cfg.Store, dec), api...)
	r.POST("/v3/tasks/delete", "DeleteTasks", deleteTasks(cfg.Store, dec), api...)
	r.GET("/v3/tasks/:task_id", "ShowTask", showTask(cfg.Store), api...)
	r.DELETE("/v3/tasks/:task_id", "DeleteTask", deleteTask(cfg.Store), api...)
	r.POST("/v3/tasks/:task_id/action", "UpdateTaskStatus", updateTaskStatus(cfg.Store, dec), api...)
	r.POST("/v3/tasks/:task_id/log", "CollectLog", collectLog(cfg.Store, dec), api...)
	r.GET("/v3/sources/:source_id/command", "ShowCommand", showCommand(cfg.Store), api...)
	r.POST("/v3/sources/:source_id/command_result", "UpdateCommandResult", updateCommandResult(cfg.Store, dec), api...)
	// A task's settings (tasksettings.go, docs/api.md#task-settings).
	r.GET("/v3/tasks/:task_id/speed-limit", "ShowsSpeedLimits", showsSpeedLimits(cfg.Store), api...)
	r.POST("/v3/tasks/:task_id/speed-limit", "UpdateSpeed", updateSpeed(cfg.Store, dec), api...)
	r.GET("/v3/tasks/:task_id/configuration-setting", "ShowConfigSetting", showConfigSetting(cfg.Store, dec), api...)
	r.POST("/v3/tasks/:task_id/configuration-setting", "UploadSpecialConfigurationSetting", uploadSpecialConfigurationSetting(cfg.Store, dec), api...)
	r.GET("/v3/tasks/:task_id/passphrase", "ShowPassphrase", showPassphrase(cfg.Store), api...)
	r.GET("/v3/tasks/:task_id/certkey", "ShowCertKey", showCertKey(cfg.Store, dec), api...)

	// Server templates (templates.go).
	r.GET("/v3/vm/templates", "ListTemplates", listTemplates(cfg.Store, dec), api...)
	r.POST("/v3/vm/templates", "CreateTemplate", createTemplate(cfg.Store, dec), api...)
	r.POST("/v3/vm/templates/delete", "DeleteTemplates", deleteTemplates(cfg.Store, dec), api...)
	r.GET("/v3/vm/templates/:id", "ShowTemplate", showTemplate(cfg.Store), api...)
	r.PUT("/v3/vm/templates/:id", "UpdateTemplate", updateTemplate(cfg.Store, dec), api...)
	r.DELETE("/v3/vm/templates/:id", "DeleteTemplate", deleteTemplate(cfg.Store), api...)

	// Source servers (docs/api.md#source-servers). The static routes overview and delete come
	// before the source_id ones, whose ids may not be those words.
	r.GET("/v3/sources", "ListServers", listServers(cfg.Store, dec), api...)
	r.POST("/v3/sources", "RegisterServer", registerServer(cfg.Store, dec), api...)
	r.GET("/v3/sources/overview", "ShowOverview", showOverview(cfg.Store), api...)
	r.POST("/v3/sources/delete", "DeleteServers", deleteServers(cfg.Store, dec), api...)
	r.GET("/v3/sources/:source_id", "ShowServer", showServer(cfg.Store), api...)
	r.PUT("/v3/sources/:source_id", "UpdateServerName", updateServerName(cfg.Store, dec), api...)
	r.DELETE("/v3/sources/:source_id", "DeleteServer", deleteServer(cfg.Store), api...)
	r.PUT("/v3/sources/:source_id/changestate", "UpdateCopyState", updateCopyState(cfg.Store, dec), api...)
	r.PUT("/v3/sources/:source_id/diskinfo", "UpdateDiskInfo", updateDiskInfo(cfg.Store, dec), api...)
	r.GET("/v3/errors", "ListErrorServers", listErrorServers(cfg.Store, dec), api...)

	// Migration projects (docs/api.md#migration-projects).
	r.GET("/v3/migprojects", "ListMigprojects", listMigprojects(cfg.Store, dec), api...)
	r.POST("/v3/migprojects", "CreateMigproject", createMigproject(cfg.Store, dec), api...)
	r.GET("/v3/migprojects/:mig_project_id", "ShowMigproject", showMigproject(cfg.Store), api...)
	r.PUT("/v3/migprojects/:mig_project_id", "UpdateMigproject", updateMigproject(cfg.Store, dec), api...)
	r.DELETE("/v3/migprojects/:mig_project_id", "DeleteMigproject", deleteMigproject(cfg.Store), api...)
	r.PUT("/v3/migprojects/:mig_project_id/default", "UpdateDefaultMigproject", updateDefaultMigproject(cfg.Store, dec), api...)

	r.GET("/healthz", "Healthz", healthz)
	r.GET("/readyz", "Readyz", readyz(cfg.Store))

	// The status page and the JSON it polls: read-only, no credentials, a strict CSP.
	r.GET("/", "StatusPage", echo.StaticFileHandler("index.html", static.FS), pageHeaders)
	r.GET("/assets/*", "StatusAssets", echo.StaticDirectoryHandler(echo.MustSubFS(static.FS, "assets"), false), pageHeaders)
	r.GET("/status/summary", "StatusSummary", statusSummary(cfg.Store, cfg.Status), pageHeaders)
	r.GET("/status/tasks", "StatusTasks", statusTasks(cfg.Store, dec), pageHeaders)
	r.GET("/status/tasks/:task_id", "StatusTask", statusTaskDetails(cfg.Store, statusPathID), pageHeaders)
	r.GET("/status/task", "StatusTask", statusTaskDetails(cfg.Store, statusQueryID), pageHeaders)
	r.GET("/status/sources", "StatusSources", statusSources(cfg.Store, dec), pageHeaders)

	// The status page's wall: the wave's totals, and every task, problems first.
	wave := &waveCache{}
	r.GET("/status/wave", "StatusWave", statusWave(cfg.Store, wave), pageHeaders)
	r.GET("/status/wall", "StatusWall", statusWall(cfg.Store, dec, wave), pageHeaders)

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
