package main

// The command line of smslab and of smslab agent: their help, their flags and the environment
// variables the flags fall back to. serve and runAgents take what these functions parse.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"smslab/agent"
	"smslab/auth"
	"smslab/seed"
	"smslab/sms"
)

// options are smslab's settings, from flags or, for a flag not given, its environment variable.
type options struct {
	addr       string
	db         string
	seed       string
	seedStrict bool
	sync       string
	verbose    bool
	demo       bool
	agents     bool
	speedup    float64 // of the in-process agents: -agents-speedup, or -demo-speedup
	version    bool
	pprof      string
	auth       auth.Options
	fromEnv    map[string]bool // the flags set from their environment variable
}

// source names where the value of a flag that holds no secret came from, as errors show it:
// -seed "x" or SMSLAB_SEED="x".
func (o options) source(flag, value string) string {
	if o.fromEnv[flag] {
		return fmt.Sprintf("%s=%q", envOf[flag], value)
	}
	return fmt.Sprintf("-%s %q", flag, value)
}

// envOf names the environment variable each flag falls back to.
var envOf = map[string]string{
	"addr": "SMSLAB_ADDR",
	"db":   "SMSLAB_DB",
	"seed": "SMSLAB_SEED",

	"seed-strict": "SMSLAB_SEED_STRICT",
	"sync":        "SMSLAB_SYNC",
	"demo":        "SMSLAB_DEMO",
	"agents":      "SMSLAB_AGENTS",

	"demo-speedup":   "SMSLAB_DEMO_SPEEDUP",
	"agents-speedup": "SMSLAB_AGENTS_SPEEDUP",

	"verbose": "SMSLAB_VERBOSE",
	"pprof":   "SMSLAB_PPROF",

	"access-keys":      "SMSLAB_ACCESS_KEYS",
	"access-keys-file": "SMSLAB_ACCESS_KEYS_FILE",
	"tokens":           "SMSLAB_TOKENS",
	"tokens-file":      "SMSLAB_TOKENS_FILE",
}

const usage = `smslab: a local emulator of the Huawei Cloud SMS v3 API.

Usage: smslab [flags]
       smslab agent [flags]   simulated migration agents (see smslab agent -h)
       smslab -version        print the version

Every flag can also be set through the environment variable named beside it; a flag on the
command line wins.

  -addr ADDR   SMSLAB_ADDR   address to listen on (default 127.0.0.1:8080); open on
                             loopback, smslab answers only requests whose Host is
                             localhost, a loopback address or this address's host
  -db PATH     SMSLAB_DB     SQLite database file, created and migrated on start; a plain
                             path (no '?' or '#'), one smslab per file, not another
                             application's SQLite file (default smslab.db)
  -seed SEED   SMSLAB_SEED   what to load at start, upserted by id: "demo" (the built-in demo
                             set), "none", or the path of a JSON file with "migprojects",
                             "sources", "templates" and "tasks" arrays, such as a saved
                             ListTasks response ({"count": N, "tasks": [...]}).
                             Default: demo when the database is new, otherwise nothing.
  -seed-strict SMSLAB_SEED_STRICT
                             refuse a seed file holding fields smslab does not know, rather
                             than ignore them with a warning naming each
  -sync MODE   SMSLAB_SYNC   "normal" (default): an answered write survives any crash of
                             smslab; "full": it also survives a power loss or an OS crash,
                             at several times the cost of each write
  -verbose     SMSLAB_VERBOSE
                             log every request; by default only failed ones (4xx, 5xx),
                             start-up and shutdown are logged
  -agents      SMSLAB_AGENTS run a simulated agent inside smslab for every registered source
                             server, and for each registered later: it polls for commands
                             over loopback and migrates the source's task once started, so a
                             task a script or Terraform creates and starts runs to its end
  -agents-speedup N
               SMSLAB_AGENTS_SPEEDUP
                             simulated seconds per second for those agents, 0.001 to 1e9
                             (default 60: a 2-hour migration takes 2 minutes)
  -demo        SMSLAB_DEMO   play a whole lab with those agents (-agents is implied): six new
                             sources register, an operator creates their tasks from a
                             template and starts them over the API, stops one and starts it
                             again, tests one that succeeds; the demo tasks at work go on and
                             those READY are started, with a few failures, stalls and
                             disconnections
  -demo-speedup N
               SMSLAB_DEMO_SPEEDUP
                             the same as -agents-speedup
  -pprof ADDR  SMSLAB_PPROF  also serve Go's profiler (/debug/pprof/) on this address, such
                             as 127.0.0.1:6060, for finding where the time goes under load;
                             off by default, and never on the API's port
  -version                   print smslab's version and exit
  -h                         print this help

Listening beyond loopback (-addr 0.0.0.0:8080, say) makes the status page and /metrics
readable without credentials by anyone who can reach the port, and in open mode the API takes
any token: smslab warns at start.

Credentials. With none of these the server is open: any non-empty X-Auth-Token or well-formed
SDK-HMAC-SHA256 signature passes. With any of them it is strict: only these pass. Lists add up.

  -access-keys AK:SK,...      SMSLAB_ACCESS_KEYS       access keys and their secret keys, for
                                                       signatures (the official SDKs)
  -access-keys-file PATH      SMSLAB_ACCESS_KEYS_FILE  the same, one AK:SK a line
  -tokens TOKEN,...           SMSLAB_TOKENS            X-Auth-Token values accepted
  -tokens-file PATH           SMSLAB_TOKENS_FILE       the same, one token a line

In the files, blank lines and lines starting with # are ignored. Prefer the files: flags and
environment variables can show in process listings.
`

