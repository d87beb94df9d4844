package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/parser"
	"github.com/chatops/gateway/store/postgres"
	"github.com/chatops/gateway/store/sqlite"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// errSilent is returned when the error was already told to the user.
var errSilent = errors.New("silent")

const usage = `gateway: a self-hosted chat-ops gateway for time tracking

Usage:
  gateway [serve] [flags]          run the server (the default)
  gateway migrate [flags]          apply database migrations and exit
  gateway token create --user NAME [--role admin|member] [--workspace W]
                                   print a new API token (shown once)
  gateway prune [flags]            delete what the retention lets go now; print the counts as JSON
  gateway backup FILE [flags]      write a consistent copy of the SQLite database to FILE (0600)
  gateway parse "TEXT"             print the command TEXT parses to, as JSON
  gateway version                  print version and build info (--version too)
  gateway help                     this help (-h, --help too)

Commands that open a database say which (the absolute path of a SQLite file).
"token create" opens only an existing database; run it where the server runs
or name the server's database with -database-url.
`

// run is the whole program: main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := runCommand(ctx, args, getenv, stdout, stderr); !errors.Is(err, errHelp) {
		return err
	}
	return nil
}

func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	} else if c, ok := topLevelFlag(args0(args)); ok {
		cmd, args = c, args[1:]
	}
	switch cmd {
	case "serve":
		cfg, rest, err := configFor("serve", args, getenv, stderr)
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return fmt.Errorf("serve takes no arguments, got %q", rest)
		}
		srv, err := startServer(ctx, cfg, stdout, newLogger(cfg, stderr))
		if err != nil {
			return err
		}
		return srv.wait(ctx)
	case "migrate":
		cfg, _, err := configFor("migrate", args, getenv, stderr)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, cfg, newLogger(cfg, stderr))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations applied to", databaseName(cfg.DatabaseURL))
		return st.Close()
	case "token":
		return tokenCommand(ctx, args, getenv, stdout, stderr)
	case "parse":
		return parseCommand(args, stdout)
	case "prune":
		return pruneCommand(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backupCommand(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		printSettings(stdout)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func configFor(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, []string, error) {
	fs := flag.NewFlagSet("gateway "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		printSettings(stderr)
	}
	cfg, rest, err := parseConfig(fs, args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil, nil, errHelp
	}
	return cfg, rest, err
}

func newLogger(cfg *Config, stderr io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(httpx.LogRequestID(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})))
}

// openStore opens the database the configuration names, applying migrations.
func openStore(ctx context.Context, cfg *Config, logger *slog.Logger) (core.Store, error) {
	u := cfg.DatabaseURL
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		path, _ := sqlitePath(u)
		if path == "" {
			return nil, errors.New("database url sqlite: needs a path, as in sqlite:gateway.db")
		}
		st, err := sqlite.Open(ctx, path, sqlite.Options{Synchronous: cfg.SQLiteSynchronous, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		logger.Info("database opened", "database", databaseName(u))
		return st, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if cfg.DBMinConns > cfg.DBMaxConns {
			return nil, fmt.Errorf("GATEWAY_DB_MIN_CONNS (%d) is more than GATEWAY_DB_MAX_CONNS (%d)", cfg.DBMinConns, cfg.DBMaxConns)
		}
		st, err := postgres.Open(ctx, u, postgres.Options{MaxConns: int32(min(cfg.DBMaxConns, math.MaxInt32)),
			MinConns: int32(min(cfg.DBMinConns, math.MaxInt32)), ConnectTimeout: cfg.DBConnectTimeout, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redactURL(u), err)
		}
		logger.Info("database opened", "database", databaseName(u))
		return st, nil
	}
	return nil, fmt.Errorf("database url %q: want sqlite:PATH or postgres://…", u)
}

func tokenCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(`usage: gateway token create --user NAME [--role admin|member] [--workspace W]`)
	}
	fs := flag.NewFlagSet("gateway token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "user name (created when unknown)")
	role := fs.String("role", "member", "role of a new user: admin or member")
	workspace := fs.String("workspace", "", "workspace name (the default workspace when empty)")
	cfg, _, err := parseConfig(fs, args[1:], getenv)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	if err != nil {
		return err
	}
	if *user == "" {
		return errors.New("--user is required")
	}
	if err := requireDatabase(ctx, cfg.DatabaseURL, cfg.DBConnectTimeout); err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := core.NewService(st, core.Options{Logger: logger, Limits: cfg.Limits})
	if *workspace != "" {
		ws, err := svc.Workspace(ctx)
		if err != nil {
			return err
		}
		if !strings.EqualFold(ws.Name, *workspace) {
			return fmt.Errorf("workspace %q not found (this gateway serves %q)", *workspace, ws.Name)
		}
	}
	token, u, err := svc.IssueToken(ctx, core.Actor{Source: "cli"}, core.TokenRequest{User: *user, Role: core.Role(*role)})
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	fmt.Fprintf(stderr, "token for %s (%s) in %s; it is shown once:\n", u.Name, u.Role, databaseName(cfg.DatabaseURL))
	fmt.Fprintln(stdout, token)
	return nil
}

func parseCommand(args []string, stdout io.Writer) error {
	text := strings.Join(args, " ")
	cmd, err := parser.Parse(text)
	if err != nil {
		fmt.Fprintln(stdout, err.Error())
		return errSilent
	}
	b, err := json.MarshalIndent(map[string]any{"command": cmd.CommandName(), "args": readable(cmd)}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}

func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	return buildVersion(version, bi, ok)
}

// args0 is args' first element, or "".
func args0(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
