package github_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/github"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

func TestParseMessage(t *testing.T) {
	// Each directive as kind:amount-or-issue@issue-it-goes-on.
	cases := []struct {
		msg     string
		closing bool
		want    []string
	}{
		{"Fix typo", true, nil},
		{"spent 1h30m", true, []string{"time 1h30m0s #0"}},
		{"Took: 45m", true, []string{"time 45m0s #0"}},
		{"took 1h30", true, []string{"time 1h30m0s #0"}},
		{"spent 2 hours", true, []string{"time 2h0m0s #0"}},
		{"spent 1,5h", true, []string{"time 1h30m0s #0"}},
		{"spent 1:15", true, []string{"time 1h15m0s #0"}},
		{"Fixed it @1h30m", true, []string{"time 1h30m0s #0"}},
		{"mail ana@1h.example.com", true, nil},
		{"PROJ-7 #time 1h 30m", true, []string{"time 1h30m0s #0"}},
		{"#12: login\n\nspent 20m", true, []string{"time 20m0s #12"}},
		{"spent 20m on #12", true, []string{"time 20m0s #0"}},
		{"#3 then #4: took 5m", true, []string{"time 5m0s #4"}},
		{"see octo/api#7 spent 1h", true, []string{"time 1h0m0s octo/api#7"}},
		{"fixes #12", true, []string{"close octo/web#12"}},
		{"Fixes: #12", true, []string{"close octo/web#12"}},
		{"closes octo/api#9", true, []string{"close octo/api#9"}},
		{"Resolved #3, resolves #4", true, []string{"close octo/web#3", "close octo/web#4"}},
		{"fixes #12", false, nil},
		{"prefixes #12", true, nil},
		{"fixes #12 spent 1h", true, []string{"close octo/web#12", "time 1h0m0s #12"}},
		{"spent 25h", true, []string{"error"}},
		{"spent 0m", true, []string{"error"}},
		{"/log 45m on \"Session store\" in Backend #refactor", true, []string{"log 45m0s Session store/Backend"}},
		{"Body\n  /log 1h on Review #12\nspent 5m", true, []string{"log 1h0m0s Review/", "time 5m0s #0"}},
		{"/log", true, []string{"error"}},
		{"/logout now", true, nil},
		// The README's example.
		{"Fix the login form on Safari (#12)\n\nTook the whole morning: spent 2h30m. Fixes #12.\n/log 20m on Code review in Website -- pairing with Bob", true,
			[]string{"time 2h30m0s #12", "close octo/web#12", "log 20m0s Code review/Website"}},
		{"/log 2 on X", true, []string{"error"}},
	}
	for _, c := range cases {
		ds := github.ParseMessage(c.msg, c.closing)
		var got []string
		for _, d := range ds {
			if d.Err != nil {
				got = append(got, "error")
				continue
			}
			switch d.Kind {
			case github.KindTime:
				on := "#0"
				if d.Issue.Number > 0 {
					on = d.Issue.Repo + "#" + itoa(d.Issue.Number)
				}
				got = append(got, "time "+d.Duration.String()+" "+on)
			case github.KindClose:
				repo := d.Issue.Repo
				if repo == "" {
					repo = "octo/web"
				}
				got = append(got, "close "+repo+"#"+itoa(d.Issue.Number))
			case github.KindLog:
				got = append(got, "log "+d.Log.Amount.Duration.String()+" "+d.Log.Task+"/"+d.Log.Project)
			}
		}
		if strings.Join(got, "; ") != strings.Join(c.want, "; ") {
			t.Errorf("ParseMessage(%q, %v) = %q, want %q", c.msg, c.closing, got, c.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDirectivePositionsAreStable(t *testing.T) {
	msg := "Work on #5\n\nspent 1h\n/log 30m on Review\ntook 5m"
	a, b := github.ParseMessage(msg, true), github.ParseMessage(msg, true)
	if len(a) != 3 {
		t.Fatalf("directives %+v", a)
	}
	for i := range a {
		if a[i].Pos != b[i].Pos || !strings.HasPrefix(msg[a[i].Pos:], a[i].Text) {
			t.Errorf("directive %d at %d (%q) does not start its text %q", i, a[i].Pos, msg[a[i].Pos:], a[i].Text)
		}
	}
}

func FuzzGitHubCommitMessage(f *testing.F) {
	for _, s := range []string{"spent 1h30m", "Fix #12\n\nspent 2h fixes #12", "/log 45m on X in Y", "@1h #time 1h 30m",
		"closes octo/web#9", "took: 1:30 on octo/x#1", "\x00/log\r\n/log 9-11 on A", "#99999999999999999999 spent 1h"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, msg string, closing bool) {
		for _, d := range github.ParseMessage(msg, closing) {
			if d.Pos < 0 || d.Pos > len(msg) {
				t.Fatalf("position %d outside the message", d.Pos)
			}
			if d.Err == nil && d.Kind == github.KindTime && (d.Duration <= 0 || d.Duration > 24*time.Hour) {
				t.Fatalf("time directive %+v accepted", d)
			}
			if d.Kind == github.KindClose && (!closing || d.Issue.Number <= 0) {
				t.Fatalf("close directive %+v", d)
			}
		}
		github.IsMerge(msg)
	})
}

// FuzzGitHubPush sends fuzzed bodies, signed, as push, issues and ping
// deliveries to the real handler on a real store: it must never panic nor
// answer 5xx.
func FuzzGitHubPush(f *testing.F) {
	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := core.NewService(st, core.Options{})
	h, err := github.NewHandler(svc, github.Options{Secret: secret})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	token, _ := svc.BootstrapAdmin(ctx, "")
	boss, err := svc.Authenticate(ctx, token)
	if err != nil {
		f.Fatal(err)
	}
	u, _ := svc.CreateUser(ctx, core.Actor{User: boss}, "Ana", core.RoleMember)
	svc.LinkIdentity(ctx, core.Actor{User: boss}, u.ID, core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"})

	at := time.Now().Add(-time.Hour)
	f.Add(uint8(0), push(f, "refs/heads/main", commit("1111111111111111111111111111111111111111", ana, at, "Fix #1\n\nspent 1h\n/log 30m on X in Y")))
	f.Add(uint8(1), issue(f, "opened", 3, "A bug", "ana-gh"))
	f.Add(uint8(2), []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`))
	f.Add(uint8(0), []byte(`{"ref":"refs/heads/main","repository":{"full_name":"a/b","default_branch":"main"},"commits":[{"id":"x","message":"spent 1h","timestamp":"2019-05-15T15:20:30-04:00","author":{"username":"ana-gh"}}]}`))
	f.Add(uint8(0), []byte(`{"commits":[null,{"timestamp":1557933565}],"repository":{"full_name":"a/b/c"}}`))
	f.Add(uint8(3), []byte(`[]`))
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		event := []string{"push", "issues", "ping", "pull_request"}[kind%4]
		req := httptest.NewRequest(http.MethodPost, "/github/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-GitHub-Delivery", "")
		req.Header.Set("X-Hub-Signature-256", sign(secret, body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d %s", event, body, rec.Code, rec.Body)
		}
	})
}
