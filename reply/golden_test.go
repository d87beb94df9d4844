package reply_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/reply"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the renderer's output")

// golden compares got with testdata/name.golden; -update rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./reply -run %s -update and review the diff):\n%s", path, t.Name(), got)
	}
}

// TestGoldenEcho renders the answers that echo what was understood (entry
// number, labels, note, times in the user's zone) and the answers of
// entries, who, edit entry, continue, reopen and report by …, in Slack's
// and Mattermost's dialects, into testdata/echo.golden.
func TestGoldenEcho(t *testing.T) {
	at := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC) // 16:00 in Berlin
	ana := core.User{ID: 2, Name: "ana", TimeZone: "Europe/Berlin"}
	la := core.User{ID: 3, Name: "bo", TimeZone: "America/Los_Angeles"}
	utc := core.User{ID: 4, Name: "cy <!channel>"}
	web := &core.Project{ID: 1, Name: "Website"}
	review := &core.Task{ID: 3, Name: "Code review", ProjectID: 1}
	ts := func(h, m int) time.Time { return time.Date(2026, 11, 18, h, m, 0, 0, time.UTC) }
	ptr := func(t time.Time) *time.Time { return &t }
	running := &core.TimeEntry{ID: 41, Start: ts(13, 2), Tags: []string{"review"}, Billable: true, Note: "PR 42"}
	previous := &core.TimeEntry{ID: 40, Start: ts(12, 0), End: ptr(ts(13, 2)), DurationSeconds: 62 * 60}
	night := &core.TimeEntry{ID: 7, Start: time.Date(2026, 11, 17, 20, 0, 0, 0, time.UTC), End: ptr(ts(0, 0)), DurationSeconds: 4 * 3600,
		Tags: []string{"ops", "a&b"}, Note: "<@U1> paged"}
	logged := &core.TimeEntry{ID: 12, Start: ts(8, 0), End: ptr(ts(10, 0)), DurationSeconds: 7200, Tags: []string{"docs"}, Billable: true, Note: "sprint review"}
	day := &core.EntryList{Title: "Wed 18 Nov 2026", From: time.Date(2026, 11, 17, 23, 0, 0, 0, time.UTC), To: ts(23, 0), Lines: []core.EntryLine{
		{Entry: *logged, Task: "Write specs", Project: "Website"},
		{Entry: core.TimeEntry{ID: 13, Start: ts(10, 0), End: ptr(ts(10, 30)), DurationSeconds: 1800}, Project: "Ops"},
		{Entry: *running, Task: "Code review", Project: "Website"},
	}}
	week := &core.EntryList{Title: "This week", From: time.Date(2026, 11, 15, 23, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC),
		Lines: []core.EntryLine{{Entry: *night, Task: "Night shift", Project: "Ops"}, {Entry: *logged, Task: "Write specs", Project: "Website"}}}
	whoList := &core.EntryList{Title: "Running now", Lines: []core.EntryLine{
		{Entry: *running, Task: "Code review", Project: "Website", User: "ana"},
		{Entry: core.TimeEntry{ID: 50, Start: ts(14, 30)}, Project: "Ops", User: "bo"},
	}}
	byTask := &core.Summary{Title: "Last month", By: core.ByTask, Team: true, Total: 10 * 3600, Rows: []core.SummaryRow{
		{Name: "Write specs", Project: "Website", Seconds: 6 * 3600, Share: 60},
		{Name: "Write specs", Project: "Docs", Seconds: 3 * 3600, Share: 30},
		{Name: "(no task)", Seconds: 3600, Share: 10},
	}}
	byTag := &core.Summary{Title: "This week", By: core.ByTag, Total: 3 * 3600, Rows: []core.SummaryRow{
		{Name: "review", Seconds: 2 * 3600, Share: 67}, {Name: "(no tag)", Seconds: 3600, Share: 33},
	}}

	many := &core.EntryList{Title: "Last week", From: time.Date(2026, 11, 8, 23, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 15, 23, 0, 0, 0, time.UTC)}
	for i := range reply.MaxListedEntries + 2 {
		start := time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC).Add(time.Duration(i) * 20 * time.Minute)
		e := core.TimeEntry{ID: core.ID(100 + i), Start: start, End: ptr(start.Add(15 * time.Minute)), DurationSeconds: 900}
		if i == 0 {
			e.Note = strings.Repeat("long note ", 20)
		}
		many.Lines = append(many.Lines, core.EntryLine{Entry: e, Project: "Ops"})
	}
	crowd := &core.EntryList{Title: "Running now"}
	for i := range reply.MaxListedEntries + 3 {
		crowd.Lines = append(crowd.Lines, core.EntryLine{Entry: core.TimeEntry{ID: core.ID(200 + i), Start: ts(14, i)}, User: fmt.Sprintf("user%d", i), Project: "Ops"})
	}
	cases := []struct {
		name string
		res  core.Result
	}{
		{"track with everything", core.Result{Command: "track", User: ana, At: at, Task: review, Project: web, Entry: running}},
		{"track stops the previous", core.Result{Command: "track", User: ana, At: at, Task: review, Project: web, Entry: running, Stopped: previous}},
		{"track in Los Angeles", core.Result{Command: "track", User: la, At: at, Task: review, Entry: &core.TimeEntry{ID: 42, Start: ts(17, 0)}}},
		{"continue", core.Result{Command: "continue", User: ana, At: at, Task: review, Project: web, Entry: running, Stopped: previous}},
		{"stop with note and tags", core.Result{Command: "stop", User: ana, At: at, StoppedTask: review, StoppedProject: web,
			Stopped: &core.TimeEntry{ID: 41, Start: ts(13, 2), End: ptr(at), DurationSeconds: 118 * 60, Tags: []string{"review"}, Billable: true, Note: "PR 42"}}},
		{"log with everything", core.Result{Command: "log", User: ana, At: at, Task: &core.Task{Name: "Write specs"}, Project: web, Entry: logged}},
		{"log across midnight", core.Result{Command: "log", User: ana, At: at, Project: &core.Project{Name: "Ops"}, Entry: night}},
		{"log in UTC, names escaped", core.Result{Command: "log", User: utc, At: at, Project: &core.Project{Name: "*Web* <b>"}, Entry: night}},
		{"edit entry", core.Result{Command: "edit entry", User: ana, At: at, Task: &core.Task{Name: "Write specs"}, Project: web, Entry: logged}},
		{"edit running entry", core.Result{Command: "edit entry", User: ana, At: at, Task: review, Project: web, Entry: running}},
		{"reopen task", core.Result{Command: "reopen task", Task: review, Project: web}},
		{"reopen project", core.Result{Command: "reopen project", Project: web}},
		{"entries of a day", core.Result{Command: "entries", User: ana, At: at, List: day}},
		{"entries of a week", core.Result{Command: "entries", User: ana, At: at, List: week}},
		{"entries, more than are listed", core.Result{Command: "entries", User: ana, At: at, List: many}},
		{"entries none", core.Result{Command: "entries", User: ana, At: at, List: &core.EntryList{Title: "Yesterday"}}},
		{"who", core.Result{Command: "who", User: la, At: at, List: whoList}},
		{"who, more than are listed", core.Result{Command: "who", User: ana, At: at, List: crowd}},
		{"who nobody", core.Result{Command: "who", User: ana, At: at, List: &core.EntryList{Title: "Running now"}}},
		{"report by task, team", core.Result{Command: "report", Report: byTask}},
		{"report by tag", core.Result{Command: "report", Report: byTag}},
	}
	var b bytes.Buffer
	for _, tc := range cases {
		fmt.Fprintf(&b, "== %s\n-- slack\n%s\n-- mattermost\n%s\n\n", tc.name, reply.Render(&tc.res, reply.Slack), reply.Render(&tc.res, reply.Markdown))
	}
	golden(t, "echo", b.Bytes())
}
