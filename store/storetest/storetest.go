package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// Run runs the conformance suite. Each subtest calls open for a new, empty
// store; open must arrange for the store to be closed when the test ends
// (t.Cleanup) and fail the test if it cannot open one.
func Run(t *testing.T, open func(t *testing.T) core.Store) {
	var tests []test
	tests = append(tests, workspaceTests...)
	tests = append(tests, userTests...)
	tests = append(tests, tokenTests...)
	tests = append(tests, namedTests()...)
	tests = append(tests, catalogTests...)
	tests = append(tests, entryTests...)
	tests = append(tests, outboxTests...)
	tests = append(tests, txTests...)
	tests = append(tests, incomingTests...)
	tests = append(tests, webhookTests...)
	tests = append(tests, retentionTests...)
	tests = append(tests, secretTests...)
	tests = append(tests, scheduleTests...)
	tests = append(tests, consoleTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tc.fn(t, s)
		})
	}
}

// test is one subtest of the suite.
type test struct {
	name string
	fn   func(t *testing.T, s core.Store)
}

// t0 is the suite's "now": a time with microseconds, in UTC.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// at returns t0 moved by d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// ptr returns a pointer to a copy of t.
func ptr(t time.Time) *time.Time { return &t }

// read runs fn in a View and fails the test on an error. Only the test's
// goroutine may call t.Fatal, so fn reports failures by returning them.
func read[T any](t *testing.T, s core.Store, fn func(core.Tx) (T, error)) T {
	t.Helper()
	var v T
	err := s.View(t.Context(), func(tx core.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	if err != nil {
		t.Fatalf("view: %v", err)
	}
	return v
}

// write runs fn in an Update and fails the test on an error.
func write[T any](t *testing.T, s core.Store, fn func(core.Tx) (T, error)) T {
	t.Helper()
	var v T
	err := s.Update(t.Context(), func(tx core.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	return v
}

// readErr runs fn in a View and returns its error.
func readErr(t *testing.T, s core.Store, fn func(core.Tx) error) error {
	t.Helper()
	return s.View(t.Context(), fn)
}

// writeErr runs fn in an Update and returns its error.
func writeErr(t *testing.T, s core.Store, fn func(core.Tx) error) error {
	t.Helper()
	return s.Update(t.Context(), fn)
}

// wantCode fails unless err is a *core.Error with the code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("got error %v (code %s), want a *core.Error with code %s", err, core.ErrorCode(err), code)
	}
	if ce.Message == "" {
		t.Fatalf("error %v has no message", err)
	}
}

// sameTime fails unless got is want, to the microsecond, in UTC.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if got.Location() != time.UTC {
		t.Errorf("%s: location %v, want UTC", what, got.Location())
	}
	if !got.Truncate(time.Microsecond).Equal(want.Truncate(time.Microsecond)) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// fixture is a workspace with one user, the start of most subtests.
type fixture struct {
	ws   core.ID
	user core.User
}

func setup(t *testing.T, s core.Store) fixture {
	t.Helper()
	ws := write(t, s, func(tx core.Tx) (core.Workspace, error) { return tx.EnsureWorkspace("Acme", t0) })
	u := addUser(t, s, ws.ID, "Alice")
	return fixture{ws: ws.ID, user: u}
}

func addUser(t *testing.T, s core.Store, ws core.ID, name string, ids ...core.Identity) core.User {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.User, error) {
		u := core.User{WorkspaceID: ws, Name: name, Role: core.RoleMember, TimeZone: "Europe/Paris",
			Identities: ids, CreatedAt: t0, UpdatedAt: t0}
		err := tx.CreateUser(&u)
		return u, err
	})
}

func addProject(t *testing.T, s core.Store, ws core.ID, name string) core.Project {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.Project, error) {
		p := core.Project{WorkspaceID: ws, Name: name, Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
		err := tx.CreateProject(&p)
		return p, err
	})
}

func addTask(t *testing.T, s core.Store, ws, project core.ID, name string) core.Task {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.Task, error) {
		k := core.Task{WorkspaceID: ws, ProjectID: project, Name: name, Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
		err := tx.CreateTask(&k)
		return k, err
	})
}

func addEntry(t *testing.T, s core.Store, e core.TimeEntry) core.TimeEntry {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.TimeEntry, error) {
		if e.CreatedAt.IsZero() {
			e.CreatedAt, e.UpdatedAt = t0, t0
		}
		err := tx.CreateEntry(&e)
		return e, err
	})
}

