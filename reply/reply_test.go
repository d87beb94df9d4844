package reply_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/reply"
)

func TestText(t *testing.T) {
	at := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)
	end := at.Add(-25 * time.Minute)
	ana := core.User{ID: 2, Name: "ana", TimeZone: "Europe/Berlin"}
	web := &core.Project{ID: 1, Name: "Website"}
	fix := &core.Task{ID: 3, Name: "Fix login", ProjectID: 1}
	finished := &core.TimeEntry{ID: 12, Start: end.Add(-time.Hour), End: &end, DurationSeconds: 3600}
	running := &core.TimeEntry{ID: 13, Start: at.Add(-20 * time.Minute)}
	stopped := &core.TimeEntry{ID: 11, Start: at.Add(-95 * time.Minute), End: &at, DurationSeconds: 95 * 60}
	sub := core.Subscription{ID: 4, Events: json.RawMessage(`["tracker.*","task.*"]`), Status: "active"}

	for _, tc := range []struct {
		name string
		res  core.Result
		want string
	}{
		{"tz shown", core.Result{Command: "tz", User: ana, At: at},
			"🕒 Your time zone is *Europe/Berlin* (16:00 CET there). Change it with `tz Europe/Berlin` or `tz new york`."},
		{"tz set", core.Result{Command: "tz", User: ana, At: at, Changed: true},
			"🕒 Your time zone is now *Europe/Berlin* (16:00 CET there). Times you log and see are in it."},
		{"track", core.Result{Command: "track", User: ana, Task: fix, Project: web, Entry: running},
			"⏱ ana started *Fix login* in *Website* (entry #13, 15:40 CET)"},
		{"track stops", core.Result{Command: "track", User: ana, Task: fix, Entry: running, Stopped: stopped},
			"⏱ ana started *Fix login* (entry #13, 15:40 CET; stopped #11 after 1h 35m)"},
		{"continue an entry without a task", core.Result{Command: "continue", User: ana, Project: web, Entry: running},
			"⏱ ana started *Website* (entry #13, 15:40 CET)"},
		{"stop", core.Result{Command: "stop", User: ana, Stopped: stopped, StoppedTask: fix, StoppedProject: web},
			"⏹ ana stopped *Fix login* in *Website* after 1h 35m (entry #11, 14:25–16:00 CET)"},
		{"stop without task", core.Result{Command: "stop", User: ana, Stopped: stopped},
			"⏹ ana stopped an entry without a task after 1h 35m (entry #11, 14:25–16:00 CET)"},
		{"add task", core.Result{Command: "add task", Task: fix, Project: web}, "Added task *Fix login* in *Website*"},
		{"close task", core.Result{Command: "close task", Task: fix}, "Closed task *Fix login*"},
		{"add project", core.Result{Command: "add project", Project: web}, "Added project *Website*"},
		{"add project for", core.Result{Command: "add project", Project: web, Client: &core.Client{Name: "Acme"}}, "Added project *Website* for *Acme*"},
		{"close project", core.Result{Command: "close project", Project: web}, "Closed project *Website*"},
		{"log in the user's zone", core.Result{Command: "log", User: ana, Entry: finished, Project: web},
			"Logged 1h on *Website*, Wed 18 Nov 14:35–15:35 CET (entry #12)"},
		{"log from a commit", core.Result{Command: "log", User: ana, Entry: finished, Task: fix, Project: web, FromCommit: true},
			"Logged 1h on *Fix login* in *Website*, ending Wed 18 Nov 14:35 UTC (entry #12)"},
		{"delete entry", core.Result{Command: "delete entry", User: ana, Entry: finished, At: at}, "Deleted entry #12 (1h, Wed 18 Nov 14:35–15:35 CET)"},
		{"delete running entry", core.Result{Command: "delete entry", User: ana, Entry: running, At: at}, "Deleted entry #13 (20m, Wed 18 Nov 15:40 CET)"},
		{"undo", core.Result{Command: "undo", Undone: "log"}, "Undid your last change (log)"},
		{"status", core.Result{Command: "status", User: ana, Report: &core.Summary{Title: "Today", Total: 5400,
			Running: &core.RunningTimer{Task: "Fix login", Project: "Website", Seconds: 1200, Entry: *running},
			Rows:    []core.SummaryRow{{Name: "Website", Project: "Website", Seconds: 3600, Share: 67}, {Name: "(no project)", Seconds: 1800, Share: 33}}}},
			"⏱ Running: *Fix login* in *Website* for 20m, since 15:40 CET (entry #13)\n*Today*: 1h 30m\n• Website: 1h (67%)\n• (no project): 30m (33%)"},
		{"report", core.Result{Command: "report", Report: &core.Summary{Title: "This week"}}, "No timer running.\n*This week*: 0s"},
		{"notify", core.Result{Command: "notify", Subscriptions: []core.Subscription{sub}, Filters: []string{"tracker.*", "task.*"}},
			"🔔 This channel now gets tracker.*, task.* (subscription #4). `notify off 4` stops it."},
		{"notify list", core.Result{Command: "notify list", Subscriptions: []core.Subscription{sub}},
			"This channel's notifications:\n• #4 tracker.*, task.*: active"},
		{"notify list empty", core.Result{Command: "notify list"}, "This channel has no notifications. Start them with `notify`."},
		{"notify off", core.Result{Command: "notify off", Removed: 2}, "🔕 Removed 2 of this channel's subscriptions."},
		{"notify off none", core.Result{Command: "notify off"}, "This channel had no notifications."},
		{"issue opened", core.Result{Command: "issue opened", Task: fix, Project: web}, "Added task *Fix login* in *Website*"},
		{"issue closed", core.Result{Command: "issue closed", Task: fix, Project: web}, "Closed task *Fix login* in *Website*"},
		{"issue reopened", core.Result{Command: "issue reopened", Task: fix}, "Reopened task *Fix login*"},
		{"issue unchanged", core.Result{Command: "issue closed", Task: fix, Unchanged: true}, "Nothing to do for task *Fix login*"},
		{"no answer", core.Result{Command: "map repository"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reply.Text(&tc.res); got != tc.want {
				t.Errorf("Text = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	all := reply.Text(&core.Result{Command: "help"})
	if !strings.HasPrefix(all, "Commands:\n• `track TASK") || !strings.HasSuffix(all, "More: `help COMMAND`.") {
		t.Errorf("help = %q", all)
	}
	for _, verb := range []string{"track", "stop", "log", "add task", "close task", "add project", "close project", "delete entry", "status", "report", "undo", "notify", "help",
		"entries", "edit entry", "continue", "reopen", "who"} {
		if !strings.Contains(all, "\n• `"+verb) {
			t.Errorf("help does not list %s", verb)
		}
	}
	log := reply.Text(&core.Result{Command: "help", Topic: " LOG "})
	if !strings.HasPrefix(log, "`log AMOUNT") || !strings.Contains(log, "\nExamples:\n• `log 1h30m") {
		t.Errorf("help log = %q", log)
	}
	for topic, prefix := range map[string]string{"entries": "`entries [WHEN", "edit entry": "`edit entry ID|last", "continue": "`continue [ID]",
		"reopen": "`reopen task TASK", "who": "`who`", "report": "`report [today"} {
		if got := reply.Text(&core.Result{Command: "help", Topic: topic}); !strings.HasPrefix(got, prefix) || !strings.Contains(got, "\nExamples:\n• `") {
			t.Errorf("help %s = %q", topic, got)
		}
	}
	if got := reply.Text(&core.Result{Command: "help", Topic: "bogus"}); !strings.HasPrefix(got, `No help for "bogus". Commands:`) {
		t.Errorf("help bogus = %q", got)
	}
}
