package main

import (
	"context"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

// csvLink finds the download link in a report … csv reply (Slack mrkdwn).
var csvLink = regexp.MustCompile(`<(https?://[^|>]+)\|download>`)

// fetch GETs path from the gateway with no token.
func (g *gateway) fetch(path string) (int, string) {
	g.t.Helper()
	resp, err := http.Get(g.base + path)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// reportLinkOf asks for report yesterday csv in Slack and returns the
// link's path and query, checking that it starts with the public URL.
func reportLinkOf(t *testing.T, g *gateway, public string) string {
	t.Helper()
	m := g.slash("report yesterday csv")
	if m["response_type"] == "in_channel" {
		t.Errorf("a report link went to the whole channel")
	}
	found := csvLink.FindStringSubmatch(m["text"].(string))
	if found == nil {
		t.Fatalf("no link in %q", m["text"])
	}
	link, err := url.Parse(html.UnescapeString(found[1]))
	if err != nil || !strings.HasPrefix(found[1], public+"/api/v1/reports?") {
		t.Fatalf("link %q (public URL %s): %v", found[1], public, err)
	}
	return link.RequestURI()
}

// TestEndToEndReportLink: Slack's report … csv answers a link on
// GATEWAY_PUBLIC_URL that downloads the CSV without a token; a changed link
// is 403; the link outlives a restart (the key is stored once); with
// GATEWAY_ENCRYPTION_KEY the key is derived from it and nothing is stored.
func TestEndToEndReportLink(t *testing.T) {
	const public = "https://gw.example.com"
	db := filepath.Join(t.TempDir(), "e2e.db")
	env := map[string]string{"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ADMIN_TOKEN": testAdmin, "GATEWAY_PUBLIC_URL": public + "/"}
	g := startGateway(t, testConfig(t, db, env))
	g.slash("log 9-10 on Specs in Website yesterday")
	path := reportLinkOf(t, g, public)
	const want = "project,seconds,hours\nWebsite,3600,1.00\n"
	if status, body := g.fetch(path); status != 200 || body != want {
		t.Fatalf("link: %d %q", status, body)
	}
	if status, _ := g.fetch(strings.Replace(path, "group_by=project", "group_by=user", 1)); status != 403 {
		t.Fatalf("changed link: %d, want 403", status)
	}
	g.stop()
	g = startGateway(t, testConfig(t, db, env))
	if status, body := g.fetch(path); status != 200 || body != want {
		t.Fatalf("link after a restart: %d %q", status, body)
	}

	env["GATEWAY_ENCRYPTION_KEY"] = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	sealed := startGateway(t, testConfig(t, filepath.Join(t.TempDir(), "sealed.db"), env))
	sealed.slash("log 9-10 on Specs in Website yesterday")
	path = reportLinkOf(t, sealed, public)
	if status, body := sealed.fetch(path); status != 200 || body != want {
		t.Fatalf("link with an encryption key: %d %q", status, body)
	}
	err := sealed.srv.store.Update(context.Background(), func(tx core.Tx) error {
		v, err := tx.Secret("report_links", "none stored", sealed.srv.svc.Now())
		if err == nil && v != "none stored" {
			t.Errorf("a report link key was stored although GATEWAY_ENCRYPTION_KEY is set")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestForgedReportLinksCountAsFailedAuthentication: a report link with a
// wrong signature is a failed authentication, so guessing signatures from
// one address is soon refused with 429, its valid requests too.
func TestForgedReportLinksCountAsFailedAuthentication(t *testing.T) {
	g, _ := limitedGateway(t, map[string]string{"GATEWAY_RATE_AUTH_FAILURES": "3/min"})
	forged := g.base + "/api/v1/reports?from=2026-11-16T00:00:00Z&to=2026-11-23T00:00:00Z&group_by=project&team=true&format=csv&user=1&expires=4102444800&signature="
	for i := range 3 {
		if a := call(t, "GET", forged+strings.Repeat("0", 63)+string(rune('a'+i)), "", ""); a.status != 403 {
			t.Fatalf("forged link %d: %d %s", i, a.status, a.body)
		}
	}
	tooMany(t, call(t, "GET", g.base+"/api/v1/reports", "Bearer "+testAdmin, ""), "20")
}
