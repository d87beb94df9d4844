package slack_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	slackgo "github.com/slack-go/slack"
)

func projectNearMiss() *core.NearMiss {
	asked := core.Track{Task: "Fix bug", Project: "Web", Tags: []string{"ui"}}
	use := asked
	use.Project = "Website"
	return &core.NearMiss{Kind: "project", Name: "Web", Existing: "Website", Use: use, Again: asked, Create: core.AddProject{Project: "Web"}}
}

func taskNearMiss() *core.NearMiss {
	asked := core.Log{Amount: core.Amount{Duration: 90 * time.Minute}, Task: "Fix <bgu>", Project: "Website", When: core.Day{Kind: core.DayYesterday}}
	use := asked
	use.Task = "Fix bug"
	return &core.NearMiss{Kind: "task", Name: "Fix <bgu>", Existing: "Fix bug", Project: "Website", Use: use, Again: asked,
		Create: core.AddTask{Task: "Fix <bgu>", Project: "Website"}}
}

// buttons returns the action ids and values of a message's buttons.
func buttons(t *testing.T, m *slackgo.Msg) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, b := range m.Blocks.BlockSet {
		if ab, ok := b.(*slackgo.ActionBlock); ok {
			for _, e := range ab.Elements.ElementSet {
				btn := e.(*slackgo.ButtonBlockElement)
				out[btn.ActionID] = btn.Value
			}
		}
	}
	return out
}

func TestNearMissMessageGolden(t *testing.T) {
	for name, nm := range map[string]*core.NearMiss{"nearmiss.project.json": projectNearMiss(), "nearmiss.task.json": taskNearMiss()} {
		m := slack.NearMissMessage(nm)
		if m.ResponseType != slackgo.ResponseTypeEphemeral {
			t.Errorf("%s: a question is the asker's alone", name)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name, b)
		// The buttons run the use and create commands.
		bs := buttons(t, m)
		cmd, confirmed, err := slack.DecodeNearAction(bs[slack.NearUseActionID])
		if err != nil || !reflect.DeepEqual(cmd, nm.Use) || confirmed != nil {
			t.Errorf("%s: use button runs %#v %v (%v)", name, cmd, confirmed, err)
		}
		cmd, confirmed, err = slack.DecodeNearAction(bs[slack.NearCreateActionID])
		if err != nil || !reflect.DeepEqual(cmd, nm.Again) || len(confirmed) != 1 || confirmed[0] != nm.ConfirmKey() {
			t.Errorf("%s: create button runs %#v %v (%v)", name, cmd, confirmed, err)
		}
	}
	// No way to create a task without a project: one button.
	nm := taskNearMiss()
	nm.Create, nm.Project = nil, ""
	if bs := buttons(t, slack.NearMissMessage(nm)); len(bs) != 1 || bs[slack.NearUseActionID] == "" {
		t.Errorf("buttons %v", bs)
	}
	// A note too long for a button's value: spelled out only.
	nm = projectNearMiss()
	long := nm.Use.(core.Track)
	long.Note = strings.Repeat("n", 3000)
	nm.Use, nm.Again = long, long
	m := slack.NearMissMessage(nm)
	if bs := buttons(t, m); len(bs) != 0 {
		t.Errorf("buttons with a 3000-character note: %v", bs)
	}
	if !strings.Contains(m.Blocks.BlockSet[len(m.Blocks.BlockSet)-1].(*slackgo.ContextBlock).ContextElements.Elements[0].(*slackgo.TextBlockObject).Text, "add project Web") {
		t.Error("the ways out are not spelled out")
	}
}

func TestNearMissOfCloseHasOneButton(t *testing.T) {
	nm := &core.NearMiss{Kind: "project", Name: "Websit", Existing: "Website", Use: core.CloseProject{Project: "Website"}, Again: core.CloseProject{Project: "Websit"}}
	m := slack.NearMissMessage(nm)
	bs := buttons(t, m)
	cmd, confirmed, err := slack.DecodeNearAction(bs[slack.NearUseActionID])
	if len(bs) != 1 || err != nil || cmd != (core.CloseProject{Project: "Website"}) || confirmed != nil {
		t.Fatalf("buttons %v: %#v %v", bs, cmd, err)
	}
	b, _ := json.Marshal(m)
	if !strings.Contains(string(b), `"Close Website"`) || !strings.Contains(string(b), "Or type `close project Website`.") {
		t.Errorf("close near miss: %s", b)
	}
}

