package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestParseCommand(t *testing.T) {
	out, _, err := runCLI(t, nil, "parse", "track Fix login in Website #frontend")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Command string         `json:"command"`
		Args    map[string]any `json:"args"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if got.Command != "track" || got.Args["task"] != "Fix login" || got.Args["project"] != "Website" {
		t.Fatalf("parse = %+v", got)
	}
	out, _, err = runCLI(t, nil, "parse", "track in Web")
	if err == nil || !strings.Contains(out, "column 7") {
		t.Fatalf("parse error: %q, %v", out, err)
	}
}

func TestTokenCreateAndMigrate(t *testing.T) {
	env := map[string]string{"GATEWAY_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "cli.db")}
	if out, _, err := runCLI(t, env, "migrate"); err != nil || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	out, _, err := runCLI(t, env, "token", "create", "--user", "carol", "--role", "admin")
	if err != nil || !strings.HasPrefix(out, "gw_") {
		t.Fatalf("token create: %q %v", out, err)
	}
	if _, _, err := runCLI(t, env, "token", "create", "--user", "dan", "--role", "boss"); err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("bad role accepted: %v", err)
	}
	if _, _, err := runCLI(t, env, "token", "create"); err == nil {
		t.Fatal("token create without --user accepted")
	}
}

func TestConfigFlagsWinOverEnvironment(t *testing.T) {
	env := map[string]string{"GATEWAY_ADDR": ":9999", "GATEWAY_DISABLE_AFTER": "7", "GATEWAY_RETRY_SCHEDULE": "0s,1s"}
	cfg, _, err := configFor("serve", []string{"-addr", ":7000"}, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":7000" || cfg.DisableAfter != 7 || len(cfg.RetrySchedule) != 2 || cfg.DatabaseURL != "sqlite:gateway.db" {
		t.Fatalf("cfg = %+v", cfg)
	}
	env["GATEWAY_DISABLE_AFTER"] = "zero"
	if _, _, err := configFor("serve", nil, func(k string) string { return env[k] }, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "GATEWAY_DISABLE_AFTER") {
		t.Fatalf("bad env accepted or not named: %v", err)
	}
}

func TestVersionHelpAndUnknown(t *testing.T) {
	if out, _, err := runCLI(t, nil, "version"); err != nil || !strings.HasPrefix(out, "gateway ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if out, _, err := runCLI(t, nil, "help"); err != nil || !strings.Contains(out, "GATEWAY_DATABASE_URL") {
		t.Fatalf("help: %q %v", out, err)
	}
	if _, _, err := runCLI(t, nil, "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	if _, _, err := runCLI(t, map[string]string{"GATEWAY_DATABASE_URL": "mysql://x"}, "migrate"); err == nil || !strings.Contains(err.Error(), "sqlite:PATH") {
		t.Fatalf("bad database url: %v", err)
	}
}

func TestAdapterThatIsOffSaysHowToTurnItOn(t *testing.T) {
	g := startGateway(t, testConfig(t, filepath.Join(t.TempDir(), "off.db"), nil))
	for path, setting := range map[string]string{"/slack/commands": "GATEWAY_SLACK_SIGNING_SECRET",
		"/github/webhook": "GATEWAY_GITHUB_WEBHOOK_SECRET", "/mattermost/commands": "GATEWAY_MATTERMOST_TOKEN"} {
		resp, err := http.Post(g.base+path, "application/x-www-form-urlencoded", strings.NewReader("text=stop"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(body), setting) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}
