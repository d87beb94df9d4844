package core_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

var linkKey = []byte("0123456789abcdef0123456789abcdef")

func sampleLink() core.ReportLink {
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	return core.ReportLink{User: 7, Format: "csv", Expires: from.Add(time.Hour),
		Query: core.ReportQuery{From: from, To: from.AddDate(0, 0, 7), GroupBy: []string{"project", "task"}}}
}

func TestReportLinkRoundTrip(t *testing.T) {
	l := sampleLink()
	q := core.SignReportLink(linkKey, l)
	got, err := core.OpenReportLink(linkKey, q, l.Expires.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got.User != l.User || !got.Query.From.Equal(l.Query.From) || !got.Query.To.Equal(l.Query.To) ||
		strings.Join(got.Query.GroupBy, ",") != "project,task" || got.Query.Everyone || got.Format != "csv" || !got.Expires.Equal(l.Expires) {
		t.Fatalf("opened %+v, signed %+v", got, l)
	}
	// Through a URL and back, as a browser sends it.
	u, err := url.Parse("https://gw.example/api/v1/reports?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.OpenReportLink(linkKey, u.Query(), l.Expires.Add(-time.Second)); err != nil {
		t.Fatalf("after a URL round trip: %v", err)
	}
}

func TestReportLinkExpires(t *testing.T) {
	l := sampleLink()
	q := core.SignReportLink(linkKey, l)
	for _, now := range []time.Time{l.Expires, l.Expires.Add(time.Hour)} {
		if _, err := core.OpenReportLink(linkKey, q, now); !errors.Is(err, core.ErrReportLinkExpired) {
			t.Fatalf("at %v: %v, want expired", now, err)
		}
	}
}

// TestReportLinkIsSinglePurpose: a link opens only the report and user it
// was signed for: any changed, added, repeated or missing parameter, or
// another key, is forbidden (and not merely expired).
func TestReportLinkIsSinglePurpose(t *testing.T) {
	l := sampleLink()
	now := l.Expires.Add(-time.Minute)
	other := l
	other.User = 8
	otherReport := l
	otherReport.Query.From = l.Query.From.Add(-24 * time.Hour)
	change := map[string]func(q url.Values){
		"another user":        func(q url.Values) { q.Set("user", "8") },
		"another from":        func(q url.Values) { q.Set("from", "2026-11-09T00:00:00Z") },
		"another to":          func(q url.Values) { q.Set("to", "2026-12-31T00:00:00Z") },
		"another group_by":    func(q url.Values) { q.Set("group_by", "user") },
		"everyone":            func(q url.Values) { q.Set("team", "true") },
		"json":                func(q url.Values) { q.Set("format", "json") },
		"later expiry":        func(q url.Values) { q.Set("expires", "4102444800") },
		"extra parameter":     func(q url.Values) { q.Set("user_id", "8") },
		"repeated parameter":  func(q url.Values) { q.Add("user", "7") },
		"no signature":        func(q url.Values) { q.Del("signature") },
		"no expiry":           func(q url.Values) { q.Del("expires") },
		"bad signature":       func(q url.Values) { q.Set("signature", "zz") },
		"other user's signed": func(q url.Values) { q.Set("signature", core.SignReportLink(linkKey, other).Get("signature")) },
		"other report's signed": func(q url.Values) {
			q.Set("signature", core.SignReportLink(linkKey, otherReport).Get("signature"))
		},
		"another key": func(q url.Values) {
			q.Set("signature", core.SignReportLink([]byte("another key, another gateway...."), l).Get("signature"))
		},
	}
	for name, fn := range change {
		t.Run(name, func(t *testing.T) {
			q := core.SignReportLink(linkKey, l)
			fn(q)
			_, err := core.OpenReportLink(linkKey, q, now)
			if core.ErrorCode(err) != core.EFORBIDDEN || errors.Is(err, core.ErrReportLinkExpired) {
				t.Fatalf("%v, want forbidden", err)
			}
		})
	}
	// The other user's and the other report's links open as themselves.
	if got, err := core.OpenReportLink(linkKey, core.SignReportLink(linkKey, other), now); err != nil || got.User != 8 {
		t.Fatalf("other user's own link: %+v, %v", got, err)
	}
}

// FuzzOpenReportLink: whatever the query, a link opens only when signed,
// and never panics.
func FuzzOpenReportLink(f *testing.F) {
	f.Add(core.SignReportLink(linkKey, sampleLink()).Encode())
	f.Add("from=x&to=y&group_by=&team=&format=&user=&expires=&signature=")
	f.Add("signature=00")
	now := sampleLink().Expires.Add(-time.Minute)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		l, err := core.OpenReportLink(linkKey, q, now)
		if err != nil {
			if core.ErrorCode(err) != core.EFORBIDDEN {
				t.Fatalf("error %v is not forbidden", err)
			}
			return
		}
		if q.Get("signature") != core.SignReportLink(linkKey, l).Get("signature") {
			t.Fatalf("opened %q, which is not the link of what it grants", s)
		}
	})
}

// TestChatReportCSV: report … csv answers a link of the user's own report
// that the service opens as that user until it expires (an injected
// clock), and a second service on the same store (another instance)
// opens too, with the one stored key.
func TestChatReportCSV(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleAdmin)
	res := f.do(ana, core.Report{Period: core.Period{Kind: core.PeriodWeek}, CSV: true})
	if res.Link == "" || !res.LinkExpires.Equal(wednesday.Add(core.ReportLinkTTL)) || res.Report.Title != "This week" {
		t.Fatalf("result %+v", res)
	}
	u, err := url.Parse(res.Link)
	if err != nil || u.Path != core.ReportLinkPath {
		t.Fatalf("link %q: %v", res.Link, err)
	}
	actor, l, err := f.svc.OpenReportLink(f.ctx, u.Query())
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	if actor.User.ID != ana.User.ID || l.Query.Everyone || !l.Query.From.Equal(monday) || l.Format != "csv" {
		t.Fatalf("opened as %+v: %+v", actor.User, l)
	}
	second := core.NewService(f.store, core.Options{Now: f.clock.Now})
	if _, _, err := second.OpenReportLink(f.ctx, u.Query()); err != nil {
		t.Fatalf("another instance: %v", err)
	}
	f.clock.Add(core.ReportLinkTTL)
	if _, _, err := f.svc.OpenReportLink(f.ctx, u.Query()); !errors.Is(err, core.ErrReportLinkExpired) {
		t.Fatalf("after %v: %v, want expired", core.ReportLinkTTL, err)
	}
	// A member may not link everyone's report.
	bob := f.user("bob", core.RoleMember)
	if _, _, err := f.svc.ReportLink(f.ctx, bob, core.ReportQuery{From: monday, To: wednesday, Everyone: true}, "csv"); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("member's link to everyone's report: %v", err)
	}
}
