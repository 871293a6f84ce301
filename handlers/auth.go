package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/auth"
)

// Authenticator decides whether a request to the API may proceed. It sees the body exactly as
// received. It returns nil to let the request through, or the error to answer: an *auth.Error
// is answered 401 APIGW.0301.
type Authenticator interface {
	Authenticate(r *http.Request, body []byte) error
}

// authenticate refuses requests the Authenticator refuses, and logs which rule failed: the
// client only sees the gateway's terse message. Reasons never hold secrets.
func authenticate(a Authenticator, logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := a.Authenticate(c.Request(), requestBody(c)); err != nil {
				var authErr *auth.Error
				if errors.As(err, &authErr) {
					logger.Info("request refused", "path", c.Request().URL.Path, "reason", authErr.Reason,
						"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
				}
				return err
			}
			return next(c)
		}
	}
}