// parseOptions reads the flags, then the environment for each flag not given.
func parseOptions(args []string, getenv func(string) string) (options, error) {
	o := options{sync: "normal", speedup: defaultSpeedup}
	fs := flag.NewFlagSet("smslab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.addr = "127.0.0.1:8080"
	fs.Func("addr", "", func(v string) error {
		if err := checkAddr(v); err != nil {
			return err
		}
		o.addr = v
		return nil
	})
	fs.StringVar(&o.db, "db", "smslab.db", "")
	fs.StringVar(&o.seed, "seed", "", "")
	fs.BoolVar(&o.seedStrict, "seed-strict", false, "")
	// Values are checked as they are set, so that an error names where the value came from: the
	// flag, or its environment variable.
	fs.Func("sync", "", func(v string) error {
		if v != "normal" && v != "full" {
			return errors.New("want normal or full")
		}
		o.sync = v
		return nil
	})
	fs.BoolVar(&o.verbose, "verbose", false, "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.BoolVar(&o.agents, "agents", false, "")
	fs.Func("demo-speedup", "", setSpeedup(&o.speedup))
	fs.Func("agents-speedup", "", setSpeedup(&o.speedup))
	fs.StringVar(&o.auth.AccessKeys, "access-keys", "", "")
	fs.StringVar(&o.auth.AccessKeysFile, "access-keys-file", "", "")
	fs.StringVar(&o.auth.Tokens, "tokens", "", "")
	fs.StringVar(&o.auth.TokensFile, "tokens-file", "", "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.Func("pprof", "", func(v string) error {
		if err := checkAddr(v); err != nil {
			return err
		}
		o.pprof = v
		return nil
	})
	var err error
	if o.fromEnv, err = parseWithEnv(fs, args[1:], envOf, getenv, []string{"agents-speedup", "demo-speedup"}); err != nil {
		return o, err
	}
	if o.db == "" {
		return o, errors.New("-db is empty: want a file path, such as smslab.db")
	}
	return o, nil
}

// loadSeed reads what -seed names. An error names the flag or variable the value came from; a
// file that is not there, named as a built-in set in other letters, is taken for a typo. Fields
// smslab does not know are refused with -seed-strict, and otherwise ignored with a warning naming
// each (up to 20 of them).
func loadSeed(o options, logger *slog.Logger) (*seed.File, error) {
	f, err := seed.Load(sms.NewDecoder(), o.seed)
	if errors.Is(err, fs.ErrNotExist) {
		for builtin, what := range map[string]string{seed.Demo: "the built-in demo set", seed.None: "no tasks"} {
			if strings.EqualFold(o.seed, builtin) {
				return nil, fmt.Errorf("%s: no such file; for %s, give %q (in lower case)", o.source("seed", o.seed), what, builtin)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.source("seed", o.seed), err)
	}
	if len(f.Unknown) == 0 {
		return f, nil
	}
	if o.seedStrict {
		return nil, fmt.Errorf("%s: unknown fields %s (-seed-strict refuses them; without it they are ignored with a warning)",
			o.source("seed", o.seed), strings.Join(f.UnknownReport(), ", "))
	}
	for _, field := range f.UnknownReport() {
		logger.Warn("seed file: unknown field ignored (-seed-strict refuses it)", "file", o.seed, "field", field)
	}
	return f, nil
}

// checkAddr checks an -addr value: host:port, with a port number, as net.Listen takes it.
func checkAddr(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err == nil && port != "" {
		if _, err := strconv.ParseUint(port, 10, 16); err == nil {
			return nil
		}
	}
	example := "127.0.0.1:8080"
	if n, err := strconv.ParseUint(v, 10, 16); err == nil { // a port alone: on loopback, then
		example = "127.0.0.1:" + strconv.FormatUint(n, 10)
	}
	return fmt.Errorf("want host:port, such as %s", example)
}

// parseWithEnv parses args with fs and refuses stray arguments, then sets each flag that was not
// given from its environment variable in envOf, if that is set, and returns the names of those
// it set so. Flags in one of the alternatives are one setting in different forms: when the
// command line gives one, the environment sets none.
func parseWithEnv(fs *flag.FlagSet, args []string, envOf map[string]string, getenv func(string) string, alternatives ...[]string) (fromEnv map[string]bool, err error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, strayArguments(fs, args)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, alt := range alternatives {
		if slices.ContainsFunc(alt, func(name string) bool { return given[name] }) {
			for _, name := range alt {
				given[name] = true
			}
		}
	}
	fromEnv = map[string]bool{}
	for name, env := range envOf {
		if v := getenv(env); v != "" && !given[name] {
			if err := fs.Set(name, v); err != nil {
				// Only flags that check their value (booleans, numbers, -addr, -sync) fail here,
				// and none of them holds a secret, so the value may be shown.
				if b, ok := fs.Lookup(name).Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
					err = errors.New("want true or false (or 1 or 0)") // rather than "parse error"
				}
				return nil, fmt.Errorf("%s=%q: %w", env, v, err)
			}
			fromEnv[name] = true
		}
	}
	return fromEnv, nil
}

// commandWord is what a command or subcommand looks like; a token or a secret key seldom does.
var commandWord = regexp.MustCompile(`^[a-z][a-z-]{0,19}$`)

// strayArguments says what is wrong with the arguments fs left after its flags. A stray word is
// shown only when it comes first, before any flag, and looks like a command (smslab serve): then
// it cannot be a flag's value cut off by a space ("-tokens tok1, tok2" leaves tok2, a secret), and
// a credential is seldom lower-case letters alone. Anything else is counted, never shown.
func strayArguments(fs *flag.FlagSet, args []string) error {
	// Three words are answered wherever they are: they say nothing of a secret.
	if slices.Contains(fs.Args(), "agent") {
		return errors.New(`"agent" is a command: it comes right after smslab, before any flag`)
	}
	switch fs.Arg(0) {
	case "help":
		return errors.New(`"help" is no command: -h lists the flags`)
	case "version":
		return errors.New(`"version" is no command: -version prints the version`)
	}
	if word := fs.Arg(0); word == args[0] && commandWord.MatchString(word) {
		example := "smslab -addr 127.0.0.1:8080"
		if fs.Name() != "smslab" {
			example = "smslab agent -tasks state=READY"
		}
		return fmt.Errorf("%q is no command: %s takes flags alone, such as %s", word, fs.Name(), example)
	}
	what := "an unexpected argument"
	if fs.NArg() > 1 {
		what = fmt.Sprintf("%d unexpected arguments", fs.NArg())
	}
	return fmt.Errorf("%s after the flags (is a value with a space in it unquoted?)", what)
}

const agentUsage = `smslab agent: simulated SMS migration agents, one per source server, that follow
SMS' agent protocol through a server's API, as the real agent on a source server does: each
registers its source, polls for commands every few simulated seconds, acts on START, STOP,
SYNC, SKIP and DELETE, reports each command's result, and reports progress while it migrates.

Usage: smslab agent [flags]

  -server URL         SMSLAB_AGENT_SERVER      the SMS endpoint (default http://127.0.0.1:8080)
  -tasks WHICH        the tasks whose sources' agents run: all (default: every task whose
                      state lets it run), none, state=STATE, or task ids separated by commas
  -start=false        leave READY tasks to an operator: their agents wait for START; by
                      default each agent starts its READY task (UpdateTaskStatus start), as an
                      operator would, within 90 simulated seconds, then takes its START
  -register N         also register N new source servers with no task (the same ones for the
                      same -seed), whose agents poll for commands; the run then lasts until
                      interrupted (or -until), as every agent keeps polling
  -poll D             simulated time between an agent's polls for a command, 1s to 1h
                      (default 10s); 0 leaves the command channel out: agents only report,
                      starting READY tasks by reporting on them
  -speedup N          simulated seconds per second, 0.001 to 1e9 (default 60: a 2-hour
                      migration takes 2 minutes); every reported figure is in simulated time
  -seed N             makes a run repeatable; default: a random seed, which the log shows
  -interval D         simulated time between reports, 1s to 1h (default 10s)
  -until D            stop every agent at this simulated time, its task where it is (default:
                      run to the end)
  -fail SPEC          a fault to play; repeat for more (see below)
  -connections N      requests in flight at most, so connections kept, shared by all the
                      agents (default 64); an agent due while all are busy waits its turn
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

The summary, one line per agent, goes to standard output; the exit status is 1 if any agent
stopped short (a report refused, the server unreachable).
`

// agentHelp is agentUsage with the error codes a failure may take.
func agentHelp() string {
	return strings.Replace(agentUsage, "CODES", strings.Join(agent.ErrorCodes(), ", "), 1)
}

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
	fs.IntVar(&cfg.Connections, "connections", agent.DefaultConnections, "")
	fs.BoolVar(&cfg.StartReady, "start", true, "")
	fs.IntVar(&cfg.Register, "register", 0, "")
	fs.DurationVar(&cfg.Poll, "poll", agent.DefaultPoll, "")
	var faults []string
	fs.Func("fail", "", func(spec string) error {
		faults = append(faults, spec)
		return nil
	})
	fs.StringVar(&accessKey, "access-key", "", "")
	fs.StringVar(&cfg.Credentials.Token, "token", "", "")
	if _, err := parseWithEnv(fs, args, agentEnvOf, getenv, []string{"access-key", "token"}); err != nil {
		return cfg, err
	}
	var err error
	if cfg.Tasks, err = agent.ParseSelection(tasks); err != nil {
		return cfg, err
	}
	if cfg.Interval < time.Second || cfg.Interval > time.Hour {
		return cfg, fmt.Errorf("-interval %v: want 1s to 1h", cfg.Interval)
	}
	if cfg.Poll == 0 {
		cfg.ReportsOnly = true
	} else if cfg.Poll < time.Second || cfg.Poll > time.Hour {
		return cfg, fmt.Errorf("-poll %v: want 1s to 1h, or 0", cfg.Poll)
	}
	if cfg.Register < 0 || cfg.Register > 100000 {
		return cfg, fmt.Errorf("-register %d: want 0 to 100000", cfg.Register)
	}
	if cfg.Register > 0 && cfg.ReportsOnly {
		return cfg, errors.New("-register needs the command channel: give -poll above 0")
	}
	cfg.Stay = cfg.Register > 0
	if cfg.Connections < 1 || cfg.Connections > 4096 {
		return cfg, fmt.Errorf("-connections %d: want 1 to 4096", cfg.Connections)
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
