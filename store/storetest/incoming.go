package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func addHook(t *testing.T, s core.Store, ws, owner core.ID, name, hash string) core.IncomingHook {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.IncomingHook, error) {
		h := core.IncomingHook{WorkspaceID: ws, OwnerID: owner, Name: name, TokenHash: hash, CreatedAt: t0}
		err := tx.CreateIncomingHook(&h)
		return h, err
	})
}

func sameHook(t *testing.T, got, want core.IncomingHook) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.OwnerID != want.OwnerID ||
		got.Name != want.Name || got.TokenHash != want.TokenHash {
		t.Errorf("got hook %+v, want %+v", got, want)
	}
	sameTime(t, "hook created_at", got.CreatedAt, want.CreatedAt)
}

var incomingTests = []test{
	{"Incoming/CreateGetByHash", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		h := addHook(t, s, f.ws, f.user.ID, "CI", "hash-1")
		if h.ID == 0 {
			t.Fatal("CreateIncomingHook set no id")
		}
		sameHook(t, read(t, s, func(tx core.Tx) (core.IncomingHook, error) { return tx.IncomingHook(f.ws, h.ID) }), h)
		sameHook(t, read(t, s, func(tx core.Tx) (core.IncomingHook, error) { return tx.IncomingHookByHash("hash-1") }), h)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IncomingHookByHash("hash-2"); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IncomingHook(f.ws+100, h.ID); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IncomingHook(f.ws, 9999); return err }), core.ENOTFOUND)
		// An empty name is kept as empty.
		unnamed := addHook(t, s, f.ws, f.user.ID, "", "hash-2")
		sameHook(t, read(t, s, func(tx core.Tx) (core.IncomingHook, error) { return tx.IncomingHook(f.ws, unnamed.ID) }), unnamed)
	}},
	{"Incoming/CreateErrors", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		addHook(t, s, f.ws, f.user.ID, "CI", "hash-1")
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.CreateIncomingHook(&core.IncomingHook{WorkspaceID: f.ws, OwnerID: f.user.ID, TokenHash: "hash-1", CreatedAt: t0})
		}), core.ECONFLICT)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.CreateIncomingHook(&core.IncomingHook{WorkspaceID: f.ws, OwnerID: 9999, TokenHash: "hash-x", CreatedAt: t0})
		}), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.CreateIncomingHook(&core.IncomingHook{WorkspaceID: f.ws + 100, OwnerID: f.user.ID, TokenHash: "hash-y", CreatedAt: t0})
		}), core.ENOTFOUND)
	}},
	{"Incoming/ListByOwnerAndPages", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		var all, alices []core.ID
		for i := range 5 {
			owner := f.user.ID
			if i%2 == 1 {
				owner = bob.ID
			}
			h := addHook(t, s, f.ws, owner, fmt.Sprint("hook ", i), fmt.Sprint("hash-", i))
			all = append(all, h.ID)
			if owner == f.user.ID {
				alices = append(alices, h.ID)
			}
		}
		hookID := func(h core.IncomingHook) core.ID { return h.ID }
		got := read(t, s, func(tx core.Tx) ([]core.IncomingHook, error) { return tx.ListIncomingHooks(f.ws, 0, core.Page{}) })
		wantIDs(t, "all hooks", ids(got, hookID), all)
		got = read(t, s, func(tx core.Tx) ([]core.IncomingHook, error) {
			return tx.ListIncomingHooks(f.ws, f.user.ID, core.Page{})
		})
		wantIDs(t, "Alice's hooks", ids(got, hookID), alices)
		got = read(t, s, func(tx core.Tx) ([]core.IncomingHook, error) {
			return tx.ListIncomingHooks(f.ws, 0, core.Page{After: all[1], Limit: 2})
		})
		wantIDs(t, "a page", ids(got, hookID), all[2:4])
		got = read(t, s, func(tx core.Tx) ([]core.IncomingHook, error) {
			return tx.ListIncomingHooks(f.ws, f.user.ID, core.Page{After: alices[0], Limit: 1})
		})
		wantIDs(t, "a page of Alice's", ids(got, hookID), alices[1:2])
		got = read(t, s, func(tx core.Tx) ([]core.IncomingHook, error) { return tx.ListIncomingHooks(f.ws+100, 0, core.Page{}) })
		if len(got) != 0 {
			t.Errorf("hooks of another workspace: %v", got)
		}
	}},
	{"Incoming/DeleteAndOwnerDeleted", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		h := addHook(t, s, f.ws, f.user.ID, "CI", "hash-1")
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteIncomingHook(f.ws+100, h.ID) }), core.ENOTFOUND)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteIncomingHook(f.ws, h.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IncomingHookByHash("hash-1"); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteIncomingHook(f.ws, h.ID) }), core.ENOTFOUND)

		bob := addUser(t, s, f.ws, "Bob")
		addHook(t, s, f.ws, bob.ID, "Bob's", "hash-2")
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteUser(f.ws, bob.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IncomingHookByHash("hash-2"); return err }), core.ENOTFOUND)
	}},
	{"GitHub/RepoProject", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		web := addProject(t, s, f.ws, "Website")
		api := addProject(t, s, f.ws, "API")
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.RepoProject(f.ws, "octo/web"); return err }), core.ENOTFOUND)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.SetRepoProject(f.ws, "Octo/Web", web.ID) })
		for _, name := range []string{"octo/web", "OCTO/WEB", "Octo/Web"} {
			got := read(t, s, func(tx core.Tx) (core.ID, error) { return tx.RepoProject(f.ws, name) })
			if got != web.ID {
				t.Errorf("RepoProject(%q) = %d, want %d", name, got, web.ID)
			}
		}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.SetRepoProject(f.ws, "octo/web", api.ID) })
		if got := read(t, s, func(tx core.Tx) (core.ID, error) { return tx.RepoProject(f.ws, "octo/web") }); got != api.ID {
			t.Errorf("remapped to %d, want %d", got, api.ID)
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.RepoProject(f.ws+100, "octo/web"); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.SetRepoProject(f.ws, "octo/x", 9999) }), core.ENOTFOUND)
		// Deleting the project removes the mapping.
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteProject(f.ws, api.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.RepoProject(f.ws, "octo/web"); return err }), core.ENOTFOUND)
	}},
	{"GitHub/IssueTask", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		p := addProject(t, s, f.ws, "web")
		t12 := addTask(t, s, f.ws, p.ID, "#12")
		t13 := addTask(t, s, f.ws, p.ID, "#13 Other")
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IssueTask(f.ws, "octo/web", 12); return err }), core.ENOTFOUND)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.SetIssueTask(f.ws, "octo/web", 12, t12.ID) })
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.SetIssueTask(f.ws, "octo/api", 12, t13.ID) })
		if got := read(t, s, func(tx core.Tx) (core.ID, error) { return tx.IssueTask(f.ws, "OCTO/web", 12) }); got != t12.ID {
			t.Errorf("IssueTask(octo/web, 12) = %d, want %d", got, t12.ID)
		}
		if got := read(t, s, func(tx core.Tx) (core.ID, error) { return tx.IssueTask(f.ws, "octo/api", 12) }); got != t13.ID {
			t.Errorf("IssueTask(octo/api, 12) = %d, want %d", got, t13.ID)
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IssueTask(f.ws, "octo/web", 13); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.SetIssueTask(f.ws, "octo/web", 14, 9999) }), core.ENOTFOUND)
		// Relinking replaces; deleting the task removes the link.
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.SetIssueTask(f.ws, "octo/web", 12, t13.ID) })
		if got := read(t, s, func(tx core.Tx) (core.ID, error) { return tx.IssueTask(f.ws, "octo/web", 12) }); got != t13.ID {
			t.Errorf("relinked to %d, want %d", got, t13.ID)
		}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteTask(f.ws, t13.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IssueTask(f.ws, "octo/web", 12); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.IssueTask(f.ws, "octo/api", 12); return err }), core.ENOTFOUND)
	}},
	{"Dedupe/Remembered", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		seen := func(key string) bool {
			return read(t, s, func(tx core.Tx) (bool, error) { return tx.Remembered(f.ws, key) })
		}
		if seen("k1") {
			t.Fatal("a new key is remembered")
		}
		if fresh := write(t, s, func(tx core.Tx) (bool, error) { return tx.Remember(f.ws, "k1", at(time.Minute)) }); !fresh {
			t.Fatal("Remember of a new key said it was seen")
		}
		if !seen("k1") || seen("k2") {
			t.Fatalf("Remembered: k1 %v, k2 %v", seen("k1"), seen("k2"))
		}
		if read(t, s, func(tx core.Tx) (bool, error) { return tx.Remembered(f.ws+100, "k1") }) {
			t.Error("a key of another workspace is remembered")
		}
	}},
}
