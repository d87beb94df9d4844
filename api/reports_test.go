package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

// reportEnv is the API on a temp SQLite store with a settable clock
// (Wednesday 2026-11-18 15:00 UTC), an admin (boss) and a member (mia)
// with entries this week, and PublicURL set to the test server's.
type reportEnv struct {
	t             *testing.T
	svc           *core.Service
	srv           *httptest.Server
	handler       http.Handler
	admin, member string
	boss, mia     core.User

	mu  sync.Mutex
	now time.Time
}

func (e *reportEnv) Now() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *reportEnv) add(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func newReportEnv(t testing.TB) *reportEnv {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &reportEnv{now: time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)}
	if tt, ok := t.(*testing.T); ok {
		e.t = tt
	}
	var h http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	e.svc = core.NewService(st, core.Options{Now: e.Now, PublicURL: e.srv.URL + "/"})
	r := mux.NewRouter()
	api.New(e.svc, api.Options{}).Register(r)
	h, e.handler = r, r
	t.Cleanup(func() {
		e.srv.Close()
		st.Close()
	})
	if e.admin, err = e.svc.BootstrapAdmin(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if e.boss, err = e.svc.Authenticate(ctx, e.admin); err != nil {
		t.Fatal(err)
	}
	boss := core.Actor{User: e.boss, Source: "test"}
	if e.member, e.mia, err = e.svc.IssueToken(ctx, boss, core.TokenRequest{User: "Mia"}); err != nil {
		t.Fatal(err)
	}
	mia := core.Actor{User: e.mia, Source: "test"}
	web, err := e.svc.CreateProject(ctx, boss, core.NewProject{Name: "Website"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateTag(ctx, boss, "review"); err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for _, in := range []struct {
		who   core.Actor
		start time.Time
		d     time.Duration
		proj  core.ID
		tags  []string
	}{
		{boss, monday, 2 * time.Hour, web.ID, nil},
		{mia, monday, time.Hour, web.ID, []string{"review"}},
		{mia, monday.Add(24 * time.Hour), 30 * time.Minute, 0, nil},
		{mia, monday.AddDate(0, 0, -7), time.Hour, web.ID, nil}, // last week
	} {
		end := in.start.Add(in.d)
		if _, err := e.svc.CreateEntry(ctx, in.who, core.NewEntry{ProjectID: in.proj, Start: in.start, End: &end, Tags: in.tags}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// get sends a GET with a bearer token (none when "") and headers.
func (e *reportEnv) get(path, token string, header ...string) (int, string, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	return rows
}

// TestReportsVisibility: a member's report is their own time, an admin's
// everyone's; JSON has one key per group_by field.
func TestReportsVisibility(t *testing.T) {
	e := newReportEnv(t)
	status, body, _ := e.get("/api/v1/reports?group_by=user,project", e.member)
	want := `{"from":"2026-11-16T00:00:00Z","to":"2026-11-23T00:00:00Z","group_by":["user","project"],"groups":[` +
		`{"user":"Mia","project":"Website","seconds":3600,"share":0.6667},{"user":"Mia","project":"","seconds":1800,"share":0.3333}],"total_seconds":5400}`
	if status != 200 || strings.TrimSpace(body) != want {
		t.Fatalf("member: %d\n got %s\nwant %s", status, body, want)
	}
	status, body, _ = e.get("/api/v1/reports?group_by=user", e.admin)
	var rep struct {
		Groups []map[string]any `json:"groups"`
		Total  int64            `json:"total_seconds"`
	}
	if err := json.Unmarshal([]byte(body), &rep); status != 200 || err != nil {
		t.Fatalf("admin: %d %s", status, body)
	}
	if rep.Total != 12600 || len(rep.Groups) != 2 || rep.Groups[0]["user"] != e.boss.Name || rep.Groups[1]["user"] != "Mia" {
		t.Fatalf("admin's report: %s", body)
	}
	// A member asking for the admin's entries as CSV gets none of them.
	status, body, _ = e.get("/api/v1/time-entries?format=csv&user_id="+e.boss.ID.String(), e.member)
	if rows := readCSV(t, body); status != 200 || len(rows) != 1 {
		t.Fatalf("member asking for the admin's entries: %d %q", status, body)
	}
}

// TestReportsCSV: format=csv and Accept: text/csv answer a header row and
// one row per group, adding up to the JSON's total.
func TestReportsCSV(t *testing.T) {
	e := newReportEnv(t)
	for _, tc := range []struct{ path, accept string }{
		{"/api/v1/reports?format=csv&group_by=project,tag&from=2026-11-16&to=2026-11-23", ""},
		{"/api/v1/reports?group_by=project,tag&from=2026-11-16&to=2026-11-23", "text/csv"},
	} {
		status, body, h := e.get(tc.path, e.member, "Accept", tc.accept)
		if status != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment; filename=report-") {
			t.Fatalf("%s: %d %v\n%s", tc.path, status, h, body)
		}
		want := "project,tag,seconds,hours\nWebsite,review,3600,1.00\n,,1800,0.50\n"
		if body != want {
			t.Fatalf("%s:\n got %q\nwant %q", tc.path, body, want)
		}
	}
	status, body, _ := e.get("/api/v1/reports?format=json", e.member, "Accept", "text/csv")
	if status != 200 || !strings.HasPrefix(body, "{") {
		t.Fatalf("format=json wins over Accept: %d %s", status, body)
	}
}

func TestTimeEntriesCSV(t *testing.T) {
	e := newReportEnv(t)
	status, body, h := e.get("/api/v1/time-entries?format=csv&from=2026-11-16", e.admin)
	if status != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("%d %v %s", status, h, body)
	}
	rows := readCSV(t, body)
	if strings.Join(rows[0], ",") != "id,user,project,task,start,end,seconds,billable,tags,note" || len(rows) != 4 {
		t.Fatalf("admin's entries this week:\n%s", body)
	}
	if got := strings.Join(rows[2][1:], ","); got != "Mia,Website,,2026-11-16T09:00:00Z,2026-11-16T10:00:00Z,3600,false,review," {
		t.Fatalf("row %q", got)
	}
	_, body, _ = e.get("/api/v1/time-entries?from=2026-11-01", e.member, "Accept", "text/csv")
	if rows := readCSV(t, body); len(rows) != 4 {
		t.Fatalf("member's entries (Accept: text/csv):\n%s", body)
	}
}

// TestReportsBadParameters: each bad parameter is a 400 that says which and
// why; no token is 401.
func TestReportsBadParameters(t *testing.T) {
	e := newReportEnv(t)
	for _, tc := range []struct {
		path   string
		status int
		reason string
	}{
		{"/api/v1/reports?from=yesterday", 400, `from \"yesterday\" is neither a date`},
		{"/api/v1/reports?to=2026-02-30", 400, `to \"2026-02-30\" is neither a date`},
		{"/api/v1/reports?from=2026-11-20&to=2026-11-19", 400, "must be after from"},
		{"/api/v1/reports?group_by=client", 400, `group_by \"client\" is not one of`},
		{"/api/v1/reports?group_by=user,user", 400, `names \"user\" twice`},
		{"/api/v1/reports?format=xml", 400, "format must be json or csv"},
		{"/api/v1/time-entries?format=pdf", 400, "format must be json or csv"},
		{"/api/v1/time-entries?format=csv&from=soon", 400, `from \"soon\" is neither a date`},
	} {
		status, body, _ := e.get(tc.path, e.member)
		if status != tc.status || !strings.Contains(body, tc.reason) || !strings.Contains(body, `"code":"invalid"`) {
			t.Errorf("%s: %d %s; want %d with %q", tc.path, status, body, tc.status, tc.reason)
		}
	}
	if status, body, h := e.get("/api/v1/reports", ""); status != 401 || h.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %s", status, body)
	}
}

// TestReportLink: chat's report … csv answers a link that opens the CSV
// without a token for 15 minutes (410 after), for that report and user
// only (403 for any change).
func TestReportLink(t *testing.T) {
	e := newReportEnv(t)
	ctx := context.Background()
	res, err := e.svc.Execute(ctx, core.Actor{User: e.mia, Source: "slack"}, core.Report{Period: core.Period{Kind: core.PeriodWeek}, CSV: true})
	if err != nil {
		t.Fatal(err)
	}
	link, err := url.Parse(res.Link)
	if err != nil || !strings.HasPrefix(res.Link, e.srv.URL+"/api/v1/reports?") {
		t.Fatalf("link %q: %v", res.Link, err)
	}
	path := link.RequestURI()
	status, body, h := e.get(path, "")
	if status != 200 || body != "project,seconds,hours\nWebsite,3600,1.00\n,1800,0.50\n" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("link: %d %v\n%s", status, h, body)
	}
	for name, change := range map[string]func(url.Values){
		"another user":   func(q url.Values) { q.Set("user", e.boss.ID.String()) },
		"another report": func(q url.Values) { q.Set("from", "2026-11-01T00:00:00Z") },
		"everyone":       func(q url.Values) { q.Set("team", "true") },
		"group_by":       func(q url.Values) { q.Set("group_by", "user") },
		"longer":         func(q url.Values) { q.Set("expires", "4102444800") },
		"extra":          func(q url.Values) { q.Set("user_id", "1") },
	} {
		q := link.Query()
		change(q)
		if status, body, _ := e.get("/api/v1/reports?"+q.Encode(), ""); status != 403 || !strings.Contains(body, "not valid") {
			t.Errorf("%s: %d %s, want 403", name, status, body)
		}
	}
	e.add(core.ReportLinkTTL - time.Second)
	if status, _, _ := e.get(path, ""); status != 200 {
		t.Fatalf("a second before expiry: %d", status)
	}
	e.add(time.Second)
	if status, body, _ := e.get(path, ""); status != 410 || !strings.Contains(body, "expired") {
		t.Fatalf("expired link: %d %s, want 410", status, body)
	}
}

// FuzzReportsQuery: whatever the query string and Accept header, GET
// /api/v1/reports and /api/v1/time-entries answer 200, 400, 403 or 410,
// never 500.
func FuzzReportsQuery(f *testing.F) {
	e := newReportEnv(f)
	for _, s := range []string{"", "from=2026-11-01&to=2026-11-30&group_by=user,project&format=csv", "group_by=tag&group_by=billable",
		"from=2026-11-18T09:00:00+01:00", "format=CSV", "from=0001-01-01&to=9999-12-31", "signature=00&user=1",
		"from=2026-11-16T00:00:00Z&to=2026-11-23T00:00:00Z&group_by=project&team=false&format=csv&user=2&expires=1795000000&signature=ab"} {
		f.Add(s, "")
	}
	f.Add("", "text/csv;q=0.9, application/json")
	f.Add("format=json", "text/csv")
	f.Fuzz(func(t *testing.T, s, accept string) {
		for _, path := range []string{"/api/v1/reports?", "/api/v1/time-entries?"} {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path, req.URL.RawQuery = strings.TrimSuffix(path, "?"), s
			req.Header.Set("Authorization", "Bearer "+e.member)
			req.Header.Set("Accept", accept)
			w := httptest.NewRecorder()
			e.handler.ServeHTTP(w, req)
			switch w.Code {
			case 200, 400, 403, 410:
			default:
				t.Fatalf("%s%s: %d %s", path, s, w.Code, w.Body)
			}
		}
	})
}
