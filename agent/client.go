package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/auth/signer"
	"smslab/sms"
)

// Credentials are what an agent shows the server: an access key and secret key to sign requests
// with (SDK-HMAC-SHA256), or else an X-Auth-Token. With neither it sends a placeholder token,
// which a server in open mode accepts.
type Credentials struct {
	AccessKey, SecretKey string
	Token                string
}

// openModeToken is the X-Auth-Token sent without credentials: open mode checks only that one is
// there.
const openModeToken = "smslab-agent"

// APIError is an error answer of the SMS API.
type APIError struct {
	Status int
	Code   string
	Msg    string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Msg) }

// client talks to an SMS server's task API.
type client struct {
	base   *url.URL
	http   *http.Client
	creds  Credentials
	paging paging
}

func newClient(server string, hc *http.Client, creds Credentials) (*client, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q: want an http:// or https:// URL", server)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &client{base: u, http: hc, creds: creds, paging: listTasksPaging}, nil
}

// retries bounds how often a request is tried when the server cannot be reached or answers 5xx.
const retries = 5

// do sends a request and decodes a 200's body into out, if given. It tries again, with growing
// pauses, while the server is unreachable or busy (5xx); any other error answer is an *APIError.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	var err error
	for attempt := range retries {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(100<<attempt) * time.Millisecond):
			}
		}
		var retry bool
		retry, err = c.once(ctx, method, path, query, body, out)
		if !retry || ctx.Err() != nil {
			return err
		}
	}
	return fmt.Errorf("after %d tries: %w", retries, err)
}

func (c *client) once(ctx context.Context, method, path string, query url.Values, body []byte, out any) (retry bool, err error) {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("User-Agent", "smslab-agent")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.creds.AccessKey != "":
		signer.Signer{AccessKey: c.creds.AccessKey, SecretKey: c.creds.SecretKey}.Sign(req, body)
	case c.creds.Token != "":
		req.Header.Set("X-Auth-Token", c.creds.Token)
	default:
		req.Header.Set("X-Auth-Token", openModeToken)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return true, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return true, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		apiErr := &APIError{Status: resp.StatusCode}
		var env struct {
			Code string `json:"error_code"`
			Msg  string `json:"error_msg"`
		}
		if json.Unmarshal(data, &env) == nil {
			apiErr.Code, apiErr.Msg = env.Code, env.Msg
		} else {
			apiErr.Msg = strconv.Quote(string(data[:min(len(data), 200)]))
		}
		return resp.StatusCode >= 500, fmt.Errorf("%s %s: %w", method, path, apiErr)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return false, fmt.Errorf("%s %s: decode the answer: %w", method, path, err)
		}
	}
	return false, nil
}

// paging is how far ListTasks pages: size tasks at a time, at offsets up to maxOffset.
type paging struct{ size, maxOffset int }

// listTasksPaging is the API's: a limit of at most 200, an offset of at most 65535.
var listTasksPaging = paging{size: 200, maxOffset: 65535}

// reach is how many tasks paging lists at most: the pages up to maxOffset, the last one whole.
func (p paging) reach() int { return p.maxOffset - p.maxOffset%p.size + p.size }

// listTasks pages through GET /v3/tasks with the filters given. When more tasks match than paging
// reaches, it says so at the first page rather than list some of them.
func (c *client) listTasks(ctx context.Context, filter url.Values) ([]sms.Task, error) {
	var all []sms.Task
	for offset := 0; ; offset += c.paging.size {
		q := url.Values{"limit": {strconv.Itoa(c.paging.size)}, "offset": {strconv.Itoa(offset)}}
		for k, v := range filter {
			q[k] = v
		}
		var page sms.ListTasksResponse
		if err := c.do(ctx, http.MethodGet, "/v3/tasks", q, nil, &page); err != nil {
			return nil, err
		}
		if page.Count > int64(c.paging.reach()) {
			return nil, fmt.Errorf("%d tasks match, but paging ListTasks (offset up to %d) reaches only %d: select fewer, by state or by id",
				page.Count, c.paging.maxOffset, c.paging.reach())
		}
		all = append(all, page.Tasks...)
		if len(page.Tasks) < c.paging.size || int64(len(all)) >= page.Count {
			return all, nil
		}
	}
}

