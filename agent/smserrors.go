package agent

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
)

// SMSError is an error SMS shows on a failed task, as the agent reports it in error_json.
type SMSError struct {
	Code string
	// Msg is the error text; a %s in it stands for the parameter.
	Msg string
	// The parameter for a task on Linux and on Windows, if the error has one.
	linuxParam, windowsParam string
	// trace is the process_trace of the report on which the error strikes; a %s in it stands
	// for the parameter.
	trace string
}

// smsErrors are the SMS errors a -fail spec may name. The texts of the SMS.0xxx and SMS.2011
// codes are those of the public SMS error code list; SMS.1805 is the one the demo seed's failed
// task carries (not in the public list). README lists them with the sub-tasks they fail by
// default.
var smsErrors = []SMSError{
	{Code: "SMS.0204", Msg: "Insufficient permissions. Cause: %s. Obtain the required permissions.",
		linuxParam: "ecs:cloudServers:createServers", windowsParam: "ecs:cloudServers:createServers",
		trace: "Creating the target server failed: the account lacks %s"},
	{Code: "SMS.0211", Msg: "Failed to send certificate decryption key to target server",
		trace: "Sending the certificate key to the target server (port 8899) failed: connection reset by peer"},
	{Code: "SMS.0210", Msg: "Failed to create file %s on target server",
		linuxParam: "/etc/fstab", windowsParam: `C:\Windows\System32\drivers\etc\hosts`,
		trace: "Failed to create %s on the target server: read-only file system"},
	{Code: "SMS.1805", Msg: "Disk space on the target server is insufficient.",
		linuxParam: "/data", windowsParam: "D:",
		trace: "write failed on %s: No space left on device (28)"},
	{Code: "SMS.2011", Msg: "Failed to receive data.",
		trace: "The connection to the target server (port 8899) was interrupted: no data received for 300 s"},
	{Code: "SMS.0303", Msg: "Failed to connect to domain %s",
		linuxParam: "sms.ap-southeast-1.myhuaweicloud.com", windowsParam: "sms.ap-southeast-1.myhuaweicloud.com",
		trace: "Connecting to %s timed out"},
	{Code: "SMS.0201", Msg: "Network busy. Source server failed to connect to API Gateway.",
		trace: "The API gateway could not be reached"},
	{Code: "SMS.0007", Msg: "Agent error.",
		trace: "SMS-Agent exited unexpectedly"},
}

// param is the error's parameter for a task on the OS, or "" if it has none.
func (e SMSError) param(osType string) string {
	if osType == "WINDOWS" {
		return e.windowsParam
	}
	return e.linuxParam
}

// defaultErrorFor is the error a sub-task fails with when a -fail spec names no code.
func defaultErrorFor(subTask, taskType string) string {
	switch {
	case subTask == "CREATE_CLOUD_SERVER":
		return "SMS.0204"
	case subTask == "SSL_CONFIG":
		return "SMS.0211"
	case strings.HasPrefix(subTask, "MIGRATE_") && taskType == "MIGRATE_FILE":
		return "SMS.1805"
	case strings.HasPrefix(subTask, "MIGRATE_"), strings.HasPrefix(subTask, "SYNC_"):
		return "SMS.2011"
	case subTask == "DETTACH_AGENT_IMAGE":
		return "SMS.0007"
	}
	return "SMS.0210" // attaching the agent image, formatting, configuring: files on the target
}

func lookupError(code string) (SMSError, bool) {
	i := slices.IndexFunc(smsErrors, func(e SMSError) bool { return e.Code == code })
	if i < 0 {
		return SMSError{}, false
	}
	return smsErrors[i], true
}

// ErrorCodes are the codes a -fail spec may name.
func ErrorCodes() []string {
	var codes []string
	for _, e := range smsErrors {
		codes = append(codes, e.Code)
	}
	return codes
}

// errorJSON is the task's error_json for the error on a task on the OS, in the shape SMS uses:
// {"error_code": ..., "error_msg": ..., "error_param": [...]}.
func (e SMSError) errorJSON(osType string) string {
	body := struct {
		Code  string   `json:"error_code"`
		Msg   string   `json:"error_msg"`
		Param []string `json:"error_param,omitempty"`
	}{Code: e.Code, Msg: e.Msg}
	if p := e.param(osType); p != "" {
		body.Param = []string{p}
		if strings.Contains(e.Msg, "%s") {
			body.Msg = fmt.Sprintf(e.Msg, p)
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return string(b)
}

// processTrace is what the failing report's process_trace says.
func (e SMSError) processTrace(osType string) string {
	if strings.Contains(e.trace, "%s") {
		return fmt.Sprintf(e.trace, e.param(osType))
	}
	return e.trace
}