// ids returns the ids of things in order.
func ids[T any](things []T, id func(T) core.ID) []core.ID {
	out := make([]core.ID, len(things))
	for i, v := range things {
		out[i] = id(v)
	}
	return out
}

func wantIDs(t *testing.T, what string, got, want []core.ID) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s: got ids %v, want %v", what, got, want)
	}
}

var workspaceTests = []test{
	{"Workspace/EnsureIsIdempotent", func(t *testing.T, s core.Store) {
		w1 := write(t, s, func(tx core.Tx) (core.Workspace, error) { return tx.EnsureWorkspace("Acme", t0) })
		if w1.ID == 0 || w1.Name != "Acme" {
			t.Fatalf("created workspace %+v", w1)
		}
		sameTime(t, "created_at", w1.CreatedAt, t0)
		w2 := write(t, s, func(tx core.Tx) (core.Workspace, error) { return tx.EnsureWorkspace("Other", at(time.Hour)) })
		if w2.ID != w1.ID || w2.Name != "Acme" {
			t.Fatalf("second EnsureWorkspace: got %+v, want the first %+v", w2, w1)
		}
		sameTime(t, "created_at", w2.CreatedAt, t0)
	}},
}

func sameUser(t *testing.T, got, want core.User) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.Name != want.Name ||
		got.Role != want.Role || got.TimeZone != want.TimeZone {
		t.Errorf("got user %+v, want %+v", got, want)
	}
	gi, wi := slices.Clone(got.Identities), slices.Clone(want.Identities)
	byKey := func(a, b core.Identity) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Subject, b.Subject))
	}
	slices.SortFunc(gi, byKey)
	slices.SortFunc(wi, byKey)
	if !slices.Equal(gi, wi) {
		t.Errorf("user %d identities: got %v, want %v", got.ID, got.Identities, want.Identities)
	}
	sameTime(t, "user created_at", got.CreatedAt, want.CreatedAt)
	sameTime(t, "user updated_at", got.UpdatedAt, want.UpdatedAt)
}

var (
	slackAlice  = core.Identity{Provider: core.ProviderSlack, Subject: "T1:U1"}
	githubAlice = core.Identity{Provider: core.ProviderGitHub, Subject: "alice"}
)

