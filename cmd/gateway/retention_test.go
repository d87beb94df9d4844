package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

// With GATEWAY_ENCRYPTION_KEY, deliveries are signed as ever while no
// whsec_ secret is ever written to the database file or its WAL.
func TestEncryptionKeyKeepsSecretsOutOfTheFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sealed.db")
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{42}, 32))
	cfg := testConfig(t, db, map[string]string{"GATEWAY_ADMIN_TOKEN": testAdmin, "GATEWAY_ENCRYPTION_KEY": key,
		"GATEWAY_ALLOW_PRIVATE_TARGETS": "true"})
	g := startGateway(t, cfg)

	type got struct {
		body []byte
		sig  string
	}
	deliveries := make(chan got, 16)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		if code, ok := m["validation_code"].(string); ok {
			_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": code})
			return
		}
		deliveries <- got{body, r.Header.Get("X-Webhook-Signature-256")}
	}))
	defer rc.Close()

	var hook struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	if st := g.apiBody("POST", "/api/v1/webhooks", map[string]any{"name": "sealed", "url": rc.URL, "events": []string{"project.*"}}, &hook); st != http.StatusCreated || !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("create webhook: %d %+v", st, hook)
	}
	if st := g.apiBody("POST", "/api/v1/projects", map[string]any{"name": "Website"}, nil); st != http.StatusCreated {
		t.Fatalf("create project: %d", st)
	}
	var d got
	select {
	case d = <-deliveries:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
	mac := hmac.New(sha256.New, []byte(hook.Secret))
	mac.Write(d.body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); d.sig != want {
		t.Fatalf("signature %q, want %q", d.sig, want)
	}
	// Rotation keeps the previous secret, sealed too.
	if st := g.api("POST", "/api/v1/webhooks/"+hook.ID+"/rotate-secret", nil); st != http.StatusOK {
		t.Fatalf("rotate: %d", st)
	}
	// Before the checkpoint at close, and after it.
	noSecretIn(t, db, db+"-wal")
	g.stop()
	noSecretIn(t, db, db+"-wal")
}

func noSecretIn(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("whsec_")) {
			t.Errorf("%s holds a whsec_ secret", filepath.Base(f))
		}
	}
}

func TestRetentionAndKeySettings(t *testing.T) {
	for v, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "36h": 36 * time.Hour, "1s": time.Second} {
		cfg, _, err := configFor("serve", nil, func(k string) string { return map[string]string{"GATEWAY_RETENTION": v}[k] }, io.Discard)
		if err != nil || cfg.Retention != want {
			t.Errorf("GATEWAY_RETENTION=%s: %v, %v", v, cfg, err)
		}
	}
	cfg, _, err := configFor("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil || cfg.Retention != 30*24*time.Hour || cfg.SessionTTL != 12*time.Hour || cfg.EncryptionKey != nil {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	for _, bad := range [][2]string{{"GATEWAY_RETENTION", "0d"}, {"GATEWAY_RETENTION", "soon"}, {"GATEWAY_SESSION_TTL", "-1h"},
		{"GATEWAY_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString([]byte("too short"))}, {"GATEWAY_ENCRYPTION_KEY", "%%%not-base64"}} {
		env, v := bad[0], bad[1]
		_, _, err := configFor("serve", nil, func(k string) string { return map[string]string{env: v}[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=%s: %v, want an error naming the variable", env, v, err)
		} else if env == "GATEWAY_ENCRYPTION_KEY" && strings.Contains(err.Error(), v) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}

// `gateway prune` deletes what is past the retention and prints the counts;
// `gateway backup` copies a SQLite file and sends PostgreSQL users to
// pg_dump with exit status 2.
func TestPruneAndBackupCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cli.db")
	env := map[string]string{"GATEWAY_DATABASE_URL": "sqlite:" + db}
	st, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	err = st.Update(context.Background(), func(tx core.Tx) error {
		ws, err := tx.EnsureWorkspace("Acme", now)
		if err != nil {
			return err
		}
		for i, age := range []time.Duration{40 * 24 * time.Hour, 20 * 24 * time.Hour, time.Hour} {
			e := core.Event{ID: "evt_" + string(rune('a'+i)), Type: "project.created", Timestamp: now.Add(-age), WorkspaceID: ws.ID}
			if err := tx.AppendEvent(&e); err != nil {
				return err
			}
			if err := tx.SetDispatchCursor(e.Seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err := errors.Join(err, st.Close()); err != nil {
		t.Fatal(err)
	}
	prune := func(retention string) core.Pruned {
		t.Helper()
		env["GATEWAY_RETENTION"] = retention
		out, _, err := runCLI(t, env, "prune")
		var p core.Pruned
		if err != nil || json.Unmarshal([]byte(out), &p) != nil {
			t.Fatalf("prune: %q, %v", out, err)
		}
		return p
	}
	if p := prune("30d"); p != (core.Pruned{Events: 1}) {
		t.Errorf("prune at 30d: %+v, want 1 event", p)
	}
	if p := prune("2d"); p != (core.Pruned{Events: 1}) {
		t.Errorf("prune at 2d: %+v, want 1 event", p)
	}
	if p := prune("2d"); p != (core.Pruned{}) {
		t.Errorf("prune again: %+v, want nothing", p)
	}

	dest := filepath.Join(dir, "copy.db")
	if out, _, err := runCLI(t, env, "backup", dest); err != nil || !strings.Contains(out, dest) {
		t.Fatalf("backup: %q, %v", out, err)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v", fi, err)
	}
	if _, _, err := runCLI(t, env, "backup"); !errors.As(err, new(errUsage)) {
		t.Errorf("backup without a file: %v", err)
	}
	env["GATEWAY_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
	_, _, err = runCLI(t, env, "backup", filepath.Join(dir, "pg.db"))
	if !errors.As(err, new(errUsage)) || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup of PostgreSQL: %v, want exit 2 and pg_dump", err)
	}
}
