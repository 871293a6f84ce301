package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Authenticator decides whether a request to the API may proceed. It sees the body exactly as
// received. It returns nil to let the request through, or the error to answer (an *Error with
// status 401).
type Authenticator interface {
	Authenticate(r *http.Request, body []byte) error
}

// RequireToken lets through any request that carries a non-empty X-Auth-Token; it checks the
// token against nothing.
type RequireToken struct{}

// Authenticate implements Authenticator.
func (RequireToken) Authenticate(r *http.Request, _ []byte) error {
	if r.Header.Get("X-Auth-Token") == "" {
		return errNoCredentials
	}
	return nil
}

func authenticate(a Authenticator) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := a.Authenticate(c.Request(), requestBody(c)); err != nil {
				return err
			}
			return next(c)
		}
	}
}
