package reply

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// Text returns the answer to a command that ran: one paragraph of Slack
// mrkdwn. It is "" for a result no person asked for.
func Text(res *core.Result) string { return Render(res, Slack) }

// Render returns the answer to a command that ran in dialect d, every
// name, note and title escaped. It is "" for a result no person asked for.
func Render(res *core.Result, d Dialect) string {
	if s, ok := renderEntries(res, d); ok {
		return s
	}
	switch res.Command {
	case "track":
		return track(res, d)
	case "stop":
		return stopped(res, d)
	case "add task":
		return fmt.Sprintf("Added task %s%s", d.Strong(res.Task.Name), inProject(d, res.Project))
	case "close task":
		return fmt.Sprintf("Closed task %s%s", d.Strong(res.Task.Name), inProject(d, res.Project))
	case "add project":
		s := fmt.Sprintf("Added project %s", d.Strong(res.Project.Name))
		if res.Client != nil {
			s += fmt.Sprintf(" for %s", d.Strong(res.Client.Name))
		}
		return s
	case "close project":
		return fmt.Sprintf("Closed project %s", d.Strong(res.Project.Name))
	case "log":
		return logged(res, d)
	case "delete entry":
		e := res.Entry
		return fmt.Sprintf("Deleted entry #%d (%s, %s %s)", e.ID, core.HumanDuration(e.Duration(res.At)), e.Start.In(res.User.Location()).Format("Mon 2 Jan"), span(e, res.User.Location()))
	case "undo":
		return fmt.Sprintf("Undid your last change (%s)", d.Escape(res.Undone))
	case "status", "report":
		if res.Link != "" {
			return reportLink(res, d)
		}
		return summary(res.Report, d, res.User.Location())
	case "help":
		return helpText(res.Topic, d)
	case "notify", "notify list", "notify off":
		return notify(res, d)
	case "tz":
		return zone(res)
	case "remind", "remind show", "remind off", "report every", "schedules", "schedules off":
		return reminders(res, d)
	case "issue " + core.IssueOpened, "issue " + core.IssueClosed, "issue " + core.IssueReopened:
		verb := map[string]string{core.IssueOpened: "Added", core.IssueClosed: "Closed", core.IssueReopened: "Reopened"}[strings.TrimPrefix(res.Command, "issue ")]
		if res.Unchanged {
			verb = "Nothing to do for"
		}
		return fmt.Sprintf("%s task %s%s", verb, d.Strong(res.Task.Name), inProject(d, res.Project))
	}
	return ""
}

// logged tells of a finished entry: by its times in the user's zone, or,
// made by a commit, by its end in UTC.
func logged(res *core.Result, d Dialect) string {
	e := res.Entry
	what := describe(d, res.Task, res.Project) + labels(d, e)
	if res.FromCommit {
		return fmt.Sprintf("Logged %s on %s, ending %s (entry #%d)", core.HumanDuration(e.End.Sub(e.Start)), what,
			e.End.UTC().Format("Mon 2 Jan 15:04 UTC"), e.ID)
	}
	loc := res.User.Location()
	return fmt.Sprintf("Logged %s on %s, %s %s (entry #%d)%s", core.HumanDuration(e.End.Sub(e.Start)), what,
		e.Start.In(loc).Format("Mon 2 Jan"), span(e, loc), e.ID, noteOf(d, e))
}

// zone tells the user's time zone, and the time there now.
func zone(res *core.Result) string {
	u := res.User
	zone := u.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	now := res.At.In(u.Location()).Format("15:04 MST")
	if res.Changed {
		return fmt.Sprintf("🕒 Your time zone is now *%s* (%s there). Times you log and see are in it.", zone, now)
	}
	return fmt.Sprintf("🕒 Your time zone is *%s* (%s there). Change it with `tz Europe/Berlin` or `tz new york`.", zone, now)
}

// notify tells what notify, notify list and notify off did.
func notify(res *core.Result, d Dialect) string {
	switch res.Command {
	case "notify":
		sub := res.Subscriptions[0]
		// Filters are known event names (webhooks refuses others): no
		// escaping, which would show in Markdown's code-free text.
		return fmt.Sprintf("🔔 This channel now gets %s (subscription #%d). `notify off %d` stops it.", strings.Join(res.Filters, ", "), sub.ID, sub.ID)
	case "notify list":
		if len(res.Subscriptions) == 0 {
			return "This channel has no notifications. Start them with `notify`."
		}
		var b strings.Builder
		b.WriteString("This channel's notifications:")
		for _, sub := range res.Subscriptions {
			fmt.Fprintf(&b, "\n• #%d %s: %s", sub.ID, filtersText(sub.Events), sub.Status)
		}
		return b.String()
	}
	if res.Removed == 0 {
		return "This channel had no notifications."
	}
	return fmt.Sprintf("🔕 Removed %d of this channel's subscriptions.", res.Removed)
}

// summary writes a report: the running timer (its start in loc), the
// total and a line per group with its share.
func summary(sum *core.Summary, d Dialect, loc *time.Location) string {
	var b strings.Builder
	if r := sum.Running; r != nil {
		fmt.Fprintf(&b, "⏱ Running: %s%s for %s, since %s (entry #%d)\n", describeNames(d, r.Task, r.Project), labels(d, &r.Entry),
			seconds(r.Seconds), r.Entry.Start.In(loc).Format("15:04 MST"), r.Entry.ID)
	} else {
		b.WriteString("No timer running.\n")
	}
	fmt.Fprintf(&b, "%s: %s", reportTitle(d, sum), seconds(sum.Total))
	for _, r := range sum.Rows {
		fmt.Fprintf(&b, "\n• %s: %s (%d%%)", rowName(d, sum, r), seconds(r.Seconds), r.Share)
	}
	return b.String()
}

func seconds(n int64) string { return core.HumanDuration(time.Duration(n) * time.Second) }

func inProject(d Dialect, p *core.Project) string {
	if p == nil {
		return ""
	}
	return " in " + d.Strong(p.Name)
}

// describe names an entry by its task and project: "*Task* in *Project*".
func describe(d Dialect, t *core.Task, p *core.Project) string {
	var task, project string
	if t != nil {
		task = t.Name
	}
	if p != nil {
		project = p.Name
	}
	return describeNames(d, task, project)
}

func describeNames(d Dialect, task, project string) string {
	switch {
	case task != "" && project != "":
		return d.Strong(task) + " in " + d.Strong(project)
	case task != "":
		return d.Strong(task)
	case project != "":
		return d.Strong(project)
	}
	return "an entry without a task"
}
