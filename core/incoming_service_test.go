package core_test

import (
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

func TestIncomingHookLifecycle(t *testing.T) {
	f := newFixture(t)
	boss := f.user("boss", core.RoleAdmin)
	ana := f.user("ana", core.RoleMember)
	bob := f.user("bob", core.RoleMember)

	token, h, err := f.svc.CreateIncomingHook(f.ctx, ana, "  CI   builds ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "gwh_") || len(token) != 4+43 {
		t.Fatalf("token %q: want gwh_ and 32 base64url bytes", token)
	}
	if h.ID == 0 || h.OwnerID != ana.User.ID || h.Name != "CI builds" || h.TokenHash != core.HashToken(token) {
		t.Fatalf("hook = %+v", h)
	}
	f.wantEvents() // a hook is no domain change
	token2, _, err := f.svc.CreateIncomingHook(f.ctx, bob, "")
	if err != nil || token2 == token {
		t.Fatalf("second hook: %q, %v", token2, err)
	}
	if _, _, err := f.svc.CreateIncomingHook(f.ctx, ana, strings.Repeat("x", 201)); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("long name: %v", err)
	}

	got, owner, err := f.svc.ResolveIncomingHook(f.ctx, token)
	if err != nil || got.ID != h.ID || owner.ID != ana.User.ID {
		t.Fatalf("resolve: %+v %+v %v", got, owner, err)
	}
	for _, bad := range []string{"", "gwh_nope", token + "x"} {
		if _, _, err := f.svc.ResolveIncomingHook(f.ctx, bad); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("resolve %q: %v, want not_found", bad, err)
		}
	}

	mine, next, err := f.svc.ListIncomingHooks(f.ctx, ana, core.Page{})
	if err != nil || len(mine) != 1 || mine[0].ID != h.ID || next != 0 {
		t.Fatalf("member's list: %+v %d %v", mine, next, err)
	}
	all, _, err := f.svc.ListIncomingHooks(f.ctx, boss, core.Page{})
	if err != nil || len(all) != 2 {
		t.Fatalf("admin's list: %+v %v", all, err)
	}

	if err := f.svc.DeleteIncomingHook(f.ctx, bob, h.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("another member deletes: %v, want not_found", err)
	}
	if err := f.svc.DeleteIncomingHook(f.ctx, ana, h.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.ResolveIncomingHook(f.ctx, token); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("deleted hook still resolves: %v", err)
	}
	if err := f.svc.DeleteIncomingHook(f.ctx, ana, h.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("delete twice: %v", err)
	}
	if err := f.svc.DeleteIncomingHook(f.ctx, boss, all[1].ID); err != nil {
		t.Fatalf("admin deletes bob's hook: %v", err)
	}
}

func TestHookUser(t *testing.T) {
	f := newFixture(t)
	boss := f.user("boss", core.RoleAdmin).User
	ana := f.user("ana", core.RoleMember).User
	f.user("bob", core.RoleMember)

	cases := []struct {
		owner core.User
		name  string
		want  string
		code  string
	}{
		{ana, "", "ana", ""},
		{ana, "ANA", "ana", ""},
		{ana, "bob", "", core.EFORBIDDEN},
		{boss, "bob", "bob", ""},
		{boss, " Bob ", "bob", ""},
		{boss, "nobody", "", core.EINVALID},
	}
	for _, c := range cases {
		u, err := f.svc.HookUser(f.ctx, c.owner, c.name)
		if core.ErrorCode(err) != c.code || (c.code == "" && u.Name != c.want) {
			t.Errorf("HookUser(%s, %q) = %q, %v; want %q, %q", c.owner.Name, c.name, u.Name, err, c.want, c.code)
		}
	}
}

func TestSeenAndRememberKey(t *testing.T) {
	f := newFixture(t)
	seen, err := f.svc.SeenKey(f.ctx, "github:delivery:1")
	if err != nil || seen {
		t.Fatalf("new key seen: %v %v", seen, err)
	}
	if fresh, err := f.svc.RememberKey(f.ctx, "github:delivery:1"); err != nil || !fresh {
		t.Fatalf("remember: %v %v", fresh, err)
	}
	if fresh, err := f.svc.RememberKey(f.ctx, "github:delivery:1"); err != nil || fresh {
		t.Fatalf("remember twice: %v %v", fresh, err)
	}
	if seen, err := f.svc.SeenKey(f.ctx, "github:delivery:1"); err != nil || !seen {
		t.Fatalf("remembered key not seen: %v %v", seen, err)
	}
}
