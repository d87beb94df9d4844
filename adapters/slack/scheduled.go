package slack

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/slack-go/slack"
)

// Ids of the buttons of a reminder: log time, or track.
const (
	RemindLogActionID   = "remind_log"
	RemindTrackActionID = "remind_track"
	RemindBlockID       = "reminder"
)

// maxFields is how many fields Slack takes in one section.
const maxFields = 10

// maxUserSections is how many people a report names in a section of their
// own: with its header, context, the rest summed, a divider and the
// projects, a message stays within Slack's 50 blocks.
const maxUserSections = 45

// ScheduledMessage renders a directed event (core.Directed: a reminder, a
// long timer, a scheduled report) as a Slack message.
func ScheduledMessage(ev core.Event) (Message, error) {
	d, err := core.ParseMessageData(ev)
	if err != nil {
		return Message{}, fmt.Errorf("%s data: %w", ev.Type, err)
	}
	switch ev.Type {
	case core.EventReminderDue:
		line := fmt.Sprintf("⏰ You have logged nothing today (%s).", escape(d.Day))
		log := slack.NewButtonBlockElement(RemindLogActionID, "log", slack.NewTextBlockObject(slack.PlainTextType, "Log time", true, false))
		track := slack.NewButtonBlockElement(RemindTrackActionID, "track", slack.NewTextBlockObject(slack.PlainTextType, "Track", true, false))
		return Message{Text: line, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, line, false, false), nil, nil),
			slack.NewActionBlock(RemindBlockID, log.WithStyle(slack.StylePrimary), track),
		}}}, nil
	case core.EventTrackerLong:
		what := "*" + escape(orNone(d.Task)) + "*"
		if d.Project != "" {
			what += " in *" + escape(d.Project) + "*"
		}
		took := core.HumanDuration(time.Duration(d.Seconds) * time.Second)
		line := fmt.Sprintf("⏱ Your timer on %s has been running for *%s* (since %s). Still on it?", what, took, escape(d.Clock))
		stop := slack.NewButtonBlockElement(StopActionID, d.EntryID.String(), slack.NewTextBlockObject(slack.PlainTextType, "Stop", true, false))
		return Message{Text: fmt.Sprintf("⏱ Your timer has been running for %s", took), Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, line, false, false), nil, nil),
			slack.NewActionBlock(StopBlockID, stop.WithStyle(slack.StyleDanger)),
		}}}, nil
	case core.EventReportScheduled:
		if d.Report == nil {
			return Message{}, fmt.Errorf("%s without a report", ev.Type)
		}
		return ReportMessage(*d.Report), nil
	}
	return Message{}, fmt.Errorf("%s is not a scheduled message", ev.Type)
}

// ReportMessage renders a team report in Block Kit: a header, the span and
// total, a section per user with a field per project, and the totals per
// project.
func ReportMessage(r core.TeamReport) Message {
	title := "📊 " + r.Title
	total := core.HumanDuration(time.Duration(r.Total) * time.Second)
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, title, true, false)),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			fmt.Sprintf("%s · %s · total *%s*", escape(r.Span), escape(r.Zone), total), false, false)),
	}
	if len(r.Users) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "_Nobody logged time._", false, false), nil, nil))
	}
	for i, u := range r.Users {
		if i == maxUserSections && len(r.Users) > maxUserSections+1 {
			// Slack refuses a message of more than 50 blocks.
			var rest int64
			for _, u := range r.Users[i:] {
				rest += u.Seconds
			}
			more := fmt.Sprintf("_%d more people_ — %s", len(r.Users)-i, hours(rest))
			blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, more, false, false), nil, nil))
			break
		}
		head := fmt.Sprintf("*%s* — %s", escape(strings.ReplaceAll(u.Name, "*", "∗")), hours(u.Seconds))
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, head, false, false), rowFields(u.Projects), nil))
	}
	if len(r.Projects) > 0 {
		blocks = append(blocks, slack.NewDividerBlock(),
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*By project*", false, false), rowFields(r.Projects), nil))
	}
	return Message{Text: fmt.Sprintf("%s: %s in total", escape(title), total), Blocks: slack.Blocks{BlockSet: blocks}}
}

// rowFields are a section's fields, one per project; past Slack's limit the
// rest are summed in the last.
func rowFields(rows []core.SummaryRow) []*slack.TextBlockObject {
	var out []*slack.TextBlockObject
	for i, row := range rows {
		if i == maxFields-1 && len(rows) > maxFields {
			var rest int64
			for _, r := range rows[i:] {
				rest += r.Seconds
			}
			out = append(out, slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf("_%d more_\n%s", len(rows)-i, hours(rest)), false, false))
			break
		}
		out = append(out, slack.NewTextBlockObject(slack.MarkdownType, escape(row.Project)+"\n`"+hours(row.Seconds)+"`", false, false))
	}
	return out
}

// hours is a duration in seconds as "1h 30m".
func hours(s int64) string { return core.HumanDuration(time.Duration(s) * time.Second) }
