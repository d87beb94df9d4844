package parser

import (
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

// notifyCases are the notify commands: what a channel types to get events.
var notifyCases = []parseCase{
	{in: "notify", want: core.Notify{}},
	{in: "notify tracker.* time_entry.*", want: core.Notify{Events: []string{"tracker.*", "time_entry.*"}}},
	{in: "notify https://hooks.slack.com/services/T0/B0/XYZ project.*", want: core.Notify{URL: "https://hooks.slack.com/services/T0/B0/XYZ", Events: []string{"project.*"}}},
	{in: "notify https://hooks.slack.com/services/T0/B0/XYZ", want: core.Notify{URL: "https://hooks.slack.com/services/T0/B0/XYZ"}},
	{in: "notify project.created *.deleted webhook.* *", want: core.Notify{Events: []string{"project.created", "*.deleted", "webhook.*", "*"}}},
	{in: "notify task.track task.stop", want: core.Notify{Events: []string{"task.track", "task.stop"}}},
	{in: "NOTIFY Tracker.Started tracker.started", want: core.Notify{Events: []string{"tracker.started"}}},
	{in: "notify tracker.* HTTPS://chat.example.com/hooks/abc", want: core.Notify{URL: "HTTPS://chat.example.com/hooks/abc", Events: []string{"tracker.*"}}},
	// Slack sends a typed link as <URL> when it escapes links.
	{in: "notify <https://hooks.slack.com/services/T0/B0/XYZ> tracker.*", want: core.Notify{URL: "https://hooks.slack.com/services/T0/B0/XYZ", Events: []string{"tracker.*"}}},
	{in: "notify list", want: core.NotifyList{}},
	{in: "Notify List", want: core.NotifyList{}},
	{in: "notify off", want: core.NotifyOff{}},
	{in: "notify off 12", want: core.NotifyOff{ID: 12}},
	{in: "notify off #12", want: core.NotifyOff{ID: 12}},
	{in: "help notify", want: core.Help{Topic: "notify"}},
	{in: "help notify off", want: core.Help{Topic: "notify"}},

	{in: "notify fix login", err: &Error{Column: 8, Message: `"fix" is not an event filter`, Hint: filterHint, Example: "notify tracker.* time_entry.*"}},
	{in: "notify tracker", err: &Error{Column: 8, Message: `"tracker" is not an event filter`}},
	{in: "notify tracker.* #frontend", err: &Error{Column: 18, Message: `"#frontend" is not an event filter`}},
	{in: "notify tracker.started.x", err: &Error{Column: 8, Message: `"tracker.started.x" is not an event filter`}},
	{in: "notify https://a.test/x https://b.test/y", err: &Error{Column: 25, Message: "URL given twice"}},
	{in: "notify https:// tracker.*", err: &Error{Column: 8, Message: `"https://" is not a URL`}},
	{in: "notify tracker.* -- note", err: &Error{Column: 18, Message: `unexpected "--"`}},
	{in: "notify list tracker.*", err: &Error{Column: 13, Message: `unexpected "tracker.*"`, Example: "notify list"}},
	{in: "notify off x", err: &Error{Column: 12, Message: `"x" is not a subscription id`, Example: "notify off 12"}},
	{in: "notify off 0", err: &Error{Column: 12, Message: `"0" is not a subscription id`}},
	{in: "notify off 12 13", err: &Error{Column: 15, Message: `unexpected "13"`}},
}

func TestParseNotify(t *testing.T) {
	for _, tc := range notifyCases {
		t.Run(tc.in, func(t *testing.T) {
			checkParse(t, tc, func() (core.Command, error) { return Parse(tc.in) })
		})
	}
}

// TestNotifyIsAVerb checks that an implied verb gives way to notify, and
// that commandOf names the notify commands as core does.
func TestNotifyIsAVerb(t *testing.T) {
	for _, verb := range []string{"track", "log", "tt", ""} {
		cmd, err := ParseWithDefault("notify list", verb)
		if err != nil || cmd != (core.NotifyList{}) {
			t.Errorf("ParseWithDefault(notify list, %q) = %#v, %v", verb, cmd, err)
		}
	}
	for _, in := range []string{"notify", "notify tracker.*", "notify list", "notify off", "notify off 3"} {
		cmd, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if name, _ := commandOf(strings.Fields(in)); name != cmd.CommandName() {
			t.Errorf("commandOf(%q) = %q, want %q", in, name, cmd.CommandName())
		}
	}
	if !strings.Contains(commandList, "notify") {
		t.Errorf("commandList does not name notify: %s", commandList)
	}
}

// FuzzParseNotify fuzzes the arguments of notify: whatever follows the verb
// parses to a notify command or a *Error inside the text, never a panic, and
// a Notify holds only a URL and well-formed, lowercased filters.
func FuzzParseNotify(f *testing.F) {
	for _, tc := range notifyCases {
		f.Add(strings.TrimPrefix(strings.TrimPrefix(tc.in, "notify"), "NOTIFY"))
	}
	f.Fuzz(func(t *testing.T, args string) {
		text := "notify " + args
		cmd, err := Parse(text)
		checkResult(t, text, Normalize(text), cmd, err)
		n, ok := cmd.(core.Notify)
		if !ok {
			return
		}
		if n.URL != "" && !isURL(n.URL) {
			t.Fatalf("Parse(%q) URL %q", text, n.URL)
		}
		for _, e := range n.Events {
			if !filterRE.MatchString(e) || e != strings.ToLower(e) {
				t.Fatalf("Parse(%q) filter %q", text, e)
			}
		}
	})
}
