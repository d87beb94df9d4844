package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/core"
)

func TestIncomingHooks(t *testing.T) {
	e := newEnv(t)
	// The URL is GATEWAY_PUBLIC_URL + /hooks/TOKEN.
	r := mux.NewRouter()
	api.New(e.svc, api.Options{PublicURL: "https://gw.example.com/"}).Register(r)
	pub := httptest.NewServer(r)
	defer pub.Close()
	e.srv = pub

	created := e.write("POST", "/api/v1/incoming", e.member, `{"name": "CI"}`, 201, "")
	token, _ := created["token"].(string)
	if !strings.HasPrefix(token, "gwh_") || created["url"] != "https://gw.example.com/hooks/"+token ||
		created["name"] != "CI" || created["owner"] != e.mia.ID.String() || id(created) == "" {
		t.Fatalf("created %v", created)
	}
	if _, _, err := e.svc.ResolveIncomingHook(e.ctx, token); err != nil {
		t.Fatalf("the token does not resolve: %v", err)
	}
	// No body: a hook without a name.
	bare := e.write("POST", "/api/v1/incoming", e.admin, "", 201, "")
	if bare["name"] != "" {
		t.Fatalf("bare hook %v", bare)
	}

	// Lists show no token; members see their own.
	_, b := e.call("GET", "/api/v1/incoming", e.member, "")
	if strings.Contains(string(b), token) || strings.Contains(string(b), core.HashToken(token)) || strings.Count(string(b), `"id"`) != 1 {
		t.Fatalf("member's list %s", b)
	}
	_, b = e.call("GET", "/api/v1/incoming", e.admin, "")
	if m := decodeMap(t, b); len(m["data"].([]any)) != 2 || m["next_cursor"] != nil {
		t.Fatalf("admin's list %s", b)
	}

	e.fail("POST", "/api/v1/incoming", e.member, `{"nom": "x"}`, 400, core.EINVALID)
	e.fail("POST", "/api/v1/incoming", e.member, `{"name": "`+strings.Repeat("x", 201)+`"}`, 422, core.EINVALID)
	e.fail("POST", "/api/v1/incoming", "", `{}`, 401, core.EUNAUTHORIZED)
	e.fail("DELETE", "/api/v1/incoming/"+id(bare), e.member, "", 404, core.ENOTFOUND) // the admin's
	e.fail("DELETE", "/api/v1/incoming/nope", e.member, "", 404, core.ENOTFOUND)
	e.write("DELETE", "/api/v1/incoming/"+id(created), e.member, "", 204, "")
	e.fail("DELETE", "/api/v1/incoming/"+id(created), e.member, "", 404, core.ENOTFOUND)
	if _, _, err := e.svc.ResolveIncomingHook(e.ctx, token); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("deleted hook resolves: %v", err)
	}
	e.write("DELETE", "/api/v1/incoming/"+id(bare), e.admin, "", 204, "")
}

func TestIncomingURLWithoutPublicURL(t *testing.T) {
	e := newEnv(t)
	created := e.write("POST", "/api/v1/incoming", e.member, `{}`, 201, "")
	if u, _ := created["url"].(string); u != e.srv.URL+"/hooks/"+created["token"].(string) {
		t.Fatalf("url %q, server %s", u, e.srv.URL)
	}
}

func TestGitHubRepositoryMapping(t *testing.T) {
	e := newEnv(t)
	e.fail("GET", "/api/v1/github/repositories/octo/web", e.member, "", 404, core.ENOTFOUND)
	e.fail("PUT", "/api/v1/github/repositories/octo/web", e.member, `{"project": "Website"}`, 403, core.EFORBIDDEN)
	e.fail("PUT", "/api/v1/github/repositories/octo/web", e.admin, `{"project": ""}`, 422, core.EINVALID)
	e.fail("PUT", "/api/v1/github/repositories/octo/web", e.admin, `{"project": 5}`, 400, core.EINVALID)

	m := e.write("PUT", "/api/v1/github/repositories/octo/web", e.admin, `{"project": "Website"}`, 200, core.EventProjectCreated)
	p, _ := m["project"].(map[string]any)
	if m["repository"] != "octo/web" || m["mapped"] != true || p["name"] != "Website" {
		t.Fatalf("mapped %v", m)
	}
	e.write("PUT", "/api/v1/github/repositories/octo/web", e.admin, `{"project": "website"}`, 200, "")
	m = e.write("GET", "/api/v1/github/repositories/Octo/Web", e.member, "", 200, "")
	if p, _ := m["project"].(map[string]any); m["mapped"] != true || p["name"] != "Website" {
		t.Fatalf("read back %v", m)
	}
	// An unmapped repository shows its default project once it exists.
	e.write("POST", "/api/v1/projects", e.member, `{"name": "api"}`, 201, core.EventProjectCreated)
	m = e.write("GET", "/api/v1/github/repositories/octo/api", e.member, "", 200, "")
	if p, _ := m["project"].(map[string]any); m["mapped"] != false || p["name"] != "api" {
		t.Fatalf("default %v", m)
	}
	if status, _ := e.call("PUT", "/api/v1/github/repositories/octo", e.admin, `{"project": "x"}`); status != http.StatusNotFound {
		t.Fatalf("no name: %d", status)
	}
}