var userTests = []test{
	{"Users/CreateAndGet", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		u := addUser(t, s, f.ws, "Bob Smith", slackAlice)
		if u.ID == 0 || u.ID == f.user.ID {
			t.Fatalf("CreateUser set id %d (first user %d)", u.ID, f.user.ID)
		}
		got := read(t, s, func(tx core.Tx) (core.User, error) { return tx.User(f.ws, u.ID) })
		sameUser(t, got, u)
		if got.Identities == nil || len(got.Identities) != 1 {
			t.Errorf("identities: %v", got.Identities)
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.User(f.ws, 9999); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.User(f.ws+100, u.ID); return err }), core.ENOTFOUND)
	}},
	{"Users/ByNameIgnoresCase", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		for _, name := range []string{"Alice", "alice", "ALICE", "  aLiCe "} {
			got := read(t, s, func(tx core.Tx) (core.User, error) { return tx.UserByName(f.ws, name) })
			if got.ID != f.user.ID || got.Name != "Alice" {
				t.Errorf("UserByName(%q) = %d %q, want %d %q", name, got.ID, got.Name, f.user.ID, "Alice")
			}
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.UserByName(f.ws, "nobody"); return err }), core.ENOTFOUND)
	}},
	{"Users/NameConflict", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		err := writeErr(t, s, func(tx core.Tx) error {
			u := core.User{WorkspaceID: f.ws, Name: "ALICE", Role: core.RoleMember, CreatedAt: t0, UpdatedAt: t0}
			return tx.CreateUser(&u)
		})
		wantCode(t, err, core.ECONFLICT)
		bob := addUser(t, s, f.ws, "Bob")
		err = writeErr(t, s, func(tx core.Tx) error {
			bob.Name = "alice"
			return tx.UpdateUser(&bob)
		})
		wantCode(t, err, core.ECONFLICT)
	}},
	{"Users/Identities", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.AddIdentity(f.ws, f.user.ID, slackAlice) })
		// Adding an identity the user has already changes nothing.
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.AddIdentity(f.ws, f.user.ID, slackAlice) })
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.AddIdentity(f.ws, f.user.ID, githubAlice) })
		for _, idn := range []core.Identity{slackAlice, githubAlice} {
			got := read(t, s, func(tx core.Tx) (core.User, error) { return tx.UserByIdentity(f.ws, idn.Provider, idn.Subject) })
			if got.ID != f.user.ID {
				t.Errorf("UserByIdentity(%v) = user %d, want %d", idn, got.ID, f.user.ID)
			}
			if len(got.Identities) != 2 {
				t.Errorf("UserByIdentity(%v) identities %v, want 2", idn, got.Identities)
			}
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error {
			_, err := tx.UserByIdentity(f.ws, core.ProviderSlack, "T1:U2")
			return err
		}), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error {
			_, err := tx.UserByIdentity(f.ws, core.ProviderMattermost, slackAlice.Subject)
			return err
		}), core.ENOTFOUND)

		bob := addUser(t, s, f.ws, "Bob")
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.AddIdentity(f.ws, bob.ID, slackAlice) }), core.ECONFLICT)
		err := writeErr(t, s, func(tx core.Tx) error {
			u := core.User{WorkspaceID: f.ws, Name: "Carol", Role: core.RoleMember, Identities: []core.Identity{githubAlice},
				CreatedAt: t0, UpdatedAt: t0}
			return tx.CreateUser(&u)
		})
		wantCode(t, err, core.ECONFLICT)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.UserByName(f.ws, "Carol"); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.AddIdentity(f.ws, 9999, core.Identity{Provider: core.ProviderEmail, Subject: "x@example.com"})
		}), core.ENOTFOUND)
	}},
	{"Users/ListPages", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		want := []core.ID{f.user.ID}
		for _, n := range []string{"Bob", "Carol", "Dan", "Erin"} {
			want = append(want, addUser(t, s, f.ws, n, core.Identity{Provider: core.ProviderEmail, Subject: n + "@example.com"}).ID)
		}
		all := read(t, s, func(tx core.Tx) ([]core.User, error) { return tx.ListUsers(f.ws, core.Page{}) })
		wantIDs(t, "all users", ids(all, func(u core.User) core.ID { return u.ID }), want)
		for _, u := range all {
			if u.ID != f.user.ID && len(u.Identities) != 1 {
				t.Errorf("listed user %q identities %v", u.Name, u.Identities)
			}
		}
		var got []core.ID
		after := core.ID(0)
		for range 10 {
			page := read(t, s, func(tx core.Tx) ([]core.User, error) {
				return tx.ListUsers(f.ws, core.Page{After: after, Limit: 2})
			})
			if len(page) > 2 {
				t.Fatalf("page of %d with limit 2", len(page))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, ids(page, func(u core.User) core.ID { return u.ID })...)
			after = page[len(page)-1].ID
		}
		wantIDs(t, "paged users", got, want)
		none := read(t, s, func(tx core.Tx) ([]core.User, error) { return tx.ListUsers(f.ws+100, core.Page{}) })
		if len(none) != 0 {
			t.Errorf("users of another workspace: %v", none)
		}
	}},
	{"Users/Update", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		u := addUser(t, s, f.ws, "Bob", slackAlice)
		u.Name, u.Role, u.TimeZone, u.UpdatedAt = "Robert", core.RoleAdmin, "America/New_York", at(time.Hour)
		u.Identities = []core.Identity{githubAlice}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateUser(&u) })
		got := read(t, s, func(tx core.Tx) (core.User, error) { return tx.UserByName(f.ws, "robert") })
		sameUser(t, got, u)
		wantCode(t, readErr(t, s, func(tx core.Tx) error {
			_, err := tx.UserByIdentity(f.ws, slackAlice.Provider, slackAlice.Subject)
			return err
		}), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			v := u
			v.ID = 9999
			v.Name = "Ghost"
			v.Identities = nil
			return tx.UpdateUser(&v)
		}), core.ENOTFOUND)
	}},
	{"Users/Delete", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		u := addUser(t, s, f.ws, "Bob", slackAlice)
		write(t, s, func(tx core.Tx) (any, error) {
			return nil, tx.CreateToken(&core.Token{WorkspaceID: f.ws, UserID: u.ID, Hash: "h-bob", CreatedAt: t0})
		})
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteUser(f.ws, u.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.User(f.ws, u.ID); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error {
			_, err := tx.UserByIdentity(f.ws, slackAlice.Provider, slackAlice.Subject)
			return err
		}), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.TokenByHash("h-bob"); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteUser(f.ws, u.ID) }), core.ENOTFOUND)
		// The identity is free again.
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.AddIdentity(f.ws, f.user.ID, slackAlice) })
	}},
	{"Users/DeleteWithEntriesConflicts", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: t0, End: ptr(at(time.Hour)), DurationSeconds: 3600})
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteUser(f.ws, f.user.ID) }), core.ECONFLICT)
		read(t, s, func(tx core.Tx) (core.User, error) { return tx.User(f.ws, f.user.ID) })
	}},
}

