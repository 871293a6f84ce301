package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"

	"smslab/agent"
	"smslab/auth"
)

// runAgents is `smslab agent`: it runs agents until they are done or ctx is, prints one line per
// task, and fails if any agent stopped short.
func runAgents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseAgentOptions(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, agentHelp())
		return nil
	}
	if err != nil {
		return fmt.Errorf("agent: %w (see smslab agent -h)", err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Logger.Info("agents seeded: give the same -seed to repeat the run", "seed", cfg.Seed)
	outcomes, err := agent.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("agent: %w%s", err, credentialHint(err, cfg.Credentials))
	}
	if len(outcomes) == 0 {
		cfg.Logger.Info("no task to migrate: none of the server's tasks matched -tasks, or none may run")
	}
	short, hint := 0, ""
	for _, o := range outcomes {
		fmt.Fprintln(stdout, o)
		if o.Err != nil {
			short++
			hint = cmp.Or(hint, credentialHint(o.Err, cfg.Credentials))
		}
	}
	if short > 0 {
		return fmt.Errorf("agent: %d of %d agents stopped short%s", short, len(outcomes), hint)
	}
	return nil
}

// credentialHint says, for a request the server refused with 401, which flags give credentials,
// and "" for any other error.
func credentialHint(err error, creds agent.Credentials) string {
	var apiErr *agent.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
		return ""
	}
	switch {
	case creds.AccessKey != "":
		return "; the server refused this access key's signature: give -access-key AK:SK with a pair from its -access-keys " +
			"(and check both clocks), or -token TOKEN"
	case creds.Token != "":
		return "; the server refused this token: give -token TOKEN with one from its -tokens, or -access-key AK:SK"
	}
	return "; the server wants credentials: give -token TOKEN or -access-key AK:SK " +
		"(or SMSLAB_AGENT_TOKEN, SMSLAB_AGENT_ACCESS_KEY), from its -tokens or -access-keys"
}

// demoConfig is the demo lab against the server's own listener, with credentials it takes: its
// agents and its operator.
func demoConfig(addr net.Addr, creds auth.Config, speedup float64, logger *slog.Logger) (agent.Config, *agent.Operator, error) {
	server, err := loopbackURL(addr)
	if err != nil {
		return agent.Config{}, nil, err
	}
	cfg := agent.DemoLab(server, demoCredentials(creds), speedup)
	cfg.Logger = logger
	op := &agent.Operator{Server: server, Credentials: cfg.Credentials, Speedup: speedup, Seed: cfg.Seed,
		Logger: logger.With("component", "demo operator")}
	return cfg, op, nil
}

// agentsConfig is smslab -agents: an agent for every source server the server holds and will
// hold, calling its own listener with credentials it takes, seeded for repeatable runs.
func agentsConfig(addr net.Addr, creds auth.Config, speedup float64, logger *slog.Logger) (agent.Config, error) {
	server, err := loopbackURL(addr)
	if err != nil {
		return agent.Config{}, err
	}
	return agent.Config{Server: server, Credentials: demoCredentials(creds), Sources: true, Speedup: speedup, Seed: 1,
		Logger: logger}, nil
}

// loopbackURL is the URL of the server's own listener at addr, over loopback.
func loopbackURL(addr net.Addr) (string, error) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1" // listening on every address: loopback is one of them
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// demoCredentials picks credentials the server accepts: a configured token, else an access key
// (the first by name), else none in open mode.
func demoCredentials(creds auth.Config) agent.Credentials {
	if len(creds.Tokens) > 0 {
		return agent.Credentials{Token: creds.Tokens[0]}
	}
	if len(creds.AccessKeys) > 0 {
		aks := make([]string, 0, len(creds.AccessKeys))
		for ak := range creds.AccessKeys {
			aks = append(aks, ak)
		}
		slices.Sort(aks)
		return agent.Credentials{AccessKey: aks[0], SecretKey: creds.AccessKeys[aks[0]]}
	}
	return agent.Credentials{}
}
