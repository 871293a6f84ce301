package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/metrics"
)

// operationKey is where a route leaves its *metrics.Operation in the echo.Context.
const operationKey = "smslab.operation"

// router registers each route under an operation name, which the metrics count its requests by
// (docs/metrics.md): the SMS API's operation name, or a name of the route's own. A route gets one
// by construction; TestEveryRouteHasAnOperation holds every route of the app to it. A GET route
// answers HEAD too: net/http sends the headers without the body.
type router struct {
	e       *echo.Echo
	metrics *metrics.Metrics
}

func (r router) GET(path, operation string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.add(http.MethodGet, path, operation, h, mw...)
	r.add(http.MethodHead, path, operation, h, mw...)
}

func (r router) PUT(path, operation string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.add(http.MethodPut, path, operation, h, mw...)
}

func (r router) POST(path, operation string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.add(http.MethodPost, path, operation, h, mw...)
}

func (r router) DELETE(path, operation string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.add(http.MethodDelete, path, operation, h, mw...)
}

func (r router) add(method, path, operation string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	op := r.metrics.Operation(operation)
	tag := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(operationKey, op)
			return next(c)
		}
	}
	r.e.Add(method, path, h, append([]echo.MiddlewareFunc{tag}, mw...)...).Name = operation
}

// unrouted is the operation name of requests no route takes.
const unrouted = "none"

// operationOf returns the operation a request's route set, or fallback for a request that no
// route took.
func operationOf(c echo.Context, fallback *metrics.Operation) *metrics.Operation {
	if op, ok := c.Get(operationKey).(*metrics.Operation); ok {
		return op
	}
	return fallback
}
