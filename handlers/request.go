package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"smslab/sms"
)

// bodyKey is where readBody leaves the request body in the echo.Context.
const bodyKey = "smslab.body"

// newRequestID is the X-Request-Id of an answer, 32 hex digits as the API gateway gives.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// refuseLargeBody answers 413 a request whose Content-Length is over limit, before anything else
// is checked.
func refuseLargeBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().ContentLength > limit {
				return errTooLarge
			}
			return next(c)
		}
	}
}

// readBody reads the whole request body, at most limit bytes, and keeps it until the handler is
// done: signatures cover the body exactly as received. The bytes come out of budget, for which a
// request waits at most wait before it is answered 503 with Retry-After. A body of unknown length
// (chunked) takes limit bytes until it has been read.
func readBody(limit int64, budget *byteBudget, wait time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength == 0 {
				return next(c)
			}
			held := req.ContentLength
			if held < 0 || held > limit {
				held = limit
			}
			if !budget.take(req.Context(), held, wait) {
				if err := req.Context().Err(); err != nil {
					return err
				}
				c.Response().Header().Set("Retry-After", "1")
				return errBusy
			}
			defer func() { budget.give(held) }()
			var body []byte
			var err error
			if req.ContentLength > 0 {
				// The server holds the client to its Content-Length: no more can come.
				body = make([]byte, req.ContentLength)
				_, err = io.ReadFull(req.Body, body)
			} else {
				body, err = io.ReadAll(io.LimitReader(req.Body, limit+1))
			}
			if err != nil {
				return invalid("", "request body could not be read: "+err.Error())
			}
			if int64(len(body)) > limit {
				return errTooLarge
			}
			if unused := held - int64(len(body)); unused > 0 {
				budget.give(unused)
				held -= unused
			}
			c.Set(bodyKey, body)
			return next(c)
		}
	}
}

// checkBody refuses a GET or HEAD that carries anything, and a body that does not say it is
// JSON. A request without a body, whatever its method, need not name a Content-Type: clients
// send DeleteServer, DeleteTemplate or UpdateDefaultMigproject without either, and an operation
// that needs a body is refused by its decoder, which says so. It runs after authentication:
// these are SMS's own checks, and the API gateway refuses a request without valid credentials
// before SMS sees it.
func checkBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		switch {
		case req.Method == http.MethodGet || req.Method == http.MethodHead:
			if len(requestBody(c)) > 0 {
				return invalid("", "a "+req.Method+" request takes no body")
			}
		case len(requestBody(c)) == 0:
		default:
			if !isJSON(req.Header.Get(echo.HeaderContentType)) {
				return errMediaType
			}
		}
		return next(c)
	}
}

// refuseOptions answers OPTIONS as any other method no route takes (404 APIGW.0101), as the API
// gateway does, rather than with the Allow list Echo's router would give.
func refuseOptions(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodOptions {
			return errNoRoute
		}
		return next(c)
	}
}

// isJSON reports whether a Content-Type names JSON in UTF-8 (charset names ignore case).
func isJSON(contentType string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != echo.MIMEApplicationJSON {
		return false
	}
	charset, ok := params["charset"]
	return !ok || strings.EqualFold(charset, "utf-8")
}

// requestBody returns the body readBody stored.
func requestBody(c echo.Context) []byte {
	body, _ := c.Get(bodyKey).([]byte)
	return body
}

// taskID returns the task_id path parameter, checked against the task-id rule. samePath has made
// Echo route on the decoded path, so the parameter is decoded.
func taskID(c echo.Context) (string, error) {
	id := c.Param("task_id")
	return id, sms.CheckTaskID("task_id", id)
}

// noSniff tells browsers to take every answer, errors included, for the type it says it is.
func noSniff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("X-Content-Type-Options", "nosniff")
		return next(c)
	}
}

// onlyHosts refuses a request whose Host is neither a loopback address nor one of names.
func onlyHosts(names []string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			host := c.Request().Host
			name := host
			if h, _, err := net.SplitHostPort(host); err == nil {
				name = h
			}
			name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
			if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
				return next(c)
			}
			for _, n := range names {
				if strings.EqualFold(name, n) {
					return next(c)
				}
			}
			return invalid("Host", fmt.Sprintf("%q is not a name of this server: an open smslab on loopback "+
				"answers only %s or a loopback address (DNS rebinding)", truncate(host, 64), strings.Join(names, ", ")))
		}
	}
}

// samePath makes routing and signatures read one path: SDK-HMAC-SHA256 signs the decoded path,
// segment by segment, and Echo routes on the raw path when it has escapes. It refuses a path
// whose segments the two would read differently, or that a proxy or client would rewrite (see
// docs/api.md), and then has Echo route on the decoded path.
func samePath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		if rule := pathRule(u); rule != "" {
			return invalid("", "the path "+rule)
		}
		u.RawPath = ""
		return next(c)
	}
}

// pathRule says what a request path breaks, or "". With no encoded '/', each segment of the
// decoded path is one segment of the raw path, decoded.
func pathRule(u *url.URL) string {
	if strings.Contains(strings.ToUpper(u.EscapedPath()), "%2F") {
		return "must not hold an encoded '/' (%2F): no id holds '/'"
	}
	switch u.Path {
	case "/":
		return ""
	case "": // CONNECT's
		return "must not be empty"
	}
	for seg := range strings.SplitSeq(strings.TrimPrefix(u.Path, "/"), "/") {
		switch seg {
		case "":
			return "must not end with '/' or hold '//'"
		case ".", "..":
			return "must not hold a '.' or '..' segment, encoded or not"
		}
	}
	return ""
}
