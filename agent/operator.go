package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"

	"smslab/lifecycle"
	"smslab/sms"
)

// DemoSources is how many new source servers smslab -demo registers, and DemoTasks how many of
// them its operator gives a task.
const (
	DemoSources = 6
	DemoTasks   = 4
)

// DemoLab is smslab -demo's agents against server: one for every source server (the demo's
// and DemoSources new ones), with the demo wave's faults (Demo) and seed 1.
func DemoLab(server string, creds Credentials, speedup float64) Config {
	cfg := Demo(server, creds, speedup)
	cfg.Tasks, cfg.StartReady, cfg.Sources, cfg.Register = Selection{}, false, true, DemoSources
	return cfg
}

// Operator is what an operator's script does in smslab -demo, over the API alone: it waits for
// the new sources' agents, creates tasks for DemoTasks of them from a template and starts them
// one after another with the READY tasks already there, stops the first at work mid-copy and
// starts it again, and tests the first that succeeds (test, then clone_test).
type Operator struct {
	Server      string
	Credentials Credentials
	Speedup     float64
	// Seed names the new sources (FreshSource), as DemoLab's.
	Seed   int64
	Logger *slog.Logger
	// HTTPClient sends the requests; nil means one with a 30 s timeout.
	HTTPClient *http.Client
}

// every is how often the operator looks at the lab while it waits, in real time.
const every = 50 * time.Millisecond

// Run plays the operator's part until it is done or ctx is; it fails on a request the server
// refuses.
func (op Operator) Run(ctx context.Context) error {
	hc := op.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c, err := newClient(op.Server, hc, op.Credentials)
	if err != nil {
		return err
	}
	logger := op.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// A simulated minute between two starts, as an operator works down a list.
	pause := func() error {
		t := time.NewTimer(time.Duration(float64(time.Minute) / op.Speedup))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	template, err := op.template(ctx, c)
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}

	var started []string
	for i := range DemoTasks {
		reg := FreshSource(op.Seed, i)
		var src sms.Source
		if err := waitUntil(ctx, func() (bool, error) {
			var err error
			src, err = c.showSource(ctx, *reg.ID)
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
				return false, nil // its agent has not registered yet
			}
			return err == nil && src.Connected != nil && *src.Connected, err
		}); err != nil {
			return err
		}
		if src.CurrentTask != nil {
			continue // a demo run before gave it one
		}
		id, err := op.createTask(ctx, c, reg, template)
		if err != nil {
			return fmt.Errorf("create a task for %s: %w", *reg.Name, err)
		}
		logger.Info("operator created a task from the template", "task", id, "source", *reg.Name, "template", template.ID)
		started = append(started, id)
	}
	ready, err := c.listTasks(ctx, url.Values{"state": {lifecycle.Ready}})
	if err != nil {
		return err
	}
	for _, t := range ready {
		if id := deref(t.ID); !slices.Contains(started, id) {
			started = append(started, id)
		}
	}
	for _, id := range started {
		if err := c.act(ctx, id, lifecycle.ActStart); err != nil {
			return fmt.Errorf("start %s: %w", id, err)
		}
		logger.Info("operator started a task", "task", id)
		if err := pause(); err != nil {
			return err
		}
	}
	if len(started) == 0 {
		return nil
	}

	// Stop the first one mid-copy, and start it again once its agent has stopped.
	first := started[0]
	if err := op.waitFor(ctx, c, first, func(t sms.Task) bool {
		return strings.HasPrefix(deref(t.SubtaskInfo), "MIGRATE_") || deref(t.State) != lifecycle.Running && deref(t.State) != lifecycle.Ready
	}); err != nil {
		return err
	}
	if err := c.act(ctx, first, lifecycle.ActStop); err == nil {
		logger.Info("operator stopped a task", "task", first)
		if err := op.waitFor(ctx, c, first, func(t sms.Task) bool { return deref(t.State) != lifecycle.Aborting }); err != nil {
			return err
		}
		if err := pause(); err != nil {
			return err
		}
		if err := c.act(ctx, first, lifecycle.ActStart); err != nil {
			return fmt.Errorf("start %s again: %w", first, err)
		}
		logger.Info("operator started the stopped task again", "task", first)
	}

	// Test the target server of the first task that succeeds.
	var succeeded string
	if err := waitUntil(ctx, func() (bool, error) {
		for _, id := range started {
			t, err := c.getTask(ctx, id)
			if err != nil && !errors.Is(err, errNoSuchTask) {
				return false, err
			}
			if deref(t.State) == lifecycle.MigrateSuccess {
				succeeded = id
				return true, nil
			}
		}
		return false, nil
	}); err != nil {
		return err
	}
	for _, action := range []string{lifecycle.ActTest, lifecycle.ActCloneTest} {
		if err := c.act(ctx, succeeded, action); err != nil {
			return fmt.Errorf("%s %s: %w", action, succeeded, err)
		}
	}
	logger.Info("operator tested a migrated task's target server and cloned it", "task", succeeded)
	return nil
}

