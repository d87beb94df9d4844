package reply

import "strings"

// usage holds the usage of each command: the first line is the syntax, the
// rest examples.
var usage = map[string][]string{
	"track": {"`track TASK [in PROJECT | @PROJECT] [#tag…] [billable | $] [-- note]` (also `start`): start a timer; the running one stops first; a missing task or project is created",
		"track Fix login bug in Website Redesign", `track "Log in page" in Website #frontend billable`, "start Code review @Acme #review $"},
	"stop":          {"`stop [-- note]` (also `pause`): stop your running timer", "stop", "stop -- done for today"},
	"add task":      {"`add task TASK in PROJECT`: add a task", "add task Write specs in Website"},
	"close task":    {"`close task TASK [in PROJECT]` (also `done`, `finish`, `complete`): close a task", "close task Write specs in Website", "done Write specs"},
	"add project":   {"`add project PROJECT [for CLIENT]`: add a project (and its client)", "add project Website Redesign for Acme Corp"},
	"close project": {"`close project PROJECT` (also `archive`): close a project", "close project Website Redesign"},
	"log": {"`log AMOUNT [on TASK] [in PROJECT] [WHEN] [at TIME] [#tag…] [billable] [anyway] [-- note]` (also `add`, `spent`): add a finished entry. AMOUNT: `1h30m`, `1.5h`, `90m`, `1:30`, `9-11`, `9:30am-11:15am`, `9pm-1am` (across midnight); WHEN: `today`, `yesterday`, `fri`, `last fri`, `2026-11-20`, `1 Dec`, `Dec 1`, `3 days ago`; `at 3pm` sets the start; `anyway` takes times that overlap another entry. Quote a name that holds such words",
		"log 1h30m on Write specs in Website yesterday #docs", "log 1h30m on Review in Web yesterday at 3pm", "log 9pm-1am on Night shift in Ops yesterday",
		"log 1h on Specs in Website 1 Dec", "log 9:30am-11:15am on Design in Website 2026-11-20 -- sprint review"},
	"delete entry": {"`delete entry ID` (also `remove`, `rm`): delete one of your entries", "delete entry #1234"},
	"status":       {"`status`: your running timer and today's totals", "status"},
	"report": {"`report [today | yesterday | this week | last week | this month | last month | DATE | DATE..DATE] [by project | task | tag | user | billable] [team] [csv]`: your totals, sorted by time, with shares; `team` (admins) covers everyone; `csv` answers a link to them as CSV, which works for 15 minutes",
		"report", "report last week", "report last month by task", "report this week by tag", "report 2026-11-01..2026-11-30 by user team", "report last week csv"},
	"entries": {"`entries [WHEN | this week | last week]` (also `list`, `ls`): your entries of that day (today by default) or week, with their numbers, times, tags, billable and notes; the running timer too",
		"entries", "entries yesterday", "entries last week"},
	"edit entry": {"`edit entry ID|last [AMOUNT] [on TASK] [in PROJECT] [WHEN] [at TIME] [#tag…] [billable | nonbillable] [anyway] [-- note]`: change only what you give; a duration keeps the start, a range sets both times, `at` moves the start; tags given replace the tags; `--` alone clears the note",
		"edit entry #12 9-11", "edit entry last 1h30m", "edit entry #12 on Design in Website #docs billable", "edit entry last -- sprint review"},
	"continue": {"`continue [ID]` (also `resume`, `restart`): start a timer like entry ID, or like your last entry (task, project, tags, billable; not the note)", "continue", "continue #12"},
	"reopen":   {"`reopen task TASK [in PROJECT]`, `reopen project PROJECT`: open a closed task or project again", "reopen task Fix login in Website", "reopen project Website"},
	"who":      {"`who` (also `team`): whose timer runs now, on what, since when (in your time zone)", "who"},
	"tz":       {"`tz [ZONE]` (also `timezone`): show or set your time zone, an IANA name or a city; times you log and see are in it", "tz", "tz Europe/Berlin", "tz new york"},
	"undo":     {"`undo`: reverse your last change (within 10 minutes)", "undo"},
	"help":     {"`help [COMMAND]`: this help", "help log"},
	"notify": {"`notify [URL] [EVENT…]`, `notify list`, `notify off [ID]`: this channel gets events as messages (default `tracker.* task.* project.*`); URL is the channel's incoming-webhook URL when the gateway has no bot token",
		"notify", "notify tracker.* time_entry.*", "notify https://hooks.slack.com/services/T0/B0/XYZ project.*", "notify list", "notify off 12"},
	"remind": {"`remind HH:MM [weekdays | daily | mon,tue,…]`, `remind`, `remind off`: a Slack direct message at that time in your zone on days you logged nothing (default weekdays)",
		"remind 17:30", "remind 9:00 mon,wed,fri", "remind off"},
	"schedules": {"`report PERIOD every DAY HH:MM`, `schedules`, `schedules off ID`: this channel gets the team's report by user and project at that time in your zone; DAY is `mon`…`sun`, `day` or `weekday`",
		"report week every fri 17:00", "report last week every mon 09:00", "schedules", "schedules off 3"},
}

var helpOrder = []string{"track", "stop", "log", "entries", "edit entry", "continue", "add task", "close task", "add project", "close project", "reopen", "delete entry", "status", "report", "who", "undo", "tz", "notify", "help"}

// helpText returns usage with examples: for one command when topic names one,
// else an overview of all; an unknown topic is echoed in dialect d.
func helpText(topic string, d Dialect) string {
	topic = strings.ToLower(strings.TrimSpace(topic))
	if h, ok := usage[topic]; ok {
		var b strings.Builder
		b.WriteString(h[0])
		b.WriteString("\nExamples:")
		for _, ex := range h[1:] {
			b.WriteString("\n• `" + ex + "`")
		}
		return b.String()
	}
	var b strings.Builder
	if topic != "" {
		b.WriteString("No help for \"" + d.Escape(topic) + "\". ")
	}
	b.WriteString("Commands:")
	for _, name := range helpOrder {
		b.WriteString("\n• " + usage[name][0])
	}
	b.WriteString("\nExamples: `" + usage["track"][1] + "`, `" + usage["log"][1] + "`, `report week`. More: `help COMMAND`.")
	return b.String()
}
