package main

// The member/admin walk (issue 13): every management route (/api/v1 and
// /rest-api/v1, from the walked route table) is called by an admin, by the
// member who owns the thing, and by another member, each on fresh things:
// the role rules hold, and nothing of one member's reaches another (no
// object of theirs in a list, no secret in any answer).

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// Who calls, in the walk.
const (
	asAdmin = iota
	asOwner
	asOther
)

// ok is any 2xx in a rolesWant.
const ok = 2

// rolesWant is what the admin, the owner and another member get; ok for
// any 2xx.
type rolesWant [3]int

// walkFix is one call's fresh things: the admin's client, project, task and
// tag; the owner's entry, hook and subscription; a fresh member (for
// /users/{id}) with a token.
type walkFix struct {
	client, project, task, tag string
	entry, incoming, webhook   string
	user, userToken            string
	secret, hookToken          string
}

func TestMemberAdminWalk(t *testing.T) {
	g, f, _ := matrixGateway(t)
	r, err := g.srv.router()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var olafs []string // olaf's secrets: no answer to mia may hold one
	do := func(token, method, path string, body any) answer {
		t.Helper()
		var b []byte
		if body != nil {
			b, _ = json.Marshal(body)
		}
		return call(t, method, g.base+path, "Bearer "+token, string(b))
	}
	must := func(a answer, what string) map[string]any {
		t.Helper()
		if a.status >= 300 {
			t.Fatalf("fixture %s: %d %s", what, a.status, a.body)
		}
		var m map[string]any
		_ = json.Unmarshal(a.body, &m)
		return m
	}
	fresh := func() walkFix {
		t.Helper()
		n++
		var w walkFix
		id := func(m map[string]any) string { return fmt.Sprint(m["id"]) }
		w.client = id(must(do(f.admin, "POST", "/api/v1/clients", map[string]string{"name": fmt.Sprintf("Client %d", n)}), "client"))
		w.project = id(must(do(f.admin, "POST", "/api/v1/projects", map[string]string{"name": fmt.Sprintf("Project %d", n), "client_id": w.client}), "project"))
		w.task = id(must(do(f.admin, "POST", "/api/v1/tasks", map[string]string{"name": fmt.Sprintf("Task %d", n), "project_id": w.project}), "task"))
		w.tag = id(must(do(f.admin, "POST", "/api/v1/tags", map[string]string{"name": fmt.Sprintf("tag%d", n)}), "tag"))
		w.entry = id(must(do(f.olaf, "POST", "/api/v1/time-entries", map[string]any{"task_id": w.task,
			"start": "2025-01-06T09:00:00Z", "end": "2025-01-06T10:00:00Z", "note": "olaf's private note"}), "entry"))
		in := must(do(f.olaf, "POST", "/api/v1/incoming", map[string]string{"name": fmt.Sprintf("hook %d", n)}), "incoming")
		w.incoming, w.hookToken = id(in), lastSegment(fmt.Sprint(in["url"]))
		wh := must(do(f.olaf, "POST", "/api/v1/webhooks", map[string]any{"name": fmt.Sprintf("sub %d", n),
			"url": "https://example.com/olaf", "events": []string{"time_entry.*"}}), "webhook")
		w.webhook, w.secret = id(wh), fmt.Sprint(wh["secret"])
		olafs = append(olafs, w.secret, w.hookToken)
		return w
	}
	now := time.Now().UTC()
	replay := map[string]string{"since": now.Add(-time.Hour).Format(time.RFC3339), "until": now.Format(time.RFC3339)}
	hook := func(w walkFix) any {
		return map[string]any{"name": fmt.Sprintf("put %d", n), "url": "https://example.com/put", "events": []string{"time_entry.*"}}
	}
	type route struct {
		want rolesWant
		body func(w walkFix) any
	}
	named := func(prefix string) func(walkFix) any {
		return func(walkFix) any { return map[string]string{"name": fmt.Sprintf("%s %d", prefix, n)} }
	}
	none := func(walkFix) any { return nil }
	ww := func(walkFix) any {
		return map[string]any{"url": "https://example.com/ww", "events": []string{"time_entry.created"}}
	}
	routes := map[string]route{
		"POST /api/v1/tokens":        {rolesWant{ok, 403, 403}, func(walkFix) any { return map[string]string{"user": fmt.Sprintf("new%d", n)} }},
		"GET /api/v1/tokens":         {rolesWant{ok, ok, ok}, none},
		"DELETE /api/v1/tokens/{id}": {rolesWant{ok, ok, 404}, none},
		"GET /api/v1/users":          {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/users":         {rolesWant{ok, 403, 403}, func(walkFix) any { return map[string]string{"name": fmt.Sprintf("user%d", n)} }},
		"GET /api/v1/users/{id}":     {rolesWant{ok, ok, ok}, none},
		"PATCH /api/v1/users/{id}":   {rolesWant{ok, ok, 403}, func(walkFix) any { return map[string]string{"time_zone": "Europe/Berlin"} }},
		"DELETE /api/v1/users/{id}":  {rolesWant{ok, 403, 403}, none},
		"POST /api/v1/users/{id}/identities": {rolesWant{ok, 403, 403}, func(walkFix) any {
			return map[string]string{"provider": "email", "subject": fmt.Sprintf("u%d@example.com", n)}
		}},
		"GET /api/v1/clients":          {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/clients":         {rolesWant{ok, ok, ok}, named("New client")},
		"GET /api/v1/clients/{id}":     {rolesWant{ok, ok, ok}, none},
		"PATCH /api/v1/clients/{id}":   {rolesWant{ok, ok, ok}, named("Renamed client")},
		"DELETE /api/v1/clients/{id}":  {rolesWant{ok, 403, 403}, none},
		"GET /api/v1/projects":         {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/projects":        {rolesWant{ok, ok, ok}, named("New project")},
		"GET /api/v1/projects/{id}":    {rolesWant{ok, ok, ok}, none},
		"PATCH /api/v1/projects/{id}":  {rolesWant{ok, ok, ok}, named("Renamed project")},
		"DELETE /api/v1/projects/{id}": {rolesWant{ok, 403, 403}, none},
		"GET /api/v1/tasks":            {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/tasks": {rolesWant{ok, ok, ok}, func(w walkFix) any {
			return map[string]string{"name": fmt.Sprintf("New task %d", n), "project_id": w.project}
		}},
		"GET /api/v1/tasks/{id}":    {rolesWant{ok, ok, ok}, none},
		"PATCH /api/v1/tasks/{id}":  {rolesWant{ok, ok, ok}, named("Renamed task")},
		"DELETE /api/v1/tasks/{id}": {rolesWant{ok, 403, 403}, none},
		"GET /api/v1/tags":          {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/tags":         {rolesWant{ok, ok, ok}, named("newtag")},
		"GET /api/v1/tags/{id}":     {rolesWant{ok, ok, ok}, none},
		"PATCH /api/v1/tags/{id}":   {rolesWant{ok, ok, ok}, named("renamedtag")},
		"DELETE /api/v1/tags/{id}":  {rolesWant{ok, 403, 403}, none},
		"GET /api/v1/time-entries":  {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/time-entries": {rolesWant{ok, ok, ok}, func(w walkFix) any {
			return map[string]any{"task_id": w.task, "start": "2025-01-07T09:00:00Z", "end": "2025-01-07T09:30:00Z"}
		}},
		"GET /api/v1/time-entries/{id}":                              {rolesWant{ok, ok, 404}, none},
		"PATCH /api/v1/time-entries/{id}":                            {rolesWant{ok, ok, 404}, func(walkFix) any { return map[string]string{"note": "changed"} }},
		"DELETE /api/v1/time-entries/{id}":                           {rolesWant{ok, ok, 404}, none},
		"GET /api/v1/incoming":                                       {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/incoming":                                      {rolesWant{ok, ok, ok}, named("new hook")},
		"DELETE /api/v1/incoming/{id}":                               {rolesWant{ok, ok, 404}, none},
		"GET /api/v1/github/repositories/{owner}/{name}":             {rolesWant{ok, ok, ok}, none},
		"PUT /api/v1/github/repositories/{owner}/{name}":             {rolesWant{ok, 403, 403}, func(walkFix) any { return map[string]string{"project": "Website"} }},
		"GET /api/v1/event-types":                                    {rolesWant{ok, ok, ok}, none},
		"GET /api/v1/webhooks":                                       {rolesWant{ok, ok, ok}, none},
		"POST /api/v1/webhooks":                                      {rolesWant{ok, ok, ok}, hook},
		"GET /api/v1/webhooks/{id}":                                  {rolesWant{ok, ok, 404}, none},
		"PUT /api/v1/webhooks/{id}":                                  {rolesWant{ok, ok, 404}, hook},
		"PATCH /api/v1/webhooks/{id}":                                {rolesWant{ok, ok, 404}, named("renamed sub")},
		"DELETE /api/v1/webhooks/{id}":                               {rolesWant{ok, ok, 404}, none},
		"POST /api/v1/webhooks/{id}/test":                            {rolesWant{ok, ok, 404}, none},
		"POST /api/v1/webhooks/{id}/enable":                          {rolesWant{ok, ok, 404}, none},
		"POST /api/v1/webhooks/{id}/disable":                         {rolesWant{ok, ok, 404}, none},
		"POST /api/v1/webhooks/{id}/rotate-secret":                   {rolesWant{ok, ok, 404}, none},
		"GET /api/v1/webhooks/{id}/deliveries":                       {rolesWant{ok, ok, 404}, none},
		"POST /api/v1/webhooks/{id}/replay":                          {rolesWant{ok, ok, 404}, func(walkFix) any { return replay }},
		"GET /rest-api/v1/webhooks":                                  {rolesWant{ok, ok, ok}, none},
		"POST /rest-api/v1/webhooks":                                 {rolesWant{ok, ok, ok}, ww},
		"GET /rest-api/v1/webhooks/{id}":                             {rolesWant{ok, ok, 404}, none},
		"PUT /rest-api/v1/webhooks/{id}":                             {rolesWant{ok, ok, 404}, ww},
		"DELETE /rest-api/v1/webhooks/{id}":                          {rolesWant{ok, ok, 404}, none},
		"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend": {rolesWant{ok, ok, 404}, none},
		// Members list and delete their own scheduled reports, admins any:
		// another's is no such thing to a member.
		"GET /api/v1/schedules":         {rolesWant{ok, ok, ok}, none},
		"DELETE /api/v1/schedules/{id}": {rolesWant{ok, ok, 404}, none},
		// A report is the caller's own time (an admin's everyone's).
		"GET /api/v1/reports":      {rolesWant{ok, ok, ok}, none},
		"GET /api/v1/openapi.json": {rolesWant{ok, ok, ok}, none},
	}
	must(do(f.admin, "PUT", "/api/v1/github/repositories/acme/site", map[string]string{"project": "Website"}), "map acme/site")
	walked := 0
	for _, rt := range walkRoutes(t, r) {
		if !strings.HasPrefix(rt.template, "/api/v1/") && !strings.HasPrefix(rt.template, "/rest-api/v1/") {
			continue
		}
		if strings.Contains(rt.template, "/validate/") {
			continue // the code authenticates, no token: the matrix covers it
		}
		spec, found := routes[rt.key]
		if !found {
			t.Errorf("management route %q is not in the walk: say what an admin, its owner and another member get", rt.key)
			continue
		}
		delete(routes, rt.key)
		walked++
		// The other member first: a refusal must leave the thing for the
		// owner and the admin, who then each get fresh ones.
		for _, who := range []int{asOther, asOwner, asAdmin} {
			w := fresh()
			token := map[int]string{asAdmin: f.admin, asOwner: f.olaf, asOther: f.mia}[who]
			vars := map[string]string{"owner": "acme", "name": "site"}
			switch {
			case strings.Contains(rt.template, "/users/"):
				// A member of its own, the owner of the user's things.
				m := must(do(f.admin, "POST", "/api/v1/tokens", map[string]string{"user": fmt.Sprintf("walker%d", n)}), "user")
				w.user, w.userToken = fmt.Sprint(m["user"].(map[string]any)["id"]), fmt.Sprint(m["token"])
				vars["id"] = w.user
				if who == asOwner {
					token = w.userToken
				}
			case strings.Contains(rt.template, "/tokens/"):
				m := must(do(f.admin, "POST", "/api/v1/tokens", map[string]string{"user": "olaf"}), "olaf's spare token")
				vars["id"] = fmt.Sprint(m["id"])
			case strings.Contains(rt.template, "/schedules/"):
				// A fresh scheduled report of olaf's, made in chat.
				if text := mxSlashOlaf(t, g.base, fmt.Sprintf("report week every fri 17:%02d", n%60)); strings.HasPrefix(text, ":warning:") {
					t.Fatalf("fixture: report every: %s", text)
				}
				var list struct {
					Data []struct {
						ID     core.ID
						UserID core.ID `json:"user_id"`
					} `json:"data"`
				}
				_ = json.Unmarshal(do(f.olaf, "GET", "/api/v1/schedules?limit=100", nil).body, &list)
				if len(list.Data) == 0 || list.Data[len(list.Data)-1].UserID.String() != f.olafID {
					t.Fatalf("fixture: olaf's new scheduled report is not listed: %+v", list.Data)
				}
				vars["id"] = list.Data[len(list.Data)-1].ID.String()
			case strings.Contains(rt.template, "{delivery_id}"):
				// A fresh subscription of olaf's to a receiver, and its ping.
				id := fmt.Sprint(must(do(f.olaf, "POST", "/api/v1/webhooks", map[string]any{"name": fmt.Sprintf("resend %d", n),
					"url": f.receiver, "events": []string{"time_entry.*"}}), "webhook")["id"])
				must(do(f.olaf, "POST", "/api/v1/webhooks/"+id+"/test", nil), "ping")
				vars["id"], vars["delivery_id"] = id, deliveryOf(t, func() answer { return do(f.olaf, "GET", "/api/v1/webhooks/"+id+"/deliveries", nil) })
			case rt.key == "DELETE /api/v1/clients/{id}":
				vars["id"] = fmt.Sprint(must(do(f.admin, "POST", "/api/v1/clients", map[string]string{"name": fmt.Sprintf("Bare client %d", n)}), "client")["id"])
			case rt.key == "DELETE /api/v1/projects/{id}":
				vars["id"] = fmt.Sprint(must(do(f.admin, "POST", "/api/v1/projects", map[string]string{"name": fmt.Sprintf("Bare project %d", n)}), "project")["id"])
			case rt.key == "DELETE /api/v1/tasks/{id}":
				vars["id"] = fmt.Sprint(must(do(f.admin, "POST", "/api/v1/tasks", map[string]string{"name": fmt.Sprintf("Bare task %d", n), "project_id": w.project}), "task")["id"])
			default:
				vars["id"] = goodVars(rt, mxSpec{}, &mxFix{client: w.client, project: w.project, task: w.task, tag: w.tag,
					entry: w.entry, incoming: w.incoming, webhook: w.webhook})["id"]
			}
			a := do(token, rt.method, fillPath(rt.template, vars), spec.body(w))
			want := spec.want[who]
			if got := a.status; (want == ok && (got < 200 || got > 299)) || (want != ok && got != want) {
				t.Errorf("%s as %s: %d, want %s: %.300s", rt.key, []string{"admin", "owner", "another member"}[who], got, wantString(want), a.body)
			}
			if who == asOther {
				leaks(t, rt.key, a.body, f, w)
			}
		}
	}
	for k := range routes {
		t.Errorf("the walk has %q, which is no route (any more)", k)
	}
	// Lists as the other member: none of olaf's things.
	for _, path := range []string{"/api/v1/time-entries", "/api/v1/incoming", "/api/v1/webhooks", "/api/v1/tokens", "/rest-api/v1/webhooks", "/api/v1/schedules",
		"/api/v1/time-entries?user_id=" + f.olafID} {
		a := do(f.mia, "GET", path, nil)
		if a.status != 200 && a.status != 403 {
			t.Errorf("GET %s as another member: %d %s", path, a.status, a.body)
		}
		var list struct {
			Data     []map[string]any `json:"data"`
			Webhooks []map[string]any `json:"webhooks"`
		}
		_ = json.Unmarshal(a.body, &list)
		for _, item := range append(list.Data, list.Webhooks...) {
			for _, k := range []string{"user_id", "owner"} {
				if v, ok := item[k]; ok && fmt.Sprint(v) == f.olafID {
					t.Errorf("GET %s as another member lists olaf's %v", path, item)
				}
			}
		}
		for _, s := range append(olafs, "olaf's private note") {
			if strings.Contains(string(a.body), s) {
				t.Errorf("GET %s as another member shows olaf's %q: %.300s", path, s, a.body)
			}
		}
	}
	t.Logf("%d management routes walked as admin, owner and another member", walked)
}

// deliveryOf polls a subscription's delivery log (with a deadline) until
// its first attempt is there, and returns that delivery's id.
func deliveryOf(t *testing.T, list func() answer) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		var log struct {
			Data []struct {
				DeliveryID core.ID `json:"delivery_id"`
			} `json:"data"`
		}
		if a := list(); a.status == 200 && json.Unmarshal(a.body, &log) == nil && len(log.Data) > 0 {
			return log.Data[0].DeliveryID.String()
		}
		if time.Now().After(deadline) {
			t.Fatal("fixture: no delivery in the log after 10s")
		}
		time.Sleep(10 * time.Millisecond) // polling, with a deadline
	}
}

// leaks fails when an answer to another member holds the owner's secrets or
// private note.
func leaks(t *testing.T, key string, body []byte, f *mxFix, w walkFix) {
	t.Helper()
	for _, s := range []string{w.secret, w.hookToken, f.olaf, w.userToken, "olaf's private note"} {
		if s != "" && strings.Contains(string(body), s) {
			t.Errorf("%s as another member: the answer holds %q", key, s)
		}
	}
}

func wantString(w int) string {
	if w == ok {
		return "2xx"
	}
	return fmt.Sprint(w)
}
