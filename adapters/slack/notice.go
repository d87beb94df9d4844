package slack

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
)

// Notice is an event told to people, before any chat format: an icon, a
// sentence whose names stand out, details, and for alerts a level and
// labelled fields. RenderEvent draws it as Block Kit; package mattermost
// draws the same notices in its Markdown, so both say the same thing.
type Notice struct {
	// Icon is an emoji that starts the message.
	Icon string
	// Line is the sentence: who did what, on which task and project.
	Line []Span
	// Details are shown smaller, after the line, one after another.
	Details [][]Span
	// Fields are labelled facts of an alert: why, the last error, how to
	// enable the webhook again.
	Fields []Field
	// Level is "" for news, "warning", "danger" or "good" for alerts.
	Level string
	// StopEntry, when set, is the running timer a Stop button stops.
	StopEntry core.ID
}

// Span is a piece of text: plain, a name (Strong), something to type or
// an error (Code), or a moment (At, with Text its fallback; Clock shows
// the time of day only).
type Span struct {
	Text   string
	Strong bool
	Code   bool
	At     time.Time
	Clock  bool
}

// Field is a labelled fact of an alert.
type Field struct {
	Title string
	Value []Span
}

// Plain returns the spans as plain text.
func Plain(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// maxName is how much of one name or error a message shows.
const maxName = 300

func text(s string) Span   { return Span{Text: s} }
func strong(s string) Span { return Span{Text: clip(s), Strong: true} }
func code(s string) Span   { return Span{Text: clip(s), Code: true} }

// at is a moment; its fallback text is UTC.
func at(t time.Time, clock bool) Span {
	t = t.UTC()
	layout := "2006-01-02 15:04 UTC"
	if clock {
		layout = "15:04 UTC"
	}
	return Span{Text: t.Format(layout), At: t, Clock: clock}
}

// clip shortens s to maxName runes, on one line.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxName {
		return s
	}
	r := []rune(s)
	return string(r[:maxName-1]) + "…"
}

