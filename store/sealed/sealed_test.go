package sealed_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sealed"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/chatops/gateway/store/storetest"
)

func box(t *testing.T, fill byte) *sealed.Box {
	t.Helper()
	b, err := sealed.NewBox(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A sealed store is a store: the whole conformance suite passes through it.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store {
		return sealed.Wrap(open(t, filepath.Join(t.TempDir(), "gateway.db")), box(t, 7))
	})
}

func TestBoxRoundTripAndRefusals(t *testing.T) {
	b := box(t, 1)
	s1, s2 := b.Seal("whsec_abc"), b.Seal("whsec_abc")
	if !strings.HasPrefix(s1, sealed.Prefix) || strings.Contains(s1, "whsec") || s1 == s2 {
		t.Fatalf("sealed %q and %q: want the prefix, no plain text, a fresh nonce each", s1, s2)
	}
	if got, err := b.Open(s1); err != nil || got != "whsec_abc" {
		t.Fatalf("open: %q, %v", got, err)
	}
	if got, err := b.Open("whsec_plain"); err != nil || got != "whsec_plain" {
		t.Fatalf("a plain old value: %q, %v", got, err)
	}
	if b.Seal("") != "" {
		t.Error("an empty secret was sealed")
	}
	for _, bad := range []string{s1[:len(s1)-2] + "AA", sealed.Prefix + "!!", sealed.Prefix} {
		if _, err := b.Open(bad); err == nil {
			t.Errorf("opened the damaged %q", bad)
		}
	}
	if _, err := box(t, 2).Open(s1); err == nil || !strings.Contains(err.Error(), "GATEWAY_ENCRYPTION_KEY") {
		t.Errorf("another key: %v", err)
	}
	if _, err := sealed.NewBox(make([]byte, 16)); err == nil {
		t.Error("a 16-byte key was taken")
	}
}

// With a key, no secret is in the database file or its WAL; a row written
// before the key was set reads as is and is sealed when next saved.
func TestNoSecretInTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gateway.db")
	raw := open(t, path)
	now := time.Now().UTC()
	var ws, owner core.ID
	var old core.Subscription
	err := raw.Update(ctx, func(tx core.Tx) error {
		w, err := tx.EnsureWorkspace("Acme", now)
		if err != nil {
			return err
		}
		u := core.User{WorkspaceID: w.ID, Name: "Ana", Role: core.RoleAdmin, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(&u); err != nil {
			return err
		}
		ws, owner = w.ID, u.ID
		old = sub(ws, owner, "old", "whsec_plainOldSecret", now)
		return tx.CreateSubscription(&old)
	})
	if err != nil {
		t.Fatal(err)
	}
	st := sealed.Wrap(raw, box(t, 9))
	fresh := sub(ws, owner, "new", "whsec_freshSecret", now)
	fresh.PreviousSecret = "whsec_previousSecret"
	if err := st.Update(ctx, func(tx core.Tx) error { return tx.CreateSubscription(&fresh) }); err != nil {
		t.Fatal(err)
	}
	if fresh.ID == 0 || fresh.Secret != "whsec_freshSecret" {
		t.Fatalf("create changed the caller's subscription: %+v", fresh)
	}
	var got []core.Subscription
	if err := st.View(ctx, func(tx core.Tx) (err error) {
		got, err = tx.ListSubscriptions(ws, 0, core.Page{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Secret != "whsec_plainOldSecret" || got[1].Secret != "whsec_freshSecret" ||
		got[1].PreviousSecret != "whsec_previousSecret" {
		t.Fatalf("read back %+v", got)
	}
	// A peek (the delivery engine's unlocked read) opens the secrets too.
	if err := st.Update(ctx, func(tx core.Tx) error {
		s, err := tx.PeekSubscription(ws, fresh.ID)
		if err == nil && (s.Secret != "whsec_freshSecret" || s.PreviousSecret != "whsec_previousSecret") {
			t.Errorf("peeked %q, %q", s.Secret, s.PreviousSecret)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Saving the old row seals it.
	if err := st.Update(ctx, func(tx core.Tx) error {
		s, err := tx.Subscription(ws, old.ID)
		if err != nil {
			return err
		}
		s.Name = "old renamed"
		return tx.UpdateSubscription(&s)
	}); err != nil {
		t.Fatal(err)
	}
	if err := raw.Update(ctx, func(tx core.Tx) error {
		s, err := tx.Subscription(ws, old.ID)
		if err == nil && !strings.HasPrefix(s.Secret, sealed.Prefix) {
			t.Errorf("the old row's secret after a save: %q", s.Secret)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The old plain row is still in freed pages and the WAL until they are
	// overwritten; VACUUM rewrites the file (as a backup would).
	if err := raw.Update(ctx, func(tx core.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil { // checkpoints and truncates the WAL
		t.Fatal(err)
	}
	vacuum(t, path)
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
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

func sub(ws, owner core.ID, name, secret string, now time.Time) core.Subscription {
	return core.Subscription{WorkspaceID: ws, OwnerID: owner, Name: name, URL: "https://example.com/" + name,
		Events: json.RawMessage(`["*"]`), Format: core.FormatStandard, Scope: core.ScopeWorkspace,
		Enabled: true, Status: core.SubActive, Secret: secret, CreatedAt: now, UpdatedAt: now}
}

// vacuum rewrites the database file, dropping freed pages.
func vacuum(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
}
