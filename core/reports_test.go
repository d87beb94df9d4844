package core_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// randomEntries makes n entries around [from, to): some start before or end
// after it, some lie outside, some run, some have no project or task, some
// have repeated tags. Times are whole seconds, so that clipped counts
// as EntrySeconds does.
func randomEntries(r *rand.Rand, n int, from, to, now time.Time) []core.TimeEntry {
	span := to.Sub(from)
	tags := []string{"review", "bug", "=cmd", "ops", "Bug"}
	var es []core.TimeEntry
	for i := range n {
		start := from.Add(time.Duration(r.Int64N(int64(span+48*time.Hour))) - 24*time.Hour).Truncate(time.Second)
		e := core.TimeEntry{ID: core.ID(i + 1), UserID: core.ID(r.IntN(3) + 1), ProjectID: core.ID(r.IntN(4)),
			TaskID: core.ID(r.IntN(5)), Start: start, Billable: r.IntN(2) == 0}
		if r.IntN(10) > 0 || start.After(now) {
			end := start.Add(time.Duration(r.Int64N(int64(10 * time.Hour)))).Truncate(time.Second)
			e.End = &end
		}
		for range r.IntN(4) {
			e.Tags = append(e.Tags, tags[r.IntN(len(tags))])
		}
		es = append(es, e)
	}
	return es
}

// clipped is EntrySeconds written another way.
func clipped(e core.TimeEntry, from, to, now time.Time) int64 {
	end := now
	if e.End != nil {
		end = *e.End
	}
	lo, hi := max(e.Start.Unix(), from.Unix()), min(end.Unix(), to.Unix())
	if hi <= lo {
		return 0
	}
	return hi - lo
}

// TestGroupEntriesAddsUp is the property test of reports: over random
// entries and random groupings, the groups add up to the total (each tag
// of an entry counting it once when grouped by tag, in any case), the total
// is the entries' time in the span, every group is distinct (tags in any
// case), groups are sorted,
// and the CSV has a header row and one row per group with the same seconds.
func TestGroupEntriesAddsUp(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 34))
	names := core.ReportNames{
		Users:    map[core.ID]string{1: "ana", 2: "bo", 3: "-cy"},
		Projects: map[core.ID]string{1: "Website", 2: "Ops", 3: "@home"},
		Tasks:    map[core.ID]string{1: "Review", 2: "Deploy", 3: "Review", 4: "Fix, \"quoted\"\nline"},
	}
	for iter := range 500 {
		from := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(72)) * time.Hour)
		to := from.Add(time.Duration(1+r.IntN(200)) * time.Hour)
		now := from.Add(time.Duration(r.Int64N(int64(to.Sub(from) + 24*time.Hour)))).Truncate(time.Second)
		entries := randomEntries(r, r.IntN(40), from, to, now)
		fields := slices.Clone(core.GroupFields)
		r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
		q := core.ReportQuery{From: from, To: to, GroupBy: fields[:1+r.IntN(len(fields))]}
		rep := core.GroupEntries(entries, q, names, now)

		var total, weighted int64
		for _, e := range entries {
			s := clipped(e, from, to, now)
			total += s
			keys := map[string]bool{} // a tag counts once in any case
			for _, tag := range e.Tags {
				keys[core.NameKey(tag)] = true
			}
			n := int64(len(keys))
			if !slices.Contains(q.GroupBy, core.GroupTag) || n == 0 {
				n = 1
			}
			weighted += s * n
		}
		var sum int64
		seen := map[string]bool{}
		for i, g := range rep.Groups {
			sum += g.Seconds
			if g.Seconds <= 0 || g.Share < 0 || g.Share > 1 {
				t.Fatalf("iter %d: group %+v", iter, g)
			}
			var key []string
			for _, f := range q.GroupBy {
				key = append(key, g.Value(f))
			}
			k := strings.ToLower(strings.Join(key, "\x00"))
			if seen[k] {
				t.Fatalf("iter %d: group %q twice", iter, key)
			}
			seen[k] = true
			if i > 0 && rep.Groups[i-1].Seconds < g.Seconds {
				t.Fatalf("iter %d: groups not sorted by seconds: %+v", iter, rep.Groups)
			}
		}
		if rep.TotalSeconds != total || sum != weighted {
			t.Fatalf("iter %d (group by %v): total %d, groups add to %d; want total %d, groups %d", iter, q.GroupBy, rep.TotalSeconds, sum, total, weighted)
		}

		var buf bytes.Buffer
		if err := core.WriteReportCSV(&buf, rep); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("iter %d: CSV does not read back: %v\n%s", iter, err, buf.String())
		}
		wantHeader := append(slices.Clone(q.GroupBy), "seconds", "hours")
		if !slices.Equal(rows[0], wantHeader) || len(rows) != len(rep.Groups)+1 {
			t.Fatalf("iter %d: CSV header %v and %d rows, want %v and %d", iter, rows[0], len(rows)-1, wantHeader, len(rep.Groups))
		}
		var csvSum int64
		for i, row := range rows[1:] {
			n, err := strconv.ParseInt(row[len(q.GroupBy)], 10, 64)
			if err != nil || n != rep.Groups[i].Seconds {
				t.Fatalf("iter %d: CSV row %v, want seconds %d", iter, row, rep.Groups[i].Seconds)
			}
			csvSum += n
		}
		if csvSum != weighted {
			t.Fatalf("iter %d: CSV seconds add to %d, want %d", iter, csvSum, weighted)
		}
	}
}

