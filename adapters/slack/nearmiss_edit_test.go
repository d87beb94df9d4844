package slack_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
)

func editNearMiss() *core.NearMiss {
	note := "moved"
	asked := core.EditEntry{ID: 41, Task: "Fix bug", Project: "Web", Note: &note}
	use := asked
	use.Project = "Website"
	return &core.NearMiss{Kind: "project", Name: "Web", Existing: "Website", Use: use, Again: asked, Create: core.AddProject{Project: "Web"}}
}

// TestNearMissOfEditHasBothButtons checks that an edit entry's near miss
// has a button for each way out, each running the edit it names, and the
// two ways spelled out.
func TestNearMissOfEditHasBothButtons(t *testing.T) {
	nm := editNearMiss()
	m := slack.NearMissMessage(nm)
	bs := buttons(t, m)
	if len(bs) != 2 {
		t.Fatalf("buttons %v", bs)
	}
	cmd, confirmed, err := slack.DecodeNearAction(bs[slack.NearUseActionID])
	if err != nil || !reflect.DeepEqual(cmd, nm.Use) || confirmed != nil {
		t.Errorf("use button runs %#v %v (%v)", cmd, confirmed, err)
	}
	cmd, confirmed, err = slack.DecodeNearAction(bs[slack.NearCreateActionID])
	if err != nil || !reflect.DeepEqual(cmd, nm.Again) || len(confirmed) != 1 || confirmed[0] != core.ConfirmProject("Web") {
		t.Errorf("create button runs %#v %v (%v)", cmd, confirmed, err)
	}
	b, _ := json.Marshal(m)
	for _, want := range []string{`"Edit in Website"`, `"Create \"Web\""`, "Or type `edit entry #41 on \\\"Fix bug\\\" in Website -- moved`, or `add project Web` then the command again."} {
		if !strings.Contains(string(b), want) {
			t.Errorf("message lacks %s:\n%s", want, b)
		}
	}
	// A task: the button says so.
	nm.Kind, nm.Name, nm.Existing, nm.Project = "task", "Fix bgu", "Fix bug", "Website"
	if b, _ := json.Marshal(slack.NearMissMessage(nm)); !strings.Contains(string(b), `"Edit on Fix bug"`) {
		t.Errorf("task label: %s", b)
	}
}

func TestDecodeEditActionRefuses(t *testing.T) {
	for _, v := range []string{
		`{"verb":"edit entry","cmd":{"task":"x"}}`,                      // no entry
		`{"verb":"edit entry","cmd":{"id":"-3","task":"x"}}`,            // no entry
		`{"verb":"edit entry","cmd":{"id":"3","last":true,"task":"x"}}`, // two entries
		`{"verb":"edit entry","cmd":{"id":"3","task":"x","user":1}}`,    // unknown field
	} {
		if cmd, _, err := slack.DecodeNearAction(v); err == nil {
			t.Errorf("%q decoded as %#v", v, cmd)
		}
	}
}

// TestUndoButtonOfEdit checks that the Undo button of an edit that made a
// name names that name: an edit's change holds no new entry to find it by.
func TestUndoButtonOfEdit(t *testing.T) {
	res := &core.Result{Command: "edit entry", User: core.User{ID: 1, Name: "ana", TimeZone: "UTC"},
		Entry:   &core.TimeEntry{ID: 41},
		Task:    &core.Task{ID: 7, Name: "Review"},
		Project: &core.Project{ID: 3, Name: "Web"},
		Events:  []string{core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryUpdated}}
	if got := buttons(t, slack.ResultMessage(res))[slack.UndoActionID]; got != "project:3" {
		t.Errorf("undo value %q, want project:3", got)
	}
	res.Events = []string{core.EventTaskCreated, core.EventTimeEntryUpdated}
	if got := buttons(t, slack.ResultMessage(res))[slack.UndoActionID]; got != "task:7" {
		t.Errorf("undo value %q, want task:7", got)
	}
}

// TestNearMissOfReopenHasOneButton checks that reopen offers only the
// existing name, as a button that reopens it.
func TestNearMissOfReopenHasOneButton(t *testing.T) {
	nm := &core.NearMiss{Kind: "task", Name: "Fix bgu", Existing: "Fix bug", Project: "Website",
		Use: core.ReopenTask{Task: "Fix bug", Project: "Website"}, Again: core.ReopenTask{Task: "Fix bgu", Project: "Website"}}
	m := slack.NearMissMessage(nm)
	bs := buttons(t, m)
	cmd, confirmed, err := slack.DecodeNearAction(bs[slack.NearUseActionID])
	if len(bs) != 1 || err != nil || cmd != nm.Use || confirmed != nil {
		t.Fatalf("buttons %v: %#v %v", bs, cmd, err)
	}
	b, _ := json.Marshal(m)
	if !strings.Contains(string(b), `"Reopen Fix bug"`) || !strings.Contains(string(b), "Or type `reopen task \\\"Fix bug\\\" in Website`.") {
		t.Errorf("reopen near miss: %s", b)
	}
}
