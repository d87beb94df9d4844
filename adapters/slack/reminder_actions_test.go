package slack_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/slack"
)

// A reminder's buttons: Log time says how to log, with the latest task as
// the example; Track continues the latest entry, a task-less one too, and
// says how to log when there is no entry at all.
func TestReminderButtons(t *testing.T) {
	e := newChatEnv(t, true)
	e.slash("U0ANA", channel, "status") // ana exists, with no entries
	if s := e.pressButton("U0ANA", slack.RemindTrackActionID, "track"); s != http.StatusOK {
		t.Fatalf("press: %d", s)
	}
	if got := e.slack.take("/response/U0ANA"); len(got) != 1 || !strings.Contains(got[0].Text, "Log today's time with `log 2h on TASK in PROJECT`") {
		t.Fatalf("track without entries: %+v", got)
	}

	if r := e.slash(steveID, channel, "log 1h in Website 3 days ago"); !strings.Contains(r, "Logged") {
		t.Fatalf("log: %s", r)
	}
	e.pressButton(steveID, slack.RemindLogActionID, "log")
	if got := e.slack.take("/response/" + steveID); len(got) != 1 || !strings.Contains(got[0].Text, "Log today's time with `log 2h on TASK in PROJECT`") {
		t.Fatalf("log hint without a task: %+v", got)
	}
	e.pressButton(steveID, slack.RemindTrackActionID, "track")
	if got := e.slack.take("/response/" + steveID); len(got) != 1 || !strings.Contains(got[0].Text, "started *Website*") {
		t.Fatalf("track after a task-less entry: %+v", got)
	}
	e.slash(steveID, channel, "stop")
	e.slash(steveID, channel, "log 1h on Specs in Website 2 days ago")
	e.pressButton(steveID, slack.RemindLogActionID, "log")
	if got := e.slack.take("/response/" + steveID); len(got) != 1 || !strings.Contains(got[0].Text, "log 2h on Specs in Website") {
		t.Fatalf("log hint: %+v", got)
	}
	// Track continues the entry that started last (the timer started
	// above), not the latest with a task.
	e.pressButton(steveID, slack.RemindTrackActionID, "track")
	if got := e.slack.take("/response/" + steveID); len(got) != 1 || !strings.Contains(got[0].Text, "started *Website*") {
		t.Fatalf("track: %+v", got)
	}
}
