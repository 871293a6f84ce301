package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

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

// readBody reads the whole request body, at most limit bytes, before authentication and the
// handler see it: signatures cover the body bytes exactly as received.
func readBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > limit {
				return errTooLarge
			}
			body, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
			if err != nil {
				return invalid("", "request body could not be read: "+err.Error())
			}
			if int64(len(body)) > limit {
				return errTooLarge
			}
			c.Set(bodyKey, body)
			return next(c)
		}
	}
}

// checkBody refuses a PUT that does not say it carries JSON and a GET that carries anything. It
// runs after authentication: these are SMS's own checks, and the API gateway refuses a request
// without valid credentials before SMS sees it.
func checkBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		switch req.Method {
		case http.MethodGet, http.MethodHead:
			if len(requestBody(c)) > 0 {
				return invalid("", "a "+req.Method+" request takes no body")
			}
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

// taskID returns the task_id path parameter, decoded and checked against the task-id rule.
func taskID(c echo.Context) (string, error) {
	id, err := pathTaskID(c)
	if err != nil {
		return "", invalid("task_id", "is not a valid percent-encoded path segment")
	}
	return id, sms.CheckTaskID("task_id", id)
}

// pathTaskID decodes the task_id path parameter. Echo routes on the raw path when the request's
// path has escapes that differ from Go's default encoding, and then leaves parameters escaped.
func pathTaskID(c echo.Context) (string, error) {
	id := c.Param("task_id")
	if c.Request().URL.RawPath == "" {
		return id, nil
	}
	return url.PathUnescape(id)
}
