package github_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/chatops/gateway/adapters/github"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

const secret = "It's a Secret to Everybody"

type env struct {
	t     *testing.T
	ctx   context.Context
	store core.Store
	svc   *core.Service
	srv   *httptest.Server
	admin core.Actor
	seen  int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "github.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := core.NewService(st, core.Options{})
	h, err := github.NewHandler(svc, github.Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	token, err := svc.BootstrapAdmin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	boss, err := svc.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, store: st, svc: svc, srv: srv, admin: core.Actor{User: boss, Source: "test"}}
	e.events()
	return e
}

// person makes a user with identities.
func (e *env) person(name string, ids ...core.Identity) core.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.admin, name, core.RoleMember)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, id := range ids {
		if u, err = e.svc.LinkIdentity(e.ctx, e.admin, u.ID, id); err != nil {
			e.t.Fatal(err)
		}
	}
	e.events()
	return u
}

// events returns the events written since the last call.
func (e *env) events() []core.Event {
	e.t.Helper()
	var out []core.Event
	err := e.store.View(e.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(e.seen, 10000)
		for _, ev := range evs {
			e.seen = ev.Seq
		}
		out = evs
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func types(evs []core.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

func (e *env) wantEvents(want ...string) []core.Event {
	e.t.Helper()
	evs := e.events()
	if got := types(evs); !slices.Equal(got, want) {
		e.t.Fatalf("events = %v, want %v", got, want)
	}
	return evs
}

// sign returns the X-Hub-Signature-256 of body.
func sign(key string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// delivery is one webhook request as GitHub sends it.
type delivery struct {
	event, id   string
	body        []byte
	contentType string
	header      map[string]string // set (or, with "", removed) after signing
}

func (e *env) send(d delivery) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/github/webhook", bytes.NewReader(d.body))
	if err != nil {
		e.t.Fatal(err)
	}
	ct := d.contentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("User-Agent", "GitHub-Hookshot/044aadd")
	req.Header.Set("X-GitHub-Event", d.event)
	req.Header.Set("X-GitHub-Delivery", d.id)
	req.Header.Set("X-GitHub-Hook-ID", "292430182")
	req.Header.Set("X-Hub-Signature-256", sign(secret, d.body))
	for k, v := range d.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("answer is not JSON (%d): %q", resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

func (e *env) ok(d delivery) map[string]any {
	e.t.Helper()
	status, m := e.send(d)
	if status != http.StatusOK {
		e.t.Fatalf("%s %s: status %d %v", d.event, d.id, status, m)
	}
	return m
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	repo = &gh.PushEventRepository{
		ID: gh.Int64(1296269), Name: gh.String("web"), FullName: gh.String("octo/web"),
		Owner: &gh.User{Login: gh.String("octo"), ID: gh.Int64(1)}, Private: gh.Bool(false),
		HTMLURL: gh.String("https://github.com/octo/web"), DefaultBranch: gh.String("main"), MasterBranch: gh.String("main"),
		CreatedAt: &gh.Timestamp{Time: time.Unix(1557933565, 0)},
	}
	ana      = &gh.CommitAuthor{Name: gh.String("Ana Lima"), Email: gh.String("ana@example.com"), Login: gh.String("ana-gh")}
	bob      = &gh.CommitAuthor{Name: gh.String("Bob"), Email: gh.String("Bob@Example.com")}
	stranger = &gh.CommitAuthor{Name: gh.String("Stranger"), Email: gh.String("x@elsewhere.org"), Login: gh.String("stranger")}
)

// commit is a pushed commit as GitHub describes it.
func commit(id string, author *gh.CommitAuthor, at time.Time, message string) *gh.HeadCommit {
	return &gh.HeadCommit{
		ID: gh.String(id), TreeID: gh.String("f93e3a1a1525fb5b91020da86e44810c87a2d7bc"), Distinct: gh.Bool(true),
		Message: gh.String(message), Timestamp: &gh.Timestamp{Time: at},
		URL:    gh.String("https://github.com/octo/web/commit/" + id),
		Author: author, Committer: &gh.CommitAuthor{Name: gh.String("GitHub"), Email: gh.String("noreply@github.com"), Login: gh.String("web-flow")},
		Added: []string{}, Removed: []string{}, Modified: []string{"README.md"},
	}
}

func push(t testing.TB, ref string, commits ...*gh.HeadCommit) []byte {
	return mustJSON(t, &gh.PushEvent{
		Ref: gh.String(ref), Before: gh.String("6113728f27ae82c7b1a177c8d03f9e96e0adf246"),
		After: gh.String("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"), Created: gh.Bool(false), Deleted: gh.Bool(false),
		Forced: gh.Bool(false), Compare: gh.String("https://github.com/octo/web/compare/6113728f27ae...0d1a26e67d8f"),
		Commits: commits, HeadCommit: commits[len(commits)-1], Repo: repo,
		Pusher: &gh.CommitAuthor{Name: gh.String("ana-gh"), Email: gh.String("ana@example.com")},
		Sender: &gh.User{Login: gh.String("ana-gh"), ID: gh.Int64(2)},
	})
}

func issue(t testing.TB, action string, n int, title, sender string) []byte {
	return mustJSON(t, &gh.IssuesEvent{
		Action: gh.String(action),
		Issue: &gh.Issue{ID: gh.Int64(int64(444500000 + n)), Number: gh.Int(n), Title: gh.String(title), State: gh.String(map[bool]string{true: "closed", false: "open"}[action == "closed"]),
			User: &gh.User{Login: gh.String(sender)}, HTMLURL: gh.String(fmt.Sprintf("https://github.com/octo/web/issues/%d", n))},
		Repo: &gh.Repository{ID: gh.Int64(1296269), Name: gh.String("web"), FullName: gh.String("octo/web"),
			Owner: &gh.User{Login: gh.String("octo")}, DefaultBranch: gh.String("main")},
		Sender: &gh.User{Login: gh.String(sender), ID: gh.Int64(3)},
	})
}

// entries returns every time entry.
func (e *env) entries() []core.TimeEntry {
	e.t.Helper()
	var out []core.TimeEntry
	err := e.store.View(e.ctx, func(tx core.Tx) error {
		var err error
		out, err = tx.ListEntries(e.admin.User.WorkspaceID, core.EntryFilter{}, core.Page{Limit: 1000})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) taskNamed(project, name string) core.Task {
	e.t.Helper()
	var tk core.Task
	err := e.store.View(e.ctx, func(tx core.Tx) error {
		ws := e.admin.User.WorkspaceID
		p, err := tx.ProjectByName(ws, project)
		if err != nil {
			return err
		}
		tk, err = tx.TaskByName(ws, p.ID, name)
		return err
	})
	if err != nil {
		e.t.Fatalf("task %q in %q: %v", name, project, err)
	}
	return tk
}

func TestNewHandlerRefusesEmptySecret(t *testing.T) {
	if _, err := github.NewHandler(nil, github.Options{}); err == nil {
		t.Fatal("NewHandler accepted an empty secret")
	}
}

func TestPing(t *testing.T) {
	e := newEnv(t)
	body := mustJSON(t, &gh.PingEvent{Zen: gh.String("Design for failure."), HookID: gh.Int64(292430182),
		Hook: &gh.Hook{ID: gh.Int64(292430182), Type: gh.String("Repository"), Name: gh.String("web"), Active: gh.Bool(true),
			Events: []string{"push", "issues"}, Config: &gh.HookConfig{ContentType: gh.String("json"), URL: gh.String("https://gw.example.com/github/webhook")}},
		Repo: &gh.Repository{FullName: gh.String("octo/web")}, Sender: &gh.User{Login: gh.String("octo")}})
	m := e.ok(delivery{event: "ping", id: "ping-1", body: body})
	if m["ok"] != true || m["zen"] != "Design for failure." {
		t.Fatalf("ping answer %v", m)
	}
	e.wantEvents()
}

func TestPushAppliesDirectives(t *testing.T) {
	e := newEnv(t)
	anaU := e.person("Ana", core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"})
	bobU := e.person("Bob", core.Identity{Provider: core.ProviderEmail, Subject: "bob@example.com"})
	t1 := time.Now().Add(-3 * time.Hour).Truncate(time.Second).UTC()
	t2, t3, t4 := t1.Add(20*time.Minute), t1.Add(40*time.Minute), t1.Add(time.Hour)

	merge := commit("4444444444444444444444444444444444444444", ana, t4, "Merge pull request #5 from octo/feature\n\nspent 5h")
	old := commit("5555555555555555555555555555555555555555", ana, t4, "Old work\n\nspent 2h")
	old.Distinct = gh.Bool(false)
	body := push(t, "refs/heads/main",
		commit("1111111111111111111111111111111111111111", ana, t1, "Fix login form (#12)\n\nspent 1h30m on the validation"),
		commit("2222222222222222222222222222222222222222", bob, t2, "Refactor session store\n\n/log 45m on \"Session store\" in Backend #refactor\ntook: 30m"),
		commit("3333333333333333333333333333333333333333", ana, t3, "Polish the header, closes octo/web#9 @20m\n\nAlso #10: #time 1h 15m, fixes #10"),
		merge, old,
		commit("6666666666666666666666666666666666666666", stranger, t4, "Drive-by fix\n\nspent 1h"),
		commit("7777777777777777777777777777777777777777", ana, t4, "Docs only, no time"),
	)
	m := e.ok(delivery{event: "push", id: "d-1", body: body})

	if m["repository"] != "octo/web" || m["duplicates"] != 0.0 {
		t.Fatalf("answer %v", m)
	}
	applied, _ := m["applied"].([]any)
	if len(applied) != 7 {
		t.Fatalf("applied %d directives, want 7: %s", len(applied), mustJSON(t, m))
	}
	if failed, _ := m["failed"].([]any); len(failed) != 0 {
		t.Fatalf("failed: %v", failed)
	}
	if u := m["unknown_authors"]; fmt.Sprint(u) != "[stranger]" {
		t.Fatalf("unknown authors %v", u)
	}
	skipped := fmt.Sprint(m["skipped"])
	for _, want := range []string{"merge commit", "not distinct", "unknown author stranger"} {
		if !strings.Contains(skipped, want) {
			t.Errorf("skipped %s lacks %q", skipped, want)
		}
	}
	e.wantEvents(
		core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryCreated, // web, #12, 1h30m
		core.EventProjectCreated, core.EventTaskCreated, core.EventTagCreated, core.EventTimeEntryCreated, // /log
		core.EventTimeEntryCreated,                  // took: 30m on web
		core.EventTaskCreated, core.EventTaskClosed, // closes octo/web#9
		core.EventTimeEntryCreated,                        // @20m on #9
		core.EventTaskCreated, core.EventTimeEntryCreated, // #time on #10
		core.EventTaskClosed, // fixes #10
	)

	type want struct {
		user    core.ID
		minutes int64
		end     time.Time
		task    string
		project string
	}
	wants := []want{
		{anaU.ID, 90, t1, "#12", "web"},
		{bobU.ID, 45, t2, "Session store", "Backend"},
		{bobU.ID, 30, t2, "", "web"},
		{anaU.ID, 20, t3, "#9", "web"},
		{anaU.ID, 75, t3, "#10", "web"},
	}
	es := e.entries()
	if len(es) != len(wants) {
		t.Fatalf("%d entries, want %d: %+v", len(es), len(wants), es)
	}
	for i, w := range wants {
		got := es[i]
		if got.UserID != w.user || got.DurationSeconds != w.minutes*60 || !got.End.Equal(w.end) || got.Source != "github" {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
		if w.task != "" && got.TaskID != e.taskNamed(w.project, w.task).ID {
			t.Errorf("entry %d on task %d, want %q", i, got.TaskID, w.task)
		}
		if w.task == "" && got.TaskID != 0 {
			t.Errorf("entry %d on task %d, want the project", i, got.TaskID)
		}
	}
	if !strings.HasPrefix(es[0].Note, "1111111 Fix login form") {
		t.Errorf("note %q", es[0].Note)
	}
	if tags := es[1].Tags; len(tags) != 1 || tags[0] != "refactor" {
		t.Errorf("log line tags %v", tags)
	}
	for _, n := range []string{"#9", "#10"} {
		if tk := e.taskNamed("web", n); tk.Status != core.StatusClosed {
			t.Errorf("task %s is %s, want closed", n, tk.Status)
		}
	}
	if tk := e.taskNamed("web", "#12"); tk.Status != core.StatusOpen {
		t.Errorf("#12 is %s", tk.Status)
	}
}

func TestRedeliveryAndRepushAddNothing(t *testing.T) {
	e := newEnv(t)
	e.person("Ana", core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"})
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	commits := []*gh.HeadCommit{
		commit("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ana, at, "Work on #3\n\nspent 1h"),
		commit("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", ana, at, "More, fixes #3\n\ntook 15m"),
	}
	// First on a feature branch: closing keywords do not count there.
	e.ok(delivery{event: "push", id: "d-1", body: push(t, "refs/heads/feature", commits...)})
	e.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryCreated, core.EventTimeEntryCreated)
	if tk := e.taskNamed("web", "#3"); tk.Status != core.StatusOpen {
		t.Fatalf("a push to a feature branch closed #3")
	}

	// The same delivery again: answered at once, nothing added.
	m := e.ok(delivery{event: "push", id: "d-1", body: push(t, "refs/heads/feature", commits...)})
	if m["duplicate"] != true {
		t.Fatalf("redelivery answer %v", m)
	}
	e.wantEvents()

	// The same commits merged into main under a new delivery: the time
	// directives were applied already; the closing keyword applies now.
	m = e.ok(delivery{event: "push", id: "d-2", body: push(t, "refs/heads/main", commits...)})
	if m["duplicates"] != 2.0 {
		t.Fatalf("re-push answer %s", mustJSON(t, m))
	}
	e.wantEvents(core.EventTaskClosed)
	// And once more, under yet another delivery id: nothing at all.
	m = e.ok(delivery{event: "push", id: "d-3", body: push(t, "refs/heads/main", commits...)})
	if m["duplicates"] != 3.0 || len(m["applied"].([]any)) != 0 {
		t.Fatalf("third push answer %s", mustJSON(t, m))
	}
	e.wantEvents()
	if n := len(e.entries()); n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
}

func TestPushOfGitHubsExamplePayload(t *testing.T) {
	e := newEnv(t)
	e.person("Codertocat", core.Identity{Provider: core.ProviderGitHub, Subject: "Codertocat"})
	raw, err := os.ReadFile("testdata/push.json")
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := json.Marshal("Update README.md\n\nspent 25m")
	body := bytes.ReplaceAll(raw, []byte(`"MESSAGE"`), msg)
	// GitHub also sends form-encoded payloads when the hook asks for it.
	form := []byte(url.Values{"payload": {string(body)}}.Encode())
	e.ok(delivery{event: "push", id: "example", body: form, contentType: "application/x-www-form-urlencoded"})
	e.wantEvents(core.EventProjectCreated, core.EventTimeEntryCreated)
	es := e.entries()
	if len(es) != 1 || es[0].DurationSeconds != 25*60 || !es[0].End.Equal(time.Date(2019, 5, 15, 19, 20, 30, 0, time.UTC)) {
		t.Fatalf("entries %+v", es)
	}
	if _, err := e.svc.GetProject(e.ctx, e.admin, es[0].ProjectID); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.svc.GetProject(e.ctx, e.admin, es[0].ProjectID); p.Name != "Hello-World" {
		t.Fatalf("project %q, want Hello-World", p.Name)
	}
}

func TestIssuesOpenedClosedReopened(t *testing.T) {
	e := newEnv(t)
	anaU := e.person("Ana", core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"})

	// A commit names #12 before the issue arrives.
	e.ok(delivery{event: "push", id: "p-1", body: push(t, "refs/heads/main",
		commit("cccccccccccccccccccccccccccccccccccccccc", ana, time.Now().Add(-time.Hour), "Start #12, spent 10m"))})
	e.events()

	m := e.ok(delivery{event: "issues", id: "i-1", body: issue(t, "opened", 12, "Login fails on Safari", "ana-gh")})
	evs := e.wantEvents(core.EventTaskUpdated)
	if evs[0].Actor.ID != anaU.ID || evs[0].Actor.Source != "github" || m["actor"] != "Ana" {
		t.Fatalf("actor %+v, answer %v", evs[0].Actor, m)
	}
	tk := e.taskNamed("web", "#12 Login fails on Safari")

	// An unlinked sender acts as the built-in github user.
	// It is a system user: subscribers are not told that it joined, and
	// the answer lists every event the delivery caused.
	m = e.ok(delivery{event: "issues", id: "i-2", body: issue(t, "closed", 12, "Login fails on Safari", "someone-else")})
	evs = e.wantEvents(core.EventTaskClosed)
	if evs[0].Actor.Name != core.GitHubUserName {
		t.Fatalf("closed by %+v, want the github user", evs[0].Actor)
	}
	if got := fmt.Sprint(m["events"]); got != "["+core.EventTaskClosed+"]" {
		t.Fatalf("answer's events = %s, want [%s]", got, core.EventTaskClosed)
	}
	e.ok(delivery{event: "issues", id: "i-3", body: issue(t, "reopened", 12, "Login fails on Safari", "ana-gh")})
	e.wantEvents(core.EventTaskUpdated)
	if got := e.taskNamed("web", "#12 Login fails on Safari"); got.ID != tk.ID || got.Status != core.StatusOpen {
		t.Fatalf("reopened task %+v", got)
	}

	// A new issue; redelivered, it adds nothing.
	e.ok(delivery{event: "issues", id: "i-4", body: issue(t, "opened", 13, "Dark mode", "ana-gh")})
	e.wantEvents(core.EventTaskCreated)
	if m := e.ok(delivery{event: "issues", id: "i-4", body: issue(t, "opened", 13, "Dark mode", "ana-gh")}); m["duplicate"] != true {
		t.Fatalf("redelivery %v", m)
	}
	e.wantEvents()

	// Opened again under another delivery id, it changes nothing: the
	// answer's events is an empty list, never null.
	status, m := e.send(delivery{event: "issues", id: "i-6", body: issue(t, "opened", 13, "Dark mode", "ana-gh")})
	if status != http.StatusOK {
		t.Fatalf("opened again: %d %v", status, m)
	}
	if evs, ok := m["events"].([]any); !ok || len(evs) != 0 {
		t.Fatalf("answer's events = %#v, want []", m["events"])
	}
	e.wantEvents()

	// Other actions are ignored.
	status, m = e.send(delivery{event: "issues", id: "i-5", body: issue(t, "labeled", 13, "Dark mode", "ana-gh")})
	if status != http.StatusAccepted || m["ignored"] != true {
		t.Fatalf("labeled: %d %v", status, m)
	}
	e.wantEvents()
}

func TestOtherEventsAreIgnored(t *testing.T) {
	e := newEnv(t)
	status, m := e.send(delivery{event: "star", id: "s-1", body: []byte(`{"action":"created","starred_at":"2019-05-15T15:20:40Z"}`)})
	if status != http.StatusAccepted || m["ignored"] != true {
		t.Fatalf("star: %d %v", status, m)
	}
	e.wantEvents()
}

func TestRejectsBadRequestsAndChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.person("Ana", core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"})
	body := push(t, "refs/heads/main", commit("dddddddddddddddddddddddddddddddddddddddd", ana, time.Now().Add(-time.Hour), "Work on #1, spent 1h, fixes #1"))
	sha1sig := func() string {
		mac := hmac.New(sha1.New, []byte(secret))
		mac.Write(body)
		return "sha1=" + hex.EncodeToString(mac.Sum(nil))
	}()
	big := append(bytes.Repeat([]byte(" "), github.MaxBodyBytes), body...)
	cases := []struct {
		name   string
		d      delivery
		status int
	}{
		{"unsigned", delivery{event: "push", id: "x", body: body, header: map[string]string{"X-Hub-Signature-256": ""}}, 401},
		{"wrong secret", delivery{event: "push", id: "x", body: body, header: map[string]string{"X-Hub-Signature-256": sign("guess", body)}}, 401},
		{"tampered", delivery{event: "push", id: "x", body: bytes.Replace(body, []byte("1h"), []byte("9h"), 1),
			header: map[string]string{"X-Hub-Signature-256": sign(secret, body)}}, 401},
		{"sha1 only", delivery{event: "push", id: "x", body: body, header: map[string]string{"X-Hub-Signature-256": "", "X-Hub-Signature": sha1sig}}, 401},
		{"garbage signature", delivery{event: "push", id: "x", body: body, header: map[string]string{"X-Hub-Signature-256": "sha256=zz"}}, 401},
		{"too large", delivery{event: "push", id: "x", body: big}, 413},
		{"not json", delivery{event: "push", id: "x", body: []byte("{nope")}, 400},
		{"no event type", delivery{event: "", id: "x", body: body}, 400},
		{"text/plain", delivery{event: "push", id: "x", body: body, contentType: "text/plain"}, 400},
		{"no content type", delivery{event: "push", id: "x", body: body, contentType: " "}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := e.send(c.d)
			errObj, _ := m["error"].(map[string]any)
			if status != c.status || errObj["message"] == "" {
				t.Fatalf("status %d %v, want %d with a reason", status, m, c.status)
			}
		})
	}
	e.wantEvents()
	// The rejected delivery id was not remembered: signed, it applies.
	e.ok(delivery{event: "push", id: "x", body: body})
	e.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryCreated, core.EventTaskClosed)
}

// The contract's limits for every way in: a body over 1 MiB is 413 and a
// body of another type is malformed input (400), each with an error body,
// and neither is stored nor remembered.
func TestBodyLimitAndContentTypeFollowTheContract(t *testing.T) {
	e := newEnv(t)
	e.person("Ana", core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"})
	body := push(t, "refs/heads/main", commit("ffffffffffffffffffffffffffffffffffffffff", ana, time.Now().Add(-time.Hour), "Work on #2, spent 1h"))
	cases := []struct {
		name   string
		d      delivery
		status int
		code   string
		reason string
	}{
		{"just over 1 MiB", delivery{event: "push", id: "y", body: append(bytes.Repeat([]byte(" "), 1<<20), body...)}, 413, core.ELIMIT, "larger than"},
		{"text/plain", delivery{event: "push", id: "y", body: body, contentType: "text/plain"}, 400, core.EINVALID, "Content-Type"},
		{"octet-stream", delivery{event: "push", id: "y", body: body, contentType: "application/octet-stream"}, 400, core.EINVALID, "Content-Type"},
		{"bad signature", delivery{event: "push", id: "y", body: body, header: map[string]string{"X-Hub-Signature-256": sign("guess", body)}}, 401, core.EUNAUTHORIZED, "X-Hub-Signature-256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := e.send(c.d)
			errObj, _ := m["error"].(map[string]any)
			msg, _ := errObj["message"].(string)
			if status != c.status || errObj["code"] != c.code || !strings.Contains(msg, c.reason) {
				t.Fatalf("status %d %v, want %d %q with %q", status, m, c.status, c.code, c.reason)
			}
		})
	}
	e.wantEvents()
	// Just under the limit is read, and the refused delivery id applies.
	padded := append(bytes.Repeat([]byte(" "), 1<<20-len(body)), body...)
	e.ok(delivery{event: "push", id: "y", body: padded})
	e.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryCreated)
}

func TestFailedDirectivesAreReported(t *testing.T) {
	e := newEnv(t)
	e.person("Ana", core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"})
	body := push(t, "refs/heads/main",
		commit("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", ana, time.Now().Add(-time.Hour), "Long day\n\nspent 25h\ntook 10m\n/log on nothing"),
		commit("ffffffffffffffffffffffffffffffffffffffff", ana, time.Now().Add(2*time.Hour), "Clock skew\n\nspent 1h"))
	m := e.ok(delivery{event: "push", id: "f-1", body: body})
	failed, _ := m["failed"].([]any)
	applied, _ := m["applied"].([]any)
	if len(failed) != 3 || len(applied) != 1 {
		t.Fatalf("answer %s", mustJSON(t, m))
	}
	for _, f := range failed {
		if f.(map[string]any)["error"] == "" {
			t.Errorf("failure without a reason: %v", f)
		}
	}
	e.wantEvents(core.EventProjectCreated, core.EventTimeEntryCreated)
}
