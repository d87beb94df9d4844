package mattermost

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// ScheduledPost renders a directed event (core.Directed) as a Mattermost
// message. Only scheduled reports reach Mattermost channels (reminders and
// long-timer notices are Slack direct messages); the others get a plain
// line.
func ScheduledPost(ev core.Event) ([]byte, error) {
	d, err := core.ParseMessageData(ev)
	if err != nil {
		return nil, fmt.Errorf("%s data: %w", ev.Type, err)
	}
	switch ev.Type {
	case core.EventReportScheduled:
		if d.Report == nil {
			return nil, fmt.Errorf("%s without a report", ev.Type)
		}
		return json.Marshal(post{Text: ReportMarkdown(*d.Report)})
	case core.EventReminderDue:
		return json.Marshal(post{Text: "⏰ You have logged nothing today (" + escapeMarkdown(d.Day) + ")."})
	case core.EventTrackerLong:
		return json.Marshal(post{Text: fmt.Sprintf("⏱ Your timer on **%s** has been running for **%s**.", escapeMarkdown(d.Task), hours(d.Seconds))})
	}
	return nil, fmt.Errorf("%s is not a scheduled message", ev.Type)
}

// ReportMarkdown writes a team report as Markdown: a title line, the span
// and total, a table of time by user and project, and a table of totals by
// project.
func ReportMarkdown(r core.TeamReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### 📊 %s\n%s · %s · total **%s**\n\n", escapeMarkdown(r.Title), escapeMarkdown(r.Span), escapeMarkdown(r.Zone), hours(r.Total))
	if len(r.Users) == 0 {
		b.WriteString("_Nobody logged time._")
		return b.String()
	}
	b.WriteString("| User | Project | Time |\n|:--|:--|--:|\n")
	for _, u := range r.Users {
		for i, p := range u.Projects {
			name := ""
			if i == 0 {
				name = "**" + cell(u.Name) + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", name, cell(p.Project), hours(p.Seconds))
		}
		fmt.Fprintf(&b, "| | _total_ | **%s** |\n", hours(u.Seconds))
	}
	b.WriteString("\n| Project | Time |\n|:--|--:|\n")
	for _, p := range r.Projects {
		fmt.Fprintf(&b, "| %s | %s |\n", cell(p.Project), hours(p.Seconds))
	}
	fmt.Fprintf(&b, "| **Total** | **%s** |", hours(r.Total))
	return b.String()
}

// cell is a name escaped for a Markdown table cell: a | would end the cell.
func cell(s string) string { return strings.ReplaceAll(escapeMarkdown(s), "|", "\\|") }

// hours is a duration in seconds as "1h 30m".
func hours(s int64) string { return core.HumanDuration(time.Duration(s) * time.Second) }
