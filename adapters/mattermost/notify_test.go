package mattermost_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/chatops/gateway/webhooks"
)

const notifyToken = "notify-test-token"

// TestNotifyFromMattermost subscribes a Mattermost channel with its
// incoming-webhook URL from a slash command, and sees a timer arrive there
// as Mattermost Markdown.
func TestNotifyFromMattermost(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "mm.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := core.NewService(st, core.Options{})
	wh := webhooks.New(svc, webhooks.Options{AllowPrivateTargets: true,
		Renderers: map[string]webhooks.Renderer{core.FormatSlack: slack.RenderEvent, core.FormatMattermost: mattermost.RenderEvent}})
	eng := delivery.New(st, wh, delivery.Options{AllowPrivateTargets: true})
	svc.SetChannels(wh)
	h, err := mattermost.NewHandler(svc, mattermost.Options{Token: notifyToken})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	var mu sync.Mutex
	var got []map[string]any
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	t.Cleanup(inbox.Close)

	command := func(text string) string {
		t.Helper()
		body := url.Values{"team_id": {"teamA"}, "channel_id": {"chanB"}, "user_id": {"userC"}, "user_name": {"ana"},
			"command": {"/tt"}, "text": {text}, "token": {notifyToken}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/mattermost/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Token "+notifyToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%q: %d %s", text, resp.StatusCode, b)
		}
		return m["text"].(string)
	}
	pump := func() {
		t.Helper()
		for range 20 {
			n, err := eng.DispatchOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			m, err := eng.DeliverOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 && m == 0 {
				return
			}
		}
	}

	if r := command("notify tracker.*"); !strings.Contains(r, "incoming-webhook URL") {
		t.Fatalf("notify without URL: %s", r)
	}
	if r := command("notify " + inbox.URL + "/hooks/xyz tracker.*"); !strings.Contains(r, "This channel now gets tracker.*") {
		t.Fatalf("notify: %s", r)
	}
	ana, err := svc.LookupIdentity(ctx, core.ProviderMattermost, "teamA:userC")
	if err != nil {
		t.Fatal(err)
	}
	subs, _, err := wh.List(ctx, core.Actor{User: ana}, core.Page{})
	if err != nil || len(subs) != 1 || subs[0].Format != core.FormatMattermost || subs[0].Channel != "mattermost:teamA:chanB" {
		t.Fatalf("subscriptions %+v %v", subs, err)
	}
	command("track Fix login in Website")
	pump()
	mu.Lock()
	if len(got) != 1 || !strings.HasPrefix(got[0]["text"].(string), "⏱ **ana** started **Fix login** in **Website**\nsince ") {
		t.Fatalf("incoming webhook got %v", got)
	}
	mu.Unlock()
	if r := command("notify list"); !strings.Contains(r, "#"+subs[0].ID.String()) {
		t.Errorf("notify list: %s", r)
	}
	if r := command("notify off"); !strings.Contains(r, "Removed 1") {
		t.Errorf("notify off: %s", r)
	}
}