func TestUndoButtonGolden(t *testing.T) {
	at := time.Date(2026, 11, 18, 14, 2, 0, 0, time.UTC)
	res := &core.Result{Command: "track", Public: true, User: core.User{ID: 1, Name: "ana", TimeZone: "UTC"}, At: at,
		Entry:   &core.TimeEntry{ID: 41, Start: at},
		Task:    &core.Task{ID: 7, Name: "Fix bug"},
		Project: &core.Project{ID: 3, Name: "Web"},
		Events:  []string{core.EventProjectCreated, core.EventTaskCreated, core.EventTrackerStarted}}
	m := slack.ResultMessage(res)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "undo.track.json", b)
	if got := buttons(t, m)[slack.UndoActionID]; got != "entry:41" {
		t.Errorf("undo value %q", got)
	}
	// Nothing new: no Undo button.
	res.Events = []string{core.EventTrackerStarted}
	if bs := buttons(t, slack.ResultMessage(res)); len(bs) != 0 {
		t.Errorf("buttons %v", bs)
	}
	// add project: undo names the project.
	res = &core.Result{Command: "add project", Project: &core.Project{ID: 3, Name: "Web"}, Events: []string{core.EventProjectCreated}}
	if got := buttons(t, slack.ResultMessage(res))[slack.UndoActionID]; got != "project:3" {
		t.Errorf("undo value %q", got)
	}
}

func TestDecodeActionsRefuse(t *testing.T) {
	for _, v := range []string{"", "{", `{"verb":"stop","cmd":{}}`, `{"verb":"track","cmd":{"task":"x","extra":1}}`,
		`{"verb":"track","cmd":{"task":"x"},"confirm":"user:1"}`, `{"verb":"log","cmd":{"amount":{},"end":"2026-01-01T00:00:00Z"}}`,
		`{"verb":"track","cmd":{"task":"x"}} {}`, `{"verb":"track","cmd":{"task":"x"},"more":1}`} {
		if cmd, _, err := slack.DecodeNearAction(v); err == nil {
			t.Errorf("%q decoded as %#v", v, cmd)
		}
	}
	for _, v := range []string{"", "entry", "entry:", "entry:x", "user:1", "entry:-1", "task:0"} {
		if k, id, err := slack.DecodeUndoAction(v); err == nil {
			t.Errorf("%q decoded as %s %d", v, k, id)
		}
	}
	if k, id, err := slack.DecodeUndoAction("task:12"); err != nil || k != "task" || id != 12 {
		t.Errorf("task:12: %s %d %v", k, id, err)
	}
}

// FuzzDecodeNearAction checks that any value decodes or fails without a
// panic, and that what it accepts is a track, log, close or an edit of
// one entry, and confirms at most a project or task key.
func FuzzDecodeNearAction(f *testing.F) {
	for _, nm := range []*core.NearMiss{projectNearMiss(), taskNearMiss(), editNearMiss()} {
		v, _ := slack.EncodeNearAction(nm.Use, "")
		f.Add(v)
		v, _ = slack.EncodeNearAction(nm.Again, nm.ConfirmKey())
		f.Add(v)
	}
	f.Add(`{"verb":"log","cmd":{"amount":{"range":true,"from":"09:00","to":"25:00"}}}`)
	f.Add(`{"verb":"track","cmd":null}`)
	f.Add(`{"verb":"close task","cmd":{"task":"Fix bug","project":"Website"}}`)
	f.Add(`{"verb":"reopen task","cmd":{"task":"Fix bug","project":"Website"}}`)
	f.Fuzz(func(t *testing.T, value string) {
		cmd, confirmed, err := slack.DecodeNearAction(value)
		if err != nil {
			return
		}
		switch c := cmd.(type) {
		case core.Track, core.Log, core.CloseProject, core.CloseTask, core.ReopenProject, core.ReopenTask:
		case core.EditEntry:
			if c.Last == (c.ID > 0) || c.ID < 0 {
				t.Fatalf("an edit of no entry or two: %#v", c)
			}
		default:
			t.Fatalf("decoded %T", cmd)
		}
		for _, k := range confirmed {
			if !strings.HasPrefix(k, "project:") && !strings.HasPrefix(k, "task:") {
				t.Fatalf("confirms %q", k)
			}
		}
	})
}

// FuzzDecodeUndoAction checks that any value decodes or fails without a
// panic, and that what it accepts names a kind and a positive id.
func FuzzDecodeUndoAction(f *testing.F) {
	f.Add("entry:41")
	f.Add("project:3")
	f.Add("task:")
	f.Fuzz(func(t *testing.T, value string) {
		kind, id, err := slack.DecodeUndoAction(value)
		if err != nil {
			return
		}
		if id <= 0 || (kind != core.UndoOfEntry && kind != core.UndoOfProject && kind != core.UndoOfTask) {
			t.Fatalf("%q: %s %d", value, kind, id)
		}
	})
}