// errNoSuchTask says that no task has the id asked for; callers name the id.
var errNoSuchTask = errors.New("no task has this id")

// getTask returns one task, or errNoSuchTask if there is none with the id.
func (c *client) getTask(ctx context.Context, id string) (sms.Task, error) {
	tasks, err := c.listTasks(ctx, url.Values{"id": {id}})
	if err != nil {
		return sms.Task{}, err
	}
	if len(tasks) != 1 {
		return sms.Task{}, errNoSuchTask
	}
	return tasks[0], nil
}

// report sends a progress report: PUT /v3/tasks/{id}/progress.
func (c *client) report(ctx context.Context, id string, rep *sms.ProgressReport) error {
	body, err := json.Marshal(rep, json.OmitZeroStructFields(true)) // absent figures, not nulls
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPut, "/v3/tasks/"+url.PathEscape(id)+"/progress", nil, body, nil)
}

// fail sets a task's state and error_json, and its migrate_speed to 0: PUT /v3/tasks/{id}.
func (c *client) fail(ctx context.Context, id string, f *Failure) error {
	body, err := json.Marshal(struct {
		State        string  `json:"state"`
		ErrorJSON    string  `json:"error_json"`
		MigrateSpeed float64 `json:"migrate_speed"`
	}{f.State, f.ErrorJSON, 0})
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPut, "/v3/tasks/"+url.PathEscape(id), nil, body, nil)
}

// register registers (or registers again) a source server: POST /v3/sources. It answers the
// source's id.
func (c *client) register(ctx context.Context, body *sms.RegisterServerRequest) (string, error) {
	data, err := json.Marshal(body, json.OmitZeroStructFields(true))
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, "/v3/sources", nil, data, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// showSource returns a source server as ShowServer answers it: GET /v3/sources/{id}.
func (c *client) showSource(ctx context.Context, id string) (sms.Source, error) {
	var out sms.Source
	err := c.do(ctx, http.MethodGet, "/v3/sources/"+url.PathEscape(id), nil, nil, &out)
	return out, err
}

// listSources pages through GET /v3/sources, as far as its paging reaches.
func (c *client) listSources(ctx context.Context) ([]sms.SourceListItem, error) {
	var all []sms.SourceListItem
	for offset := 0; offset <= c.paging.maxOffset; offset += c.paging.size {
		q := url.Values{"limit": {strconv.Itoa(c.paging.size)}, "offset": {strconv.Itoa(offset)}}
		var page sms.ListServersResponse
		if err := c.do(ctx, http.MethodGet, "/v3/sources", q, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.SourceServers...)
		if len(page.SourceServers) < c.paging.size || int64(len(all)) >= page.Count {
			break
		}
	}
	return all, nil
}

// poll asks SMS for the source's next command: GET /v3/sources/{id}/command.
func (c *client) poll(ctx context.Context, source string) (sms.Command, error) {
	var out sms.Command
	err := c.do(ctx, http.MethodGet, "/v3/sources/"+url.PathEscape(source)+"/command", nil, nil, &out)
	return out, err
}

// answer reports a command's result: POST /v3/sources/{id}/command_result.
func (c *client) answer(ctx context.Context, source, command, result string, detail any) error {
	body, err := json.Marshal(struct {
		CommandName  string `json:"command_name"`
		Result       string `json:"result"`
		ResultDetail any    `json:"result_detail,omitzero"`
	}{command, result, detail})
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, "/v3/sources/"+url.PathEscape(source)+"/command_result", nil, body, nil)
}

// act takes an action on a task, as an operator does: POST /v3/tasks/{id}/action.
func (c *client) act(ctx context.Context, id, operation string) error {
	body, err := json.Marshal(struct {
		Operation string `json:"operation"`
	}{operation})
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, "/v3/tasks/"+url.PathEscape(id)+"/action", nil, body, nil)
}
