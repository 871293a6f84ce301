package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"smslab/agent"
	"smslab/auth"
)

const agentUsage = `smslab agent: simulated SMS migration agents, one per task, that migrate tasks through
a server's API (progress reports and task updates, as the real agent on a source server sends).

Usage: smslab agent [flags]

  -server URL         SMSLAB_AGENT_SERVER      the SMS endpoint (default http://127.0.0.1:8080)
  -tasks WHICH        the tasks to migrate: all (default: every task whose state lets it run),
                      state=STATE, or task ids separated by commas
  -speedup N          simulated seconds per second, 0.001 to 1e9 (default 60: a 2-hour
                      migration takes 2 minutes); every reported figure is in simulated time
  -seed N             makes a run repeatable; default: a random seed, which the log shows
  -interval D         simulated time between reports, 1s to 1h (default 10s)
  -until D            stop every agent at this simulated time, its task where it is (default:
                      run to the end)
  -fail SPEC          a fault to play; repeat for more (see below)
  -access-key AK:SK   SMSLAB_AGENT_ACCESS_KEY  sign requests with this access key (strict servers)
  -token TOKEN        SMSLAB_AGENT_TOKEN       or send this X-Auth-Token; with neither, a
                                               placeholder token that an open server accepts
  -h                  print this help

Faults (-fail), each a comma list that starts with what goes wrong and whom it strikes, a task
id or a share of the tasks chosen at random from the seed:

  task=ID | random=N%                fail the task with an SMS error (MIGRATE_FAIL, or
                                     SYNC_FAIL during a synchronization)
  stall=ID|N%                        the transfer rate drops to 0 (default for=10m)
  disconnect=ID|N%                   the agent reports nothing, then resumes (default for=2m)
  at=SUBTASK[:P]                     where: a sub-task (MIGRATE_LINUX_FILE) or a stage word
                                     (CREATE, SSL, ATTACH, FORMAT, MIGRATE, CONFIGURE, DETTACH,
                                     SYNC) at progress P, 0 to 99 (default MIGRATE at a random P)
  code=SMS.NNNN                      the error of a failure (default: the stage's usual one):
                                     CODES
  for=DURATION                       how long a stall or disconnection lasts, simulated

  smslab agent -tasks all -fail task=3f6e1d2c-8b4a-4c5d-9e7f-000000000013,at=MIGRATE:62,code=SMS.1805 \
      -fail random=10%,at=CONFIGURE -fail stall=20%,at=MIGRATE:30,for=15m -seed 7

The summary, one line per task, goes to standard output; the exit status is 1 if any agent
stopped short (a report refused, the server unreachable).
`

// agentEnvOf names the environment variable each agent flag that has one falls back to.
var agentEnvOf = map[string]string{
	"server":     "SMSLAB_AGENT_SERVER",
	"access-key": "SMSLAB_AGENT_ACCESS_KEY",
	"token":      "SMSLAB_AGENT_TOKEN",
}

// parseAgentOptions reads the agent's flags, then the environment for those not given.
func parseAgentOptions(args []string, getenv func(string) string) (agent.Config, error) {
	cfg := agent.Config{Interval: agent.DefaultInterval}
	var tasks, accessKey string
	var seed string
	fs := flag.NewFlagSet("smslab agent", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Server, "server", "http://127.0.0.1:8080", "")
	fs.StringVar(&tasks, "tasks", "all", "")
	cfg.Speedup = defaultSpeedup
	fs.Func("speedup", "", setSpeedup(&cfg.Speedup))
	fs.StringVar(&seed, "seed", "", "")
	fs.DurationVar(&cfg.Interval, "interval", agent.DefaultInterval, "")
	fs.DurationVar(&cfg.Until, "until", 0, "")
	var faults []string
	fs.Func("fail", "", func(spec string) error {
		faults = append(faults, spec)
		return nil
	})
	fs.StringVar(&accessKey, "access-key", "", "")
	fs.StringVar(&cfg.Credentials.Token, "token", "", "")
	if err := parseWithEnv(fs, args, agentEnvOf, getenv, []string{"access-key", "token"}); err != nil {
		return cfg, err
	}
	var err error
	if cfg.Tasks, err = agent.ParseSelection(tasks); err != nil {
		return cfg, err
	}
	if cfg.Interval < time.Second || cfg.Interval > time.Hour {
		return cfg, fmt.Errorf("-interval %v: want 1s to 1h", cfg.Interval)
	}
	if cfg.Until < 0 {
		return cfg, fmt.Errorf("-until %v: want a positive duration", cfg.Until)
	}
	for _, spec := range faults {
		f, err := agent.ParseFault(spec)
		if err != nil {
			return cfg, err
		}
		cfg.Faults = append(cfg.Faults, f)
	}
	if seed == "" {
		cfg.Seed = rand.Int64N(1_000_000)
	} else if cfg.Seed, err = strconv.ParseInt(seed, 10, 64); err != nil {
		return cfg, fmt.Errorf("-seed %q: want a whole number", seed)
	}
	if accessKey != "" {
		ak, sk, err := auth.ParseAccessKey(accessKey)
		if err != nil {
			return cfg, fmt.Errorf("-access-key: %w", err) // never echoes the secret
		}
		cfg.Credentials.AccessKey, cfg.Credentials.SecretKey = ak, sk
	}
	if accessKey != "" && cfg.Credentials.Token != "" {
		return cfg, errors.New("give -access-key or -token, not both")
	}
	return cfg, nil
}

// runAgents is `smslab agent`: it runs agents until they are done or ctx is, prints one line per
// task, and fails if any agent stopped short.
func runAgents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseAgentOptions(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, strings.Replace(agentUsage, "CODES", strings.Join(agent.ErrorCodes(), ", "), 1))
		return nil
	}
	if err != nil {
		return fmt.Errorf("agent: %w (see smslab agent -h)", err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Logger.Info("agents seeded: give the same -seed to repeat the run", "seed", cfg.Seed)
	outcomes, err := agent.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if len(outcomes) == 0 {
		cfg.Logger.Info("no task to migrate: none of the server's tasks matched -tasks, or none may run")
	}
	short := 0
	for _, o := range outcomes {
		fmt.Fprintln(stdout, o)
		if o.Err != nil {
			short++
		}
	}
	if short > 0 {
		return fmt.Errorf("agent: %d of %d agents stopped short", short, len(outcomes))
	}
	return nil
}

// defaultSpeedup, for the agent command and the demo, makes a 2-hour migration take 2 minutes: a
// wave moves visibly within seconds and lasts a few minutes.
const defaultSpeedup = 60

// setSpeedup is the setter of a speedup flag: it checks the value as it is set, so that an error
// names the flag or the environment variable it came from.
func setSpeedup(dst *float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= agent.MinSpeedup) || f > agent.MaxSpeedup {
			return fmt.Errorf("want a number from %v to %v", agent.MinSpeedup, agent.MaxSpeedup)
		}
		*dst = f
		return nil
	}
}

// demoConfig is the demo wave against the server's own listener, with credentials it takes.
func demoConfig(addr net.Addr, creds auth.Config, speedup float64, logger *slog.Logger) (agent.Config, error) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return agent.Config{}, err
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1" // listening on every address: loopback is one of them
	}
	cfg := agent.Demo("http://"+net.JoinHostPort(host, port), demoCredentials(creds), speedup)
	cfg.Logger = logger
	return cfg, nil
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