// waitUntil polls cond every tick until it holds, fails or ctx is done.
func waitUntil(ctx context.Context, cond func() (bool, error)) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// waitFor waits until the task is as cond wants.
func (op Operator) waitFor(ctx context.Context, c *client, id string, cond func(sms.Task) bool) error {
	return waitUntil(ctx, func() (bool, error) {
		t, err := c.getTask(ctx, id)
		if err != nil {
			return false, err
		}
		return cond(t), nil
	})
}

// demoTemplate is the template the operator's tasks are created from.
type demoTemplate struct {
	ID, Region, Project string
}

// template returns the first template the server holds, or one it creates.
func (op Operator) template(ctx context.Context, c *client) (demoTemplate, error) {
	var list struct {
		Templates []struct {
			ID        string  `json:"id"`
			Region    *string `json:"region"`
			Projectid *string `json:"projectid"`
		} `json:"templates"`
	}
	if err := c.do(ctx, http.MethodGet, "/v3/vm/templates", url.Values{"limit": {"1"}}, nil, &list); err != nil {
		return demoTemplate{}, err
	}
	if len(list.Templates) > 0 {
		t := list.Templates[0]
		return demoTemplate{ID: t.ID, Region: orElse(deref(t.Region), "ap-southeast-1"), Project: orElse(deref(t.Projectid), "lab-project")}, nil
	}
	body := []byte(`{"template": {"name": "demo-wave", "is_template": true, "region": "ap-southeast-1", "projectid": "lab-project",
		"target_server_name": "demo-target", "availability_zone": "ap-southeast-1a", "volumetype": "SAS", "flavor": "s6.large.2",
		"vpc": {"id": "autoCreate", "name": "autoCreate"}, "nics": [{"id": "autoCreate", "name": "autoCreate", "cidr": "192.168.0.0/24"}],
		"security_groups": [{"id": "autoCreate", "name": "autoCreate"}], "disk": [{"index": 0, "name": "system", "disktype": "SAS", "size": 40}]}}`)
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, "/v3/vm/templates", nil, body, &out); err != nil {
		return demoTemplate{}, err
	}
	return demoTemplate{ID: out.ID, Region: "ap-southeast-1", Project: "lab-project"}, nil
}

// createTask creates the task of a new source from the template: POST /v3/tasks.
func (op Operator) createTask(ctx context.Context, c *client, reg *sms.RegisterServerRequest, tpl demoTemplate) (string, error) {
	taskType := "MIGRATE_FILE"
	if *reg.OsType == "WINDOWS" {
		taskType = "MIGRATE_BLOCK"
	}
	body, err := json.Marshal(map[string]any{
		"name": "demo_" + *reg.Name, "type": taskType, "os_type": *reg.OsType, "vm_template_id": tpl.ID,
		"source_server": map[string]string{"id": *reg.ID}, "target_server": map[string]string{"name": *reg.Name + "-cloud"},
		"region_name": tpl.Region, "region_id": tpl.Region, "project_name": tpl.Region, "project_id": tpl.Project,
	}, json.Deterministic(true))
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, "/v3/tasks", nil, body, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}