var tokenTests = []test{
	{"Tokens/CreateGetCount", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		if n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountTokens(f.ws) }); n != 0 {
			t.Fatalf("CountTokens = %d on a new store", n)
		}
		var made []core.Token
		for i := range 3 {
			k := write(t, s, func(tx core.Tx) (core.Token, error) {
				k := core.Token{WorkspaceID: f.ws, UserID: f.user.ID, Hash: fmt.Sprintf("hash-%d", i), CreatedAt: at(time.Duration(i) * time.Minute)}
				err := tx.CreateToken(&k)
				return k, err
			})
			if k.ID == 0 {
				t.Fatal("CreateToken set no id")
			}
			made = append(made, k)
		}
		for _, k := range made {
			got := read(t, s, func(tx core.Tx) (core.Token, error) { return tx.TokenByHash(k.Hash) })
			if got.ID != k.ID || got.WorkspaceID != f.ws || got.UserID != f.user.ID || got.Hash != k.Hash {
				t.Errorf("TokenByHash(%q) = %+v, want %+v", k.Hash, got, k)
			}
			sameTime(t, "token created_at", got.CreatedAt, k.CreatedAt)
		}
		if n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountTokens(f.ws) }); n != 3 {
			t.Errorf("CountTokens = %d, want 3", n)
		}
		if n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountTokens(f.ws + 100) }); n != 0 {
			t.Errorf("CountTokens of another workspace = %d, want 0", n)
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.TokenByHash("nope"); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.CreateToken(&core.Token{WorkspaceID: f.ws, UserID: f.user.ID, Hash: "hash-1", CreatedAt: t0})
		}), core.ECONFLICT)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.CreateToken(&core.Token{WorkspaceID: f.ws, UserID: 9999, Hash: "hash-x", CreatedAt: t0})
		}), core.ENOTFOUND)
	}},
	{"Tokens/ListDelete", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		var ids []core.ID
		for i, u := range []core.ID{f.user.ID, bob.ID, f.user.ID} {
			k := write(t, s, func(tx core.Tx) (core.Token, error) {
				k := core.Token{WorkspaceID: f.ws, UserID: u, Hash: fmt.Sprint("tok-", i), CreatedAt: at(time.Duration(i) * time.Minute)}
				return k, tx.CreateToken(&k)
			})
			ids = append(ids, k.ID)
		}
		tokenIDs := func(user core.ID, p core.Page) []core.ID {
			ks := read(t, s, func(tx core.Tx) ([]core.Token, error) { return tx.ListTokens(f.ws, user, p) })
			out := []core.ID{}
			for _, k := range ks {
				if k.WorkspaceID != f.ws || (user != 0 && k.UserID != user) || k.Hash == "" || k.CreatedAt.IsZero() {
					t.Errorf("listed token %+v", k)
				}
				out = append(out, k.ID)
			}
			return out
		}
		wantIDs(t, "all tokens", tokenIDs(0, core.Page{}), ids)
		wantIDs(t, "Alice's tokens", tokenIDs(f.user.ID, core.Page{}), []core.ID{ids[0], ids[2]})
		wantIDs(t, "Bob's tokens", tokenIDs(bob.ID, core.Page{}), []core.ID{ids[1]})
		wantIDs(t, "a page after the first", tokenIDs(0, core.Page{After: ids[0], Limit: 1}), []core.ID{ids[1]})
		if got := read(t, s, func(tx core.Tx) ([]core.Token, error) { return tx.ListTokens(f.ws+100, 0, core.Page{}) }); len(got) != 0 {
			t.Errorf("tokens of another workspace: %v", got)
		}

		// Bob's token is not Alice's to delete.
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteToken(f.ws, f.user.ID, ids[1]) }), core.ENOTFOUND)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteToken(f.ws, bob.ID, ids[1]) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.TokenByHash("tok-1"); return err }), core.ENOTFOUND)
		wantIDs(t, "tokens after a delete", tokenIDs(0, core.Page{}), []core.ID{ids[0], ids[2]})
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteToken(f.ws, 0, ids[1]) }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteToken(f.ws+100, 0, ids[0]) }), core.ENOTFOUND)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteToken(f.ws, 0, ids[0]) })
		wantIDs(t, "tokens after an admin's delete", tokenIDs(0, core.Page{}), []core.ID{ids[2]})
	}},
}
