package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/auth"
)

// Authenticator decides whether a request to the API may proceed, in two steps, so that a request
// it refuses is refused before its body is read. Check looks at everything but the body and
// returns an error to answer (an *auth.Error is answered 401 APIGW.0301), or the check of the body
// exactly as received still to make, or nil when none is needed.
type Authenticator interface {
	Check(r *http.Request) (auth.BodyCheck, error)
}

// bodyCheckKey is where authenticate leaves the check of the body for readBody.
const bodyCheckKey = "smslab.bodycheck"

// authenticate refuses requests the Authenticator refuses on their headers, and logs which rule
// failed: the client only sees the gateway's terse message. Reasons never hold secrets.
func authenticate(a Authenticator, logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			checkBody, err := a.Check(c.Request())
			if err != nil {
				return refused(c, logger, err)
			}
			if checkBody != nil {
				c.Set(bodyCheckKey, checkBody)
			}
			return next(c)
		}
	}
}

// checkSignedBody makes the check of the body authenticate left, once readBody has read it.
func checkSignedBody(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if checkBody, ok := c.Get(bodyCheckKey).(auth.BodyCheck); ok {
				if err := checkBody(requestBody(c)); err != nil {
					return refused(c, logger, err)
				}
			}
			return next(c)
		}
	}
}

// refused logs why credentials were refused and returns err to answer.
func refused(c echo.Context, logger *slog.Logger, err error) error {
	var authErr *auth.Error
	if errors.As(err, &authErr) {
		logger.Info("request refused", "path", c.Request().URL.Path, "reason", authErr.Reason,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	return err
}
