package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// Server-side sessions: the cookie names a stored session, which expires,
// ends at logout and ends with the token it was opened with.

// refused fails unless the cookie gets the login page with 401 and is
// cleared.
func refused(t *testing.T, e *uiEnv, what string, c *http.Cookie) {
	t.Helper()
	p := e.get("/ui/", c)
	if p.status != http.StatusUnauthorized {
		t.Errorf("%s: %d, want 401", what, p.status)
	}
	contains(t, what, p.body, `action="/ui/login"`, "Your session has ended")
	if cs := p.res.Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Errorf("%s: cookie not cleared: %v", what, p.header["Set-Cookie"])
	}
}

func TestUISessionExpires(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	c := e.login(e.member)
	e.clock.Add(core.DefaultSessionTTL - time.Second)
	if p := e.get("/ui/", c); p.status != http.StatusOK {
		t.Fatalf("a session 1s before its end: %d", p.status)
	}
	e.clock.Add(time.Second)
	refused(t, e, "an expired session", c)
	// The pruner forgets it.
	e.clock.Add(time.Second)
	p, err := e.svc.Prune(e.ctx)
	if err != nil || p.Sessions != 1 {
		t.Fatalf("prune: %+v, %v; want 1 session", p, err)
	}
}

func TestUILogoutEndsSessionOnServer(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	c := e.login(e.member)
	other := e.login(e.member)
	if p := e.post("/ui/logout", c, url.Values{"csrf": {e.csrf(c)}}); p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	// The old cookie, kept (or stolen) after logout, no longer works.
	refused(t, e, "a cookie after logout", c)
	// Another session of the same token goes on.
	if p := e.get("/ui/", other); p.status != http.StatusOK {
		t.Errorf("the other session after logout: %d", p.status)
	}
}

func TestUIRevokedTokenEndsSessions(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	token, zed, err := e.svc.IssueToken(e.ctx, core.Actor{User: e.boss, Source: "test"}, core.TokenRequest{User: "Zed"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.login(token)
	keep := e.login(e.member)
	var tokenID core.ID
	err = e.store.View(e.ctx, func(tx core.Tx) error {
		k, err := tx.TokenByHash(core.HashToken(token))
		tokenID = k.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.store.Update(e.ctx, func(tx core.Tx) error { return tx.DeleteToken(zed.WorkspaceID, 0, tokenID) })
	if err != nil {
		t.Fatal(err)
	}
	refused(t, e, "a session of a revoked token", c)
	if p := e.get("/ui/", keep); p.status != http.StatusOK {
		t.Errorf("another token's session: %d", p.status)
	}
}