func TestReportTotalsJSON(t *testing.T) {
	end := func(t time.Time) *time.Time { return &t }
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	es := []core.TimeEntry{
		{UserID: 1, ProjectID: 1, Start: from.Add(9 * time.Hour), End: end(from.Add(10 * time.Hour)), Billable: true, Tags: []string{"a", "b"}},
		{UserID: 1, Start: from.Add(11 * time.Hour), End: end(from.Add(11*time.Hour + 30*time.Minute))},
		{UserID: 1, ProjectID: 1, Start: from.Add(-time.Hour), End: end(from.Add(time.Hour))}, // half in the span
	}
	names := core.ReportNames{Users: map[core.ID]string{1: "ana"}, Projects: map[core.ID]string{1: "Website"}}
	rep := core.GroupEntries(es, core.ReportQuery{From: from, To: from.Add(24 * time.Hour), GroupBy: []string{"project", "billable"}}, names, from.Add(48*time.Hour))
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"from":"2026-11-16T00:00:00Z","to":"2026-11-17T00:00:00Z","group_by":["project","billable"],"groups":[` +
		`{"project":"Website","billable":false,"seconds":3600,"share":0.4},` +
		`{"project":"Website","billable":true,"seconds":3600,"share":0.4},` +
		`{"project":"","billable":false,"seconds":1800,"share":0.2}],"total_seconds":9000}`
	if string(b) != want {
		t.Fatalf("JSON\n got %s\nwant %s", b, want)
	}
	var buf bytes.Buffer
	rep = core.GroupEntries(es, core.ReportQuery{From: from, To: from.Add(24 * time.Hour), GroupBy: []string{"tag"}}, names, from)
	if err := core.WriteReportCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if want := "tag,seconds,hours\n,5400,1.50\na,3600,1.00\nb,3600,1.00\n"; buf.String() != want {
		t.Fatalf("CSV\n got %q\nwant %q", buf.String(), want)
	}
}

func TestWriteCSVKeepsFormulasText(t *testing.T) {
	var buf bytes.Buffer
	start := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	row := core.EntryRow{Entry: core.TimeEntry{ID: 7, Start: start, Tags: []string{"=x", "ok"}, Note: "@SUM(A1), \"q\""},
		User: "+ana", Project: "-p", Task: "t", Seconds: 60}
	if err := core.WriteEntriesCSV(&buf, []core.EntryRow{row}); err != nil {
		t.Fatal(err)
	}
	want := "id,user,project,task,start,end,seconds,billable,tags,note\n" +
		"7,'+ana,'-p,t,2026-11-16T09:00:00Z,,60,false,'=x;ok,\"'@SUM(A1), \"\"q\"\"\"\n"
	if buf.String() != want {
		t.Fatalf("CSV\n got %q\nwant %q", buf.String(), want)
	}
}

func TestParseReportQuery(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC) // a Wednesday
	monday := time.Date(2026, 11, 16, 0, 0, 0, 0, berlin).UTC()
	for _, tc := range []struct {
		query    string
		from, to time.Time
		groupBy  []string
		err      string
	}{
		{"", monday, monday.AddDate(0, 0, 7), []string{"project"}, ""},
		{"from=2026-11-01&to=2026-11-30&group_by=user,Project", time.Date(2026, 11, 1, 0, 0, 0, 0, berlin).UTC(),
			time.Date(2026, 11, 30, 0, 0, 0, 0, berlin).UTC(), []string{"user", "project"}, ""},
		{"from=2026-11-18T09:00:00+01:00&to=2026-11-18T10:00:00Z&group_by=tag&group_by=billable",
			time.Date(2026, 11, 18, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC), []string{"tag", "billable"}, ""},
		{"from=2026-11-18T09:00:00 01:00&to=2026-11-19", time.Date(2026, 11, 18, 8, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 19, 0, 0, 0, 0, berlin).UTC(), []string{"project"}, ""}, // an unescaped '+'
		{"from=yesterday", time.Time{}, time.Time{}, nil, `from "yesterday" is neither a date`},
		{"to=2026-13-01", time.Time{}, time.Time{}, nil, `to "2026-13-01" is neither a date`},
		{"from=2026-11-20&to=2026-11-20", time.Time{}, time.Time{}, nil, "must be after from"},
		{"from=2026-12-01", time.Time{}, time.Time{}, nil, "must be after from"},
		{"from=2026-11-01&from=2026-11-02", time.Time{}, time.Time{}, nil, "from is given 2 times"},
		{"group_by=client", time.Time{}, time.Time{}, nil, `group_by "client" is not one of user, project, task, tag, billable`},
		{"group_by=user,,task", time.Time{}, time.Time{}, nil, "empty field"},
		{"group_by=user&group_by=user", time.Time{}, time.Time{}, nil, `names "user" twice`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			rq, err := core.ParseReportQuery(q, now, berlin)
			if tc.err != "" {
				if core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), tc.err) {
					t.Fatalf("error %v, want invalid containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !rq.From.Equal(tc.from) || !rq.To.Equal(tc.to) || !slices.Equal(rq.GroupBy, tc.groupBy) {
				t.Fatalf("got %v – %v by %v, want %v – %v by %v", rq.From, rq.To, rq.GroupBy, tc.from, tc.to, tc.groupBy)
			}
		})
	}
}

// FuzzParseReportQuery: whatever the query string, the decoder answers a
// valid query or an invalid error, never a panic or another error.
func FuzzParseReportQuery(f *testing.F) {
	for _, s := range []string{"", "from=2026-11-01&to=2026-11-30&group_by=user,project", "from=2026-11-18T09:00:00+01:00",
		"group_by=tag&group_by=billable", "to=0000-01-01", "from=9999-12-31T23:59:59Z", "group_by=,", "from=%ff"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		rq, err := core.ParseReportQuery(q, now, time.UTC)
		if err != nil {
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if !rq.To.After(rq.From) || len(rq.GroupBy) == 0 || core.CheckGroupBy(rq.GroupBy) != nil {
			t.Fatalf("accepted %+v", rq)
		}
	})
}

// TestReportTotalsVisibility: a member's report is their own and they may
// not ask for everyone's; an admin's covers everyone.
func TestReportTotalsVisibility(t *testing.T) {
	f := newFixture(t)
	admin := f.user("ada", core.RoleAdmin)
	member := f.user("bob", core.RoleMember)
	day := time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC)
	for i, a := range []core.Actor{admin, member, member} {
		end := day.Add(time.Duration(i+1) * time.Hour)
		if _, err := f.svc.CreateEntry(f.ctx, a, core.NewEntry{Start: end.Add(-30 * time.Minute), End: &end}); err != nil {
			t.Fatal(err)
		}
	}
	q := core.ReportQuery{From: day, To: day.Add(24 * time.Hour), GroupBy: []string{"user"}}
	rep, err := f.svc.ReportTotals(f.ctx, member, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].User != "bob" || rep.TotalSeconds != 3600 {
		t.Fatalf("member's report: %+v", rep)
	}
	q.Everyone = true
	if _, err := f.svc.ReportTotals(f.ctx, member, q); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("member asking for everyone: %v, want forbidden", err)
	}
	rep, err = f.svc.ReportTotals(f.ctx, admin, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].User != "bob" || rep.Groups[1].User != "ada" || rep.TotalSeconds != 5400 {
		t.Fatalf("admin's report: %+v", rep)
	}
	rows, err := f.svc.EntryRows(f.ctx, member, core.EntryFilter{})
	if err != nil || len(rows) != 2 || rows[0].User != "bob" || rows[0].Seconds != 1800 {
		t.Fatalf("member's entry rows: %+v, %v", rows, err)
	}
	if rows, err := f.svc.EntryRows(f.ctx, member, core.EntryFilter{UserID: admin.User.ID}); err != nil || len(rows) != 0 {
		t.Fatalf("member asking for the admin's entries: %+v, %v", rows, err)
	}
}

// TestReportsReadEveryPage: reports and entry rows read past the store's
// largest page (MaxPageLimit), so nothing is left out.
func TestReportsReadEveryPage(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	day := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	n := core.MaxPageLimit + 1
	err := f.store.Update(f.ctx, func(tx core.Tx) error {
		for i := range n {
			start := day.Add(time.Duration(i) * time.Minute)
			end := start.Add(time.Minute)
			e := core.TimeEntry{WorkspaceID: ana.User.WorkspaceID, UserID: ana.User.ID, Start: start, End: &end,
				DurationSeconds: 60, Source: "test", CreatedAt: start, UpdatedAt: start}
			if err := tx.CreateEntry(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.svc.EntryRows(f.ctx, ana, core.EntryFilter{})
	if err != nil || len(rows) != n {
		t.Fatalf("entry rows: %d, %v; want %d", len(rows), err, n)
	}
	rep, err := f.svc.ReportTotals(f.ctx, ana, core.ReportQuery{From: day, To: day.AddDate(0, 0, 7)})
	if err != nil || rep.TotalSeconds != int64(n*60) || len(rep.Groups) != 1 || rep.Groups[0].Project != "" {
		t.Fatalf("report: %+v, %v", rep, err)
	}
}
