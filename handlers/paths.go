package handlers

import (
	"github.com/labstack/echo/v4"

	"smslab/sms"
)

// pathID returns the path parameter name, checked against the id rule of sources, projects and
// templates, the task-id rule. samePath has made Echo route on the decoded path, so the parameter
// is decoded.
func pathID(c echo.Context, name string) (string, error) {
	id := c.Param(name)
	return id, sms.CheckTaskID(name, id)
}

// emptyObject is the answer of the operations whose SDK response is a raw string: {} as the
// newest pages show.
var emptyObject = []byte("{}")

// idResponse is the answer of an operation that creates a resource.
type idResponse struct {
	ID string `json:"id"`
}
