package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/parser"
	"github.com/chatops/gateway/store/postgres/pgtest"
)

func TestHelpAndVersionFlagsExitZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}, {"serve", "-h"}, {"migrate", "--help"},
		{"prune", "-h"}, {"token", "create", "-h"}} {
		out, errOut, err := runCLI(t, nil, args...)
		if err != nil {
			t.Errorf("%q: %v (exit %d)", args, err, exitStatus(err))
		}
		if !strings.Contains(out+errOut, "Usage") && !strings.Contains(out+errOut, "-user") {
			t.Errorf("%q printed no help: %q %q", args, out, errOut)
		}
	}
	for _, args := range [][]string{{"--version"}, {"-version"}, {"-v"}, {"version"}} {
		out, _, err := runCLI(t, nil, args...)
		if err != nil || !strings.HasPrefix(out, "gateway "+version+" (") {
			t.Errorf("%q: %q %v", args, out, err)
		}
	}
	// A flag serve does not know is still an error, with status 2.
	if _, _, err := runCLI(t, nil, "--frobnicate"); exitStatus(err) != 2 {
		t.Errorf("unknown flag: %v", err)
	}
}

func TestVersionSaysSomethingUsefulWithoutVCSInfo(t *testing.T) {
	devel := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/chatops/gateway", Version: "(devel)"}}
	got := buildVersion("dev", devel, true)
	for _, want := range []string{"gateway dev", "github.com/chatops/gateway (devel)", "go1.26.8", runtime.GOOS + "/" + runtime.GOARCH, "no VCS info"} {
		if !strings.Contains(got, want) {
			t.Errorf("no VCS: %q lacks %q", got, want)
		}
	}
	tagged := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/chatops/gateway", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "GOOS", Value: "linux"}}}
	got = buildVersion("v1.4.0", tagged, true)
	if !strings.Contains(got, "v1.4.0") || !strings.Contains(got, "vcs.revision=abc123") || !strings.Contains(got, "vcs.time=2026-11-30T10:00:00Z") ||
		strings.Contains(got, "no VCS info") || strings.Contains(got, "GOOS") {
		t.Errorf("with VCS: %q", got)
	}
	if got := buildVersion("dev", nil, false); !strings.Contains(got, runtime.Version()) || !strings.Contains(got, "no build info") {
		t.Errorf("no build info: %q", got)
	}
}

func TestParsePrintsDurationsReadably(t *testing.T) {
	out, _, err := runCLI(t, nil, "parse", "log 1h30m on Fix login in Website")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Args struct {
			Amount struct {
				Duration string `json:"duration"`
			} `json:"amount"`
		} `json:"args"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Args.Amount.Duration != "1h30m0s" {
		t.Fatalf("duration = %q (%v) in %s", got.Args.Amount.Duration, err, out)
	}
}

// An edit's amount is a pointer, left out when the edit has none.
func TestParsePrintsAnEditsDurationReadably(t *testing.T) {
	for text, want := range map[string]any{"edit entry #5 2h": "2h0m0s", "edit entry #5 on Review in Web": nil} {
		out, _, err := runCLI(t, nil, "parse", text)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Args map[string]any `json:"args"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%q: %v in %s", text, err, out)
		}
		if want == nil {
			if _, ok := got.Args["amount"]; ok {
				t.Errorf("%q: an amount in %s", text, out)
			}
			continue
		}
		if amount, _ := got.Args["amount"].(map[string]any); amount["duration"] != want {
			t.Errorf("%q: duration %v in %s, want %v", text, amount["duration"], out, want)
		}
	}
}

// The readable form is encoding/json's, field for field, but for durations.
func TestReadableIsJSONButForDurations(t *testing.T) {
	for _, text := range []string{
		"track Fix login in Website #frontend", "log 1h30m on Fix login in Website", "log 9:00-10:15 on Triage in Ops yesterday",
		"stop", "status", "log 45m on Review in Website #a #b -- notes here", "track Fix in Web billable -- first pass", "notify list", "help",
	} {
		cmd, err := parser.Parse(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		plain, err := json.Marshal(cmd)
		if err != nil {
			t.Fatal(err)
		}
		nice, err := json.Marshal(readable(cmd))
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := errors.Join(json.Unmarshal(plain, &a), json.Unmarshal(nice, &b)); err != nil {
			t.Fatal(err)
		}
		if diff := sameButDurations(a, b); diff != "" {
			t.Errorf("%q: %s\nencoding/json: %s\nreadable:      %s", text, diff, plain, nice)
		}
	}
}

// sameButDurations says where a (encoding/json) and b (readable) differ
// other than a number of nanoseconds in a against its duration string in b.
func sameButDurations(a, b any) string {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return "keys differ"
		}
		for k, v := range a {
			if d := sameButDurations(v, bm[k]); d != "" {
				return k + ": " + d
			}
		}
		return ""
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return "lists differ"
		}
		for i := range a {
			if d := sameButDurations(a[i], bs[i]); d != "" {
				return d
			}
		}
		return ""
	case float64:
		if s, ok := b.(string); ok && time.Duration(a).String() == s {
			return ""
		}
	}
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	if !bytes.Equal(aj, bj) {
		return string(aj) + " != " + string(bj)
	}
	return ""
}

func TestTokenCreateRefusesToMakeADatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "elsewhere.db")
	_, _, err := runCLI(t, map[string]string{"GATEWAY_DATABASE_URL": "sqlite:" + missing}, "token", "create", "--user", "carol")
	if err == nil || exitStatus(err) == 0 || !strings.Contains(err.Error(), "no database at "+missing) || !strings.Contains(err.Error(), "GATEWAY_DATABASE_URL") {
		t.Fatalf("token create on a missing database: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("token create made %s: %v", missing, err)
	}

	// The default, relative sqlite:gateway.db, from another directory.
	t.Chdir(dir)
	_, _, err = runCLI(t, nil, "token", "create", "--user", "carol")
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "gateway.db")) || !strings.Contains(err.Error(), "working directory "+dir) {
		t.Fatalf("token create from another directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gateway.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("token create made gateway.db: %v", err)
	}
}

// On PostgreSQL, a schema without the gateway's tables is refused the same
// way, and accepted once migrated.
func TestTokenCreateRefusesAnEmptyPostgresSchema(t *testing.T) {
	env := map[string]string{"GATEWAY_DATABASE_URL": pgtest.Schema(t)}
	_, _, err := runCLI(t, env, "token", "create", "--user", "carol")
	if err == nil || !strings.Contains(err.Error(), "no gateway tables") || !strings.Contains(err.Error(), "gateway migrate") {
		t.Fatalf("token create on an empty schema: %v", err)
	}
	if _, errOut, err := runCLI(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, errOut)
	}
	if out, _, err := runCLI(t, env, "token", "create", "--user", "carol"); err != nil || !strings.HasPrefix(out, "gw_") {
		t.Fatalf("token create after migrate: %q %v", out, err)
	}
}

func TestCLISaysWhichDatabaseItOpened(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"GATEWAY_DATABASE_URL": "sqlite:here.db"}
	abs := filepath.Join(dir, "here.db")
	out, errOut, err := runCLI(t, env, "migrate")
	if err != nil || !strings.Contains(out, "migrations applied to sqlite:"+abs) || !strings.Contains(errOut, `"database":"sqlite:`+abs+`"`) {
		t.Fatalf("migrate: %q %q %v", out, errOut, err)
	}
	out, errOut, err = runCLI(t, env, "token", "create", "--user", "carol", "--role", "admin")
	if err != nil || !strings.HasPrefix(out, "gw_") || !strings.Contains(errOut, "token for carol (admin) in sqlite:"+abs) {
		t.Fatalf("token create: %q %q %v", out, errOut, err)
	}
	if databaseName("postgres://gw:secret@db:5432/gw") != "postgres://gw:xxxxx@db:5432/gw" {
		t.Errorf("a PostgreSQL URL is shown with its password: %s", databaseName("postgres://gw:secret@db:5432/gw"))
	}
}

func TestStartupLogNamesTheConsole(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "console.db"), nil)
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := startServer(ctx, cfg, io.Discard, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := srv.wait(ctx); err != nil {
			t.Error(err)
		}
	}()
	var console string
	for sc := bufio.NewScanner(strings.NewReader(logs.String())); sc.Scan(); {
		var line struct{ Msg, Console, Database string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
			console = line.Console
			if want := "sqlite:" + strings.TrimPrefix(cfg.DatabaseURL, "sqlite:"); line.Database != want || !filepath.IsAbs(strings.TrimPrefix(line.Database, "sqlite:")) {
				t.Errorf("listening names database %q, want %q (absolute)", line.Database, want)
			}
		}
	}
	if console != "http://"+srv.Addr()+"/ui/" {
		t.Fatalf("console = %q, want the listen address's /ui/; logs:\n%s", console, logs.String())
	}
	resp, err := http.Get(console)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<form") {
		t.Fatalf("GET %s: %d %.200s", console, resp.StatusCode, body)
	}
	for _, c := range []struct{ public, addr, want string }{
		{"http://localhost:8080", "[::]:8080", "http://localhost:8080/ui/"},
		{"http://localhost:8080", "0.0.0.0:9000", "http://localhost:9000/ui/"},
		{"https://time.example.com/", "[::]:8080", "https://time.example.com/ui/"},
	} {
		if got := consoleURL(c.public, c.addr); got != c.want {
			t.Errorf("consoleURL(%q, %q) = %q, want %q", c.public, c.addr, got, c.want)
		}
	}
}