// eventData is what the data of every event type may hold.
type eventData struct {
	TimeEntry *core.TimeEntry `json:"time_entry"`
	Task      *core.Task      `json:"task"`
	Project   *core.Project   `json:"project"`
	Client    *core.Client    `json:"client"`
	Tag       *core.Tag       `json:"tag"`
	User      *core.User      `json:"user"`
	Workspace *core.Workspace `json:"workspace"`
	Group     *struct {
		ID   core.ID `json:"id"`
		Name string  `json:"name"`
	} `json:"group"`
	Webhook *struct {
		ID             core.ID `json:"id"`
		Name           string  `json:"name"`
		URL            string  `json:"url"`
		Status         string  `json:"status"`
		DisabledReason string  `json:"disabled_reason"`
	} `json:"webhook"`
	Reason        string     `json:"reason"`
	LastError     string     `json:"last_error"`
	StatusCode    int        `json:"status_code"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	HowToEnable   string     `json:"how_to_enable"`
}

// Describe tells an event to people. It never fails: data it cannot read
// gives a plainer sentence.
func Describe(ev core.Event) Notice {
	var d eventData
	_ = json.Unmarshal(ev.Data, &d)
	who := ev.Actor.Name
	if strings.TrimSpace(who) == "" {
		who = "Someone"
	}
	actor := strong(who)
	entity, action := core.SplitEventType(ev.Type)
	switch entity {
	case "tracker", "time_entry":
		if d.TimeEntry != nil {
			return describeEntry(ev.Type, actor, d)
		}
	case "project":
		if d.Project != nil {
			return describeProject(action, actor, d)
		}
	case "task":
		if d.Task != nil {
			return describeTask(action, actor, d)
		}
	case "client":
		if d.Client != nil {
			n := Notice{Icon: "🏢", Line: []Span{actor, text(" " + verb(action) + " client "), strong(d.Client.Name)}}
			n.Details = [][]Span{{text("client "), code("#" + d.Client.ID.String())}}
			return n
		}
	case "tag":
		if d.Tag != nil {
			return Notice{Icon: "🏷", Line: []Span{actor, text(" " + verb(action) + " tag "), strong("#" + d.Tag.Name)}}
		}
	case "workspace_user":
		if d.User != nil {
			return describeMember(action, actor, ev.Actor.ID, d)
		}
	case "project_user":
		if d.User != nil && d.Project != nil {
			line := map[string][]Span{
				"created": {actor, text(" added "), strong(d.User.Name), text(" to project "), strong(d.Project.Name)},
				"updated": {actor, text(" changed "), strong(d.User.Name), text("'s membership of project "), strong(d.Project.Name)},
				"deleted": {actor, text(" removed "), strong(d.User.Name), text(" from project "), strong(d.Project.Name)},
			}[action]
			if line != nil {
				return Notice{Icon: "👥", Line: line}
			}
		}
	case "project_group":
		if d.Group != nil && d.Project != nil {
			line := map[string][]Span{
				"created": {actor, text(" gave group "), strong(d.Group.Name), text(" access to project "), strong(d.Project.Name)},
				"updated": {actor, text(" changed group "), strong(d.Group.Name), text(" in project "), strong(d.Project.Name)},
				"deleted": {actor, text(" removed group "), strong(d.Group.Name), text(" from project "), strong(d.Project.Name)},
			}[action]
			if line != nil {
				return Notice{Icon: "👥", Line: line}
			}
		}
	case "workspace":
		n := Notice{Icon: "⚙️", Line: []Span{actor, text(" updated the workspace")}}
		if d.Workspace != nil && d.Workspace.Name != "" {
			n.Line = append(n.Line, text(" "), strong(d.Workspace.Name))
		}
		return n
	case "webhook":
		if d.Webhook != nil {
			return describeWebhook(action, actor, d)
		}
	}
	// An event this version does not know, or data it cannot read.
	line := []Span{actor, text(" " + verb(action) + " " + strings.ReplaceAll(entity, "_", " "))}
	if action == "" {
		line = []Span{actor, text(": "), code(ev.Type)}
	}
	return Notice{Icon: "🔔", Line: line}
}

// verb is the past tense people read for an action.
func verb(action string) string {
	switch action {
	case "created":
		return "added"
	case "updated":
		return "updated"
	case "closed":
		return "closed"
	case "deleted":
		return "deleted"
	}
	return strings.ReplaceAll(action, "_", " ")
}

// inProject is " in *Project*", or nothing.
func inProject(p *core.Project) []Span {
	if p == nil || p.Name == "" {
		return nil
	}
	return []Span{text(" in "), strong(p.Name)}
}

func describeEntry(typ string, actor Span, d eventData) Notice {
	e := d.TimeEntry
	dur := strong(core.HumanDuration(time.Duration(e.DurationSeconds) * time.Second))
	var on []Span // " on *Task* in *Project*"
	switch {
	case d.Task != nil:
		on = append([]Span{text(" on "), strong(d.Task.Name)}, inProject(d.Project)...)
	default:
		on = inProject(d.Project)
	}
	var n Notice
	switch typ {
	case core.EventTrackerStarted:
		n.Icon = "⏱"
		n.Line = []Span{actor, text(" started ")}
		if d.Task != nil {
			n.Line = append(append(n.Line, strong(d.Task.Name)), inProject(d.Project)...)
		} else {
			n.Line = append(append(n.Line, text("a timer")), inProject(d.Project)...)
		}
		if e.Running() {
			n.StopEntry = e.ID
		}
	case core.EventTrackerStopped:
		n.Icon = "⏹"
		n.Line = []Span{actor, text(" stopped ")}
		if d.Task != nil {
			n.Line = append(append(n.Line, strong(d.Task.Name)), inProject(d.Project)...)
		} else {
			n.Line = append(append(n.Line, text("a timer")), inProject(d.Project)...)
		}
		n.Line = append(n.Line, text(" after "), dur)
	case core.EventTimeEntryCreated:
		n.Icon = "📝"
		n.Line = append([]Span{actor, text(" logged "), dur}, on...)
	case core.EventTimeEntryUpdated:
		n.Icon = "✏️"
		n.Line = append([]Span{actor, text(" changed an entry: "), dur}, on...)
	case core.EventTimeEntryDeleted:
		n.Icon = "🗑"
		n.Line = append([]Span{actor, text(" deleted an entry: "), dur}, on...)
	default:
		n.Icon = "🔔"
		n.Line = append([]Span{actor, text(" " + verb(typ) + " an entry: "), dur}, on...)
	}
	// When: the span, or the start of a running timer.
	switch {
	case e.Running():
		n.Details = append(n.Details, []Span{text("since "), at(e.Start, false)})
	case e.End != nil && e.End.UTC().Format(time.DateOnly) == e.Start.UTC().Format(time.DateOnly):
		n.Details = append(n.Details, []Span{at(e.Start, false), text(" – "), at(*e.End, true)})
	case e.End != nil:
		n.Details = append(n.Details, []Span{at(e.Start, false), text(" – "), at(*e.End, false)})
	}
	if len(e.Tags) > 0 {
		n.Details = append(n.Details, []Span{text("#" + strings.Join(e.Tags, " #"))})
	}
	if e.Billable {
		n.Details = append(n.Details, []Span{text("billable")})
	}
	if e.Note != "" {
		n.Details = append(n.Details, []Span{text("“" + clip(e.Note) + "”")})
	}
	n.Details = append(n.Details, []Span{text("entry "), code("#" + e.ID.String())})
	return n
}

func describeProject(action string, actor Span, d eventData) Notice {
	p := d.Project
	icons := map[string]string{"created": "📁", "updated": "✏️", "closed": "✅", "deleted": "🗑"}
	n := Notice{Icon: icons[action], Line: []Span{actor, text(" " + verb(action) + " project "), strong(p.Name)}}
	if n.Icon == "" {
		n.Icon = "🔔"
	}
	if d.Client != nil && d.Client.Name != "" {
		n.Line = append(n.Line, text(" for "), strong(d.Client.Name))
	}
	n.Details = [][]Span{{text("project "), code("#" + p.ID.String())}}
	if p.Status != "" {
		n.Details = append(n.Details, []Span{text(p.Status)})
	}
	return n
}

func describeTask(action string, actor Span, d eventData) Notice {
	t := d.Task
	icons := map[string]string{"created": "➕", "updated": "✏️", "closed": "✅", "deleted": "🗑"}
	n := Notice{Icon: icons[action], Line: append([]Span{actor, text(" " + verb(action) + " task "), strong(t.Name)}, inProject(d.Project)...)}
	if n.Icon == "" {
		n.Icon = "🔔"
	}
	n.Details = [][]Span{{text("task "), code("#" + t.ID.String())}}
	if t.Status != "" {
		n.Details = append(n.Details, []Span{text(t.Status)})
	}
	return n
}

func describeMember(action string, actor Span, actorID core.ID, d eventData) Notice {
	u := d.User
	var n Notice
	switch action {
	case "created":
		n.Icon = "👋"
		if actorID == u.ID || actorID == 0 {
			n.Line = []Span{strong(u.Name), text(" joined the workspace")}
		} else {
			n.Line = []Span{actor, text(" added "), strong(u.Name), text(" to the workspace")}
		}
	case "deleted":
		n.Icon = "👋"
		n.Line = []Span{actor, text(" removed "), strong(u.Name), text(" from the workspace")}
	default:
		n.Icon = "✏️"
		n.Line = []Span{actor, text(" updated "), strong(u.Name)}
	}
	if u.Role != "" {
		n.Details = append(n.Details, []Span{text(string(u.Role))})
	}
	var via []string
	for _, id := range u.Identities {
		via = append(via, id.Provider)
	}
	if len(via) > 0 {
		n.Details = append(n.Details, []Span{text("via " + strings.Join(via, ", "))})
	}
	return n
}

// target shows where a webhook goes without what may be secret in it: an
// incoming-webhook URL carries its token in the path, so only the scheme
// and host are shown.
func target(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "(unreadable URL)"
	case u.Scheme == "http" || u.Scheme == "https":
		return u.Scheme + "://" + u.Host + "/…"
	}
	return raw // slack:CHANNEL_ID
}

func describeWebhook(action string, actor Span, d eventData) Notice {
	w := d.Webhook
	id := w.ID.String()
	name := []Span{text("Webhook "), strong(w.Name), text(" ("), code("#" + id), text(")")}
	lastError := d.LastError
	enable := d.HowToEnable
	if enable == "" {
		enable = "POST /api/v1/webhooks/" + id + "/enable"
	}
	var n Notice
	switch action {
	case "ping":
		n.Icon = "🏓"
		n.Line = []Span{text("This channel is connected: test message for "), strong(w.Name), text(" ("), code("#" + id), text(")")}
		return n
	case "failing":
		n.Icon, n.Level = "⚠️", "warning"
		n.Line = append(name, text(" is failing; the gateway keeps retrying"))
		n.Fields = append(n.Fields, Field{"Why", []Span{text(orNone(d.Reason))}})
		if lastError != "" {
			n.Fields = append(n.Fields, Field{"Last error", []Span{code(lastError)}})
		}
		if d.NextAttemptAt != nil {
			n.Fields = append(n.Fields, Field{"Next attempt", []Span{at(*d.NextAttemptAt, false)}})
		}
		n.Fields = append(n.Fields, Field{"If it gets disabled", []Span{text("enable it again with "), code(enable)}})
	case "disabled":
		n.Icon, n.Level = "⛔", "danger"
		n.Line = append(name, text(" was disabled; its events are kept until it is enabled again"))
		reason := d.Reason
		if reason == "" {
			reason = w.DisabledReason
		}
		n.Fields = append(n.Fields, Field{"Why", []Span{text(orNone(reason))}})
		if lastError != "" {
			n.Fields = append(n.Fields, Field{"Last error", []Span{code(lastError)}})
		}
		n.Fields = append(n.Fields, Field{"To enable it again", []Span{code(enable)}})
	case "enabled":
		n.Icon, n.Level = "✅", "good"
		n.Line = append(name, text(" was enabled again by "), actor, text("; what was kept goes out now"))
	default:
		n.Icon = "🔔"
		n.Line = append(name, text(" "+verb(action)))
	}
	n.Details = [][]Span{{text("to "), code(target(w.URL))}}
	return n
}

func orNone(s string) string {
	if s == "" {
		return "not given"
	}
	return s
}
