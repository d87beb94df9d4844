package parser

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// parseCase is one input and what Parse must make of it: a command, or an
// error with this column and message (and hint and example, when set).
type parseCase struct {
	in   string
	want core.Command
	err  *Error
}

func dur(s string) core.Amount {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return core.Amount{Duration: d}
}

func span(fromH, fromM, toH, toM int) core.Amount {
	return core.Amount{IsRange: true, From: core.Clock(fromH*60 + fromM), To: core.Clock(toH*60 + toM)}
}

var (
	yesterday = core.Day{Kind: core.DayYesterday}
	friday    = core.Day{Kind: core.DayWeekday, Weekday: time.Friday}
)

// examplesFromSpec are the examples of COMMANDS.md, in its order.
var examplesFromSpec = []parseCase{
	{in: "track Fix login bug in Website Redesign", want: core.Track{Task: "Fix login bug", Project: "Website Redesign"}},
	{in: "track Prep for demo in Web", want: core.Track{Task: "Prep for demo", Project: "Web"}},
	{in: `track "Log in page" in Website #frontend billable`, want: core.Track{Task: "Log in page", Project: "Website", Tags: []string{"frontend"}, Billable: true}},
	{in: "start Code review @Acme #review $", want: core.Track{Task: "Code review", Project: "Acme", Tags: []string{"review"}, Billable: true}},
	{in: "stop -- done for today", want: core.Stop{Note: "done for today"}},
	{in: "add project Website Redesign for Acme Corp", want: core.AddProject{Project: "Website Redesign", Client: "Acme Corp"}},
	{in: "log 1h30m on Write specs in Website yesterday #docs", want: core.Log{Amount: dur("1h30m"), Task: "Write specs", Project: "Website", When: yesterday, Tags: []string{"docs"}}},
	{in: "log 9:30am-11:15am on Design in Website 2026-11-20 -- sprint review", want: core.Log{Amount: span(9, 30, 11, 15), Task: "Design", Project: "Website", When: core.Day{Kind: core.DayDate, Date: "2026-11-20"}, Note: "sprint review"}},
	{in: "delete entry #1234", want: core.DeleteEntry{ID: 1234}},
	{in: "report last week", want: core.Report{Period: core.Period{Kind: core.PeriodLastWeek}}},
	{in: "track in Web", err: &Error{Column: 7, Message: "task name missing", Example: "track Fix login in Website"}},
	// The rules.
	{in: `track "Stop button" in Web`, want: core.Track{Task: "Stop button", Project: "Web"}},
	{in: `track "Log in page" in Website`, want: core.Track{Task: "Log in page", Project: "Website"}},
	{in: "log 2 on X", err: &Error{Column: 5, Message: `"2" has no unit`, Hint: "did you mean 2h or 2m?"}},
	// The table of commands.
	{in: "stop", want: core.Stop{}},
	{in: "add task Write specs in Website", want: core.AddTask{Task: "Write specs", Project: "Website"}},
	{in: "close task Write specs in Website", want: core.CloseTask{Task: "Write specs", Project: "Website"}},
	{in: "close project Website Redesign", want: core.CloseProject{Project: "Website Redesign"}},
	{in: "status", want: core.Status{}},
	{in: "report", want: core.Report{}},
	{in: "undo", want: core.Undo{}},
	{in: "help", want: core.Help{}},
	{in: "help log", want: core.Help{Topic: "log"}},
}

var parseCases = []parseCase{
	// Empty text and spaces.
	{in: "", want: core.Help{}},
	{in: "   ", want: core.Help{}},
	{in: "  track   Fix   login   in  Web  ", want: core.Track{Task: "Fix login", Project: "Web"}},

	// Verbs, synonyms and case.
	{in: "start Fix login in Web", want: core.Track{Task: "Fix login", Project: "Web"}},
	{in: "TRACK Fix Login IN Website BILLABLE", want: core.Track{Task: "Fix Login", Project: "Website", Billable: true}},
	{in: "Track fix login", want: core.Track{Task: "fix login"}},
	{in: "pause", want: core.Stop{}},
	{in: "Stop -- lunch", want: core.Stop{Note: "lunch"}},
	{in: "stop --lunch break", want: core.Stop{Note: "lunch break"}},
	{in: "stop --", want: core.Stop{}},
	{in: "done Fix login", want: core.CloseTask{Task: "Fix login"}},
	{in: "done task Fix login in Web", want: core.CloseTask{Task: "Fix login", Project: "Web"}},
	{in: "finish Fix login in Web", want: core.CloseTask{Task: "Fix login", Project: "Web"}},
	{in: "complete Fix login", want: core.CloseTask{Task: "Fix login"}},
	{in: "close task Fix login", want: core.CloseTask{Task: "Fix login"}},
	{in: "CLOSE TASK Fix login", want: core.CloseTask{Task: "Fix login"}},
	{in: "archive Website Redesign", want: core.CloseProject{Project: "Website Redesign"}},
	{in: "archive project Website", want: core.CloseProject{Project: "Website"}},
	{in: "close project Time for Kids", want: core.CloseProject{Project: "Time for Kids"}},
	{in: "add project Website", want: core.AddProject{Project: "Website"}},
	{in: `add project "Time for Kids" for Acme`, want: core.AddProject{Project: "Time for Kids", Client: "Acme"}},
	{in: "add project Web for Time for Kids", want: core.AddProject{Project: "Web", Client: "Time for Kids"}},
	{in: "add task Fix login @Web", want: core.AddTask{Task: "Fix login", Project: "Web"}},
	{in: "add task Prep for demo in Web", want: core.AddTask{Task: "Prep for demo", Project: "Web"}},
	{in: "add 1h on Fix login", want: core.Log{Amount: dur("1h"), Task: "Fix login"}},
	{in: "add time entry 45m on Fix login in Web", want: core.Log{Amount: dur("45m"), Task: "Fix login", Project: "Web"}},
	{in: "spent 2h in Web", want: core.Log{Amount: dur("2h"), Project: "Web"}},
	{in: "Log 1h", want: core.Log{Amount: dur("1h")}},
	{in: "delete entry 1234", want: core.DeleteEntry{ID: 1234}},
	{in: "remove #7", want: core.DeleteEntry{ID: 7}},
	{in: "rm entry 9", want: core.DeleteEntry{ID: 9}},
	{in: "delete 12", want: core.DeleteEntry{ID: 12}},

	// Names.
	{in: "track Fix login", want: core.Track{Task: "Fix login"}},
	{in: "track Work on API in Backend", want: core.Track{Task: "Work on API", Project: "Backend"}},
	{in: "track Add login page in Web", want: core.Track{Task: "Add login page", Project: "Web"}},
	{in: "track Inside job in Insight", want: core.Track{Task: "Inside job", Project: "Insight"}},
	{in: "track Fix 2 bugs in Web 2.0", want: core.Track{Task: "Fix 2 bugs", Project: "Web 2.0"}},
	{in: "track 24 hours challenge", want: core.Track{Task: "24 hours challenge"}},
	{in: "track Email a@b.com in C# app", want: core.Track{Task: "Email a@b.com", Project: "C# app"}},
	{in: `track "Fix" "login" page`, want: core.Track{Task: "Fix login page"}},
	{in: `track "  Spaced   out  " in Web`, want: core.Track{Task: "Spaced out", Project: "Web"}},
	{in: `track 'Log in page' in 'Last Web'`, want: core.Track{Task: "Log in page", Project: "Last Web"}},
	{in: `track 'Bob's task' in Web`, want: core.Track{Task: "Bob's task", Project: "Web"}},
	{in: `track Bob's task in Web`, want: core.Track{Task: "Bob's task", Project: "Web"}},
	{in: `track "Today's work" in "Monday Club"`, want: core.Track{Task: "Today's work", Project: "Monday Club"}},
	{in: "track Write today's report", want: core.Track{Task: "Write today's report"}},
	{in: "track Prepare monthly report", want: core.Track{Task: "Prepare monthly report"}},
	{in: "track Review in-house tool", want: core.Track{Task: "Review in-house tool"}},
	{in: "track Fix login in Web Redesign for Acme", want: core.Track{Task: "Fix login", Project: "Web Redesign for Acme"}},
	{in: "track Ünïcødé tâsk in Prøject", want: core.Track{Task: "Ünïcødé tâsk", Project: "Prøject"}},

	// Track clauses.
	{in: "track Fix login #a #b #a", want: core.Track{Task: "Fix login", Tags: []string{"a", "b"}}},
	{in: "track Fix login #front-end #v1.2 #team/web #snake_case", want: core.Track{Task: "Fix login", Tags: []string{"front-end", "v1.2", "team/web", "snake_case"}}},
	{in: "track Fix login #urgent in Web billable -- quick one", want: core.Track{Task: "Fix login", Project: "Web", Tags: []string{"urgent"}, Billable: true, Note: "quick one"}},
	{in: "track Fix login nonbillable", want: core.Track{Task: "Fix login"}},
	{in: "track Fix login @Website Redesign #web", want: core.Track{Task: "Fix login", Project: "Website Redesign", Tags: []string{"web"}}},
	{in: "track Fix login @ Web", want: core.Track{Task: "Fix login", Project: "Web"}},
	{in: "track Fix login -- note with in and #hash and -- dashes", want: core.Track{Task: "Fix login", Note: "note with in and #hash and -- dashes"}},

	// Amounts.
	{in: "log 1h30m", want: core.Log{Amount: dur("1h30m")}},
	{in: "log 1.5h", want: core.Log{Amount: dur("1h30m")}},
	{in: "log 90m", want: core.Log{Amount: dur("90m")}},
	{in: "log 1:30", want: core.Log{Amount: dur("1h30m")}},
	{in: "log 0:45", want: core.Log{Amount: dur("45m")}},
	{in: "log 1h30", want: core.Log{Amount: dur("1h30m")}},
	{in: "log 2 hours", want: core.Log{Amount: dur("2h")}},
	{in: "log 1 hour", want: core.Log{Amount: dur("1h")}},
	{in: "log 45 min", want: core.Log{Amount: dur("45m")}},
	{in: "log 45 minutes on Call", want: core.Log{Amount: dur("45m"), Task: "Call"}},
	{in: "log 1h 30m", want: core.Log{Amount: dur("1h30m")}},
	{in: "log 1 hour 30 min", want: core.Log{Amount: dur("1h30m")}},
	{in: "log 2h", want: core.Log{Amount: dur("2h")}},
	{in: "log 2H", want: core.Log{Amount: dur("2h")}},
	{in: "log 2hrs", want: core.Log{Amount: dur("2h")}},
	{in: "log 3hr", want: core.Log{Amount: dur("3h")}},
	{in: "log 20mins", want: core.Log{Amount: dur("20m")}},
	{in: "log 0.25h", want: core.Log{Amount: dur("15m")}},
	{in: "log 24h", want: core.Log{Amount: dur("24h")}},
	{in: "log 9-11", want: core.Log{Amount: span(9, 0, 11, 0)}},
	{in: "log 14:00-15:30", want: core.Log{Amount: span(14, 0, 15, 30)}},
	{in: "log 9am-5pm", want: core.Log{Amount: span(9, 0, 17, 0)}},
	{in: "log 9AM-5PM", want: core.Log{Amount: span(9, 0, 17, 0)}},
	{in: "log 9am - 5pm on X", want: core.Log{Amount: span(9, 0, 17, 0), Task: "X"}},
	{in: "log 9 - 11", want: core.Log{Amount: span(9, 0, 11, 0)}},
	{in: "log 12am-1am", want: core.Log{Amount: span(0, 0, 1, 0)}},
	{in: "log 11am-12pm", want: core.Log{Amount: span(11, 0, 12, 0)}},
	{in: "log 1-3pm", want: core.Log{Amount: span(13, 0, 15, 0)}},
	{in: "log 10-2pm", want: core.Log{Amount: span(10, 0, 14, 0)}},
	{in: "log 12-1pm", want: core.Log{Amount: span(12, 0, 13, 0)}},
	{in: "log 9-11am", want: core.Log{Amount: span(9, 0, 11, 0)}},
	{in: "log 9:15-10", want: core.Log{Amount: span(9, 15, 10, 0)}},
	{in: "log 11-9", want: core.Log{Amount: span(11, 0, 9, 0)}}, // refused by core, not here

	// When.
	{in: "log 1h today", want: core.Log{Amount: dur("1h")}},
	{in: "log 1h yesterday", want: core.Log{Amount: dur("1h"), When: yesterday}},
	{in: "log 1h fri", want: core.Log{Amount: dur("1h"), When: friday}},
	{in: "log 1h Friday", want: core.Log{Amount: dur("1h"), When: friday}},
	{in: "log 1h this fri", want: core.Log{Amount: dur("1h"), When: friday}},
	{in: "log 1h on fri", want: core.Log{Amount: dur("1h"), When: friday}},
	{in: "log 1h on Design last fri", want: core.Log{Amount: dur("1h"), Task: "Design", When: core.Day{Kind: core.DayWeekday, Weekday: time.Friday, Last: true}}},
	{in: "log 1h mon", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayWeekday, Weekday: time.Monday}}},
	{in: "log 1h tues", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayWeekday, Weekday: time.Tuesday}}},
	{in: "log 1h wednesday", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayWeekday, Weekday: time.Wednesday}}},
	{in: "log 1h thurs", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayWeekday, Weekday: time.Thursday}}},
	{in: "log 1h thur", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayWeekday, Weekday: time.Thursday}}},
	{in: "log 1h sat", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayWeekday, Weekday: time.Saturday}}},
	{in: "log 1h last sunday", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayWeekday, Weekday: time.Sunday, Last: true}}},
	{in: "log 1h on 2026-02-28", want: core.Log{Amount: dur("1h"), When: core.Day{Kind: core.DayDate, Date: "2026-02-28"}}},
	{in: "log 1h on Design on tuesday", want: core.Log{Amount: dur("1h"), Task: "Design", When: core.Day{Kind: core.DayWeekday, Weekday: time.Tuesday}}},
	{in: "log 1h on Design on 2026-02-28", want: core.Log{Amount: dur("1h"), Task: "Design", When: core.Day{Kind: core.DayDate, Date: "2026-02-28"}}},
	{in: "log 1h on Design on yesterday", want: core.Log{Amount: dur("1h"), Task: "Design", When: yesterday}},
	{in: "log 1h on Work on API", want: core.Log{Amount: dur("1h"), Task: "Work on API"}},

	// Log clauses in any order.
	{in: "log 1h on Design in Web #ux billable -- review", want: core.Log{Amount: dur("1h"), Task: "Design", Project: "Web", Tags: []string{"ux"}, Billable: true, Note: "review"}},
	{in: "log 1h on Design in Web billable #ux yesterday", want: core.Log{Amount: dur("1h"), Task: "Design", Project: "Web", When: yesterday, Tags: []string{"ux"}, Billable: true}},
	{in: "log 1h yesterday on Design #ux in Web", want: core.Log{Amount: dur("1h"), Task: "Design", Project: "Web", When: yesterday, Tags: []string{"ux"}}},
	{in: "log 1h on Design @Web $", want: core.Log{Amount: dur("1h"), Task: "Design", Project: "Web", Billable: true}},
	{in: "log 1h in Web on Design", want: core.Log{Amount: dur("1h"), Project: "Web on Design"}}, // "on" is not reserved
	{in: `log 45m on "Session store" in Backend #refactor`, want: core.Log{Amount: dur("45m"), Task: "Session store", Project: "Backend", Tags: []string{"refactor"}}},
	{in: "log 1h on Prep for demo", want: core.Log{Amount: dur("1h"), Task: "Prep for demo"}},

	// Reports and help.
	{in: "report today", want: core.Report{}},
	{in: "report yesterday", want: core.Report{Period: core.Period{Kind: core.PeriodYesterday}}},
	{in: "report week", want: core.Report{Period: core.Period{Kind: core.PeriodWeek}}},
	{in: "report this week", want: core.Report{Period: core.Period{Kind: core.PeriodWeek}}},
	{in: "report month", want: core.Report{Period: core.Period{Kind: core.PeriodMonth}}},
	{in: "report this month", want: core.Report{Period: core.Period{Kind: core.PeriodMonth}}},
	{in: "Report Last Week", want: core.Report{Period: core.Period{Kind: core.PeriodLastWeek}}},
	{in: "report 2026-11-20", want: core.Report{Period: core.Period{Kind: core.PeriodDate, Date: "2026-11-20"}}},
	{in: "help track", want: core.Help{Topic: "track"}},
	{in: "help start", want: core.Help{Topic: "track"}},
	{in: "help pause", want: core.Help{Topic: "stop"}},
	{in: "help done", want: core.Help{Topic: "close task"}},
	{in: "help close task", want: core.Help{Topic: "close task"}},
	{in: "help archive", want: core.Help{Topic: "close project"}},
	{in: "help add project", want: core.Help{Topic: "add project"}},
	{in: "help add time entry", want: core.Help{Topic: "log"}},
	{in: "help spent", want: core.Help{Topic: "log"}},
	{in: "help rm", want: core.Help{Topic: "delete entry"}},
	{in: "help delete entry", want: core.Help{Topic: "delete entry"}},
	{in: "HELP Report", want: core.Help{Topic: "report"}},
	{in: "help help", want: core.Help{Topic: "help"}},

	// Errors: missing parts.
	{in: "track", err: &Error{Column: 6, Message: "task name missing"}},
	{in: "track #web", err: &Error{Column: 7, Message: "task name missing"}},
	{in: `track "" in Web`, err: &Error{Column: 7, Message: "task name missing"}},
	{in: "track Fix in", err: &Error{Column: 13, Message: "project name missing"}},
	{in: "track Fix @ #web", err: &Error{Column: 13, Message: "project name missing"}},
	{in: "log", err: &Error{Column: 4, Message: "amount of time missing"}},
	{in: "log on Design", err: &Error{Column: 5, Message: "amount of time missing"}},
	{in: "add time entry", err: &Error{Column: 15, Message: "amount of time missing"}},
	{in: "log 1h on", err: &Error{Column: 10, Message: "task name missing"}},
	{in: "log 1h on #x", err: &Error{Column: 11, Message: "task name missing"}},
	{in: "add task in Web", err: &Error{Column: 10, Message: "task name missing", Example: "add task Fix login in Website"}},
	{in: "add task Fix login", err: &Error{Column: 19, Message: "project missing"}},
	{in: "add project", err: &Error{Column: 12, Message: "project name missing", Example: "add project Website Redesign for Acme Corp"}},
	{in: "add project for Acme", err: &Error{Column: 13, Message: "project name missing"}},
	{in: "add project Web for", err: &Error{Column: 20, Message: "client name missing"}},
	{in: "close task", err: &Error{Column: 11, Message: "task name missing"}},
	{in: "close project", err: &Error{Column: 14, Message: "project name missing", Example: "close project Website Redesign"}},
	{in: "delete entry", err: &Error{Column: 13, Message: "entry id missing"}},

	// Errors: ambiguity and bad values.
	{in: "log 2", err: &Error{Column: 5, Message: `"2" has no unit`, Hint: "did you mean 2h or 2m?"}},
	{in: "log 1.5 on X", err: &Error{Column: 5, Message: `"1.5" has no unit`, Hint: "did you mean 1.5h or 1.5m?"}},
	{in: "add 30 on X", err: &Error{Column: 5, Message: `"30" has no unit`, Hint: "did you mean 30h or 30m?"}},
	{in: "log 0h", err: &Error{Column: 5, Message: `"0h" is no time`}},
	{in: "log 25h", err: &Error{Column: 5, Message: `"25h" is over 24 hours`}},
	{in: "log 99999999999999999h", err: &Error{Column: 5, Message: `"99999999999999999h" is over 24 hours`}},
	{in: "log 1:75", err: &Error{Column: 5, Message: `"1:75" has more than 59 minutes`}},
	{in: "log 9am", err: &Error{Column: 5, Message: `"9am" is a time of day`}},
	{in: "log 1hx", err: &Error{Column: 5, Message: `"1hx" is not an amount of time`}},
	{in: "log 9-25", err: &Error{Column: 5, Message: `"25" is not a time of day`}},
	{in: "log 13pm-2pm", err: &Error{Column: 5, Message: `"13pm" is not a time of day`}},
	{in: "log 9:60-10", err: &Error{Column: 5, Message: `"9:60" is not a time of day`}},
	{in: "log 9-10-11", err: &Error{Column: 5, Message: `"9-10-11" is not a time range`}},
	{in: "log 1h on X 2026-02-30", err: &Error{Column: 13, Message: `"2026-02-30" is not a date`}},
	{in: "report 2026-13-01", err: &Error{Column: 8, Message: `"2026-13-01" is not a date`}},
	{in: "delete entry abc", err: &Error{Column: 14, Message: `"abc" is not an entry id`}},
	{in: "delete entry #0", err: &Error{Column: 14, Message: `"#0" is not an entry id`}},
	{in: "add Fix login in Web", err: &Error{Column: 5, Message: `"Fix" is not an amount of time`}},
	{in: "log yesterday", err: &Error{Column: 5, Message: "amount of time missing"}},

	// Errors: parts given twice or in the wrong command.
	{in: "track Log in page in Website", err: &Error{Column: 19, Message: "project given twice", Hint: `quote a name that holds "in", as in "Log in page"`}},
	{in: "log 1h yesterday today", err: &Error{Column: 18, Message: "day given twice"}},
	{in: "log 1h on A #x on B", err: &Error{Column: 16, Message: "task given twice"}},
	{in: "track X billable nonbillable", err: &Error{Column: 18, Message: "both billable and nonbillable"}},
	{in: "log 1h nonbillable $", err: &Error{Column: 20, Message: "both billable and nonbillable"}},
	{in: "track Fix login yesterday", err: &Error{Column: 17, Message: "track takes no day"}},
	{in: "track Fix login on fri", err: &Error{Column: 20, Message: "track takes no day"}},
	{in: "close Fix login", err: &Error{Column: 7, Message: `close what? say "close task" or "close project"`}},
	{in: "done project Website", err: &Error{Column: 14, Message: `"done" closes a task, not a project`}},
	{in: "archive task Fix", err: &Error{Column: 14, Message: `"archive" closes a project, not a task`}},
	{in: "close project Web in Acme", err: &Error{Column: 22, Message: "a project is not in a project"}},

	// Errors: syntax.
	{in: "foo bar", err: &Error{Column: 1, Message: `unknown command "foo"`, Hint: commandList, Example: "track Fix login in Website"}},
	{in: "1h on Design", err: &Error{Column: 1, Message: `unknown command "1h"`}},
	{in: `"Stop button" in Web`, err: &Error{Column: 1, Message: `unknown command "\"Stop"`}},
	{in: `track "Log in page in Web`, err: &Error{Column: 7, Message: "unterminated quote", Hint: `end the name with "`}},
	{in: `track 'Log in page in Web`, err: &Error{Column: 7, Message: "unterminated quote"}},
	{in: "track Fix #a,b", err: &Error{Column: 11, Message: `invalid tag "#a,b"`}},
	{in: "track Fix # in Web", err: &Error{Column: 11, Message: `invalid tag "#"`}},
	{in: "status now", err: &Error{Column: 8, Message: `unexpected "now"`, Example: "status"}},
	{in: "undo 2", err: &Error{Column: 6, Message: `unexpected "2"`}},
	{in: "stop now", err: &Error{Column: 6, Message: `unexpected "now"`, Example: "stop -- done for today"}},
	{in: "track Fix this bug", err: &Error{Column: 11, Message: `"this" needs a weekday after it, as in this fri`}},
	{in: "log 1h last week", err: &Error{Column: 8, Message: `"last" needs a weekday after it, as in last fri`}},
	{in: "track Fix sun icon in Web", err: &Error{Column: 15, Message: `unexpected "icon"`, Hint: `quote a name that holds "sun", as in "Log in page"`}},
	{in: "track Release 2026-11-20 in Web", err: &Error{Column: 15, Message: "track takes no day"}},
	{in: "add project Time for Kids for Acme", want: core.AddProject{Project: "Time", Client: "Kids for Acme"}},
	{in: "add project Web #x", err: &Error{Column: 17, Message: `unexpected "#x"`}},
	{in: "add project Web in Acme", err: &Error{Column: 17, Message: `unexpected "in"`, Hint: `quote a name that holds "in", as in "Log in page"`}},
	{in: "report last", err: &Error{Column: 12, Message: "the command ends too early"}},
	{in: "report next week", err: &Error{Column: 8, Message: `unexpected "next"`}},
	{in: "log 1h Design", err: &Error{Column: 8, Message: `unexpected "Design"`}},
	{in: "track Fix $5", err: &Error{Column: 12, Message: `unexpected "5"`}},
	{in: "help foo", err: &Error{Column: 6, Message: `no command "foo"`}},
	{in: "help track now", err: &Error{Column: 6, Message: `no command "track now"`}},
	{in: "help add", err: &Error{Column: 6, Message: "help on which add?"}},
	{in: "help close", err: &Error{Column: 6, Message: "help on which close?"}},

	// Normalization (rule 4).
	{in: "track Fix &amp; ship in R&amp;D", want: core.Track{Task: "Fix & ship", Project: "R&D"}},
	{in: "track Fix login in Web <#C024BE91L|frontend>", want: core.Track{Task: "Fix login", Project: "Web", Tags: []string{"frontend"}}},
	{in: "track Review PR <@U123|ana>", want: core.Track{Task: "Review PR ana"}}, // a mention is the plain name, never the @ shorthand
	{in: "track Read <https://example.com/doc|the doc> in Web", want: core.Track{Task: "Read the doc", Project: "Web"}},
	{in: "track Read <https://example.com/doc> in Web", want: core.Track{Task: "Read https://example.com/doc", Project: "Web"}},
	{in: "track “Log in page” in Website", want: core.Track{Task: "Log in page", Project: "Website"}},
	{in: "track ‘Log in page’ in Website", want: core.Track{Task: "Log in page", Project: "Website"}},
	{in: "track Bob’s task in Website", want: core.Track{Task: "Bob's task", Project: "Website"}},
	{in: "stop — done for today", want: core.Stop{Note: "done for today"}},
	{in: "stop –done", want: core.Stop{Note: "done"}},
	{in: "log 9–11 on X", want: core.Log{Amount: span(9, 0, 11, 0), Task: "X"}},
	{in: "log 9am – 5pm on X", want: core.Log{Amount: span(9, 0, 17, 0), Task: "X"}},
	{in: "track\u00a0Fix\u00a0login\u202fin\tWeb\n", want: core.Track{Task: "Fix login", Project: "Web"}},
	{in: "\u200btrack Fix", want: core.Track{Task: "Fix"}},
}

func TestParse(t *testing.T) {
	for _, tc := range append(examplesFromSpec, parseCases...) {
		t.Run(tc.in, func(t *testing.T) {
			checkParse(t, tc, func() (core.Command, error) { return Parse(tc.in) })
		})
	}
}

func checkParse(t *testing.T, tc parseCase, parse func() (core.Command, error)) {
	t.Helper()
	got, err := parse()
	if tc.err == nil {
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Fatalf("Parse(%q)\n got %#v\nwant %#v", tc.in, got, tc.want)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%q) = %#v, %v; want *Error %v", tc.in, got, err, tc.err)
	}
	if got != nil {
		t.Errorf("Parse(%q) returned %#v with its error", tc.in, got)
	}
	if e.Column != tc.err.Column || e.Message != tc.err.Message {
		t.Errorf("Parse(%q) error = column %d %q, want column %d %q", tc.in, e.Column, e.Message, tc.err.Column, tc.err.Message)
	}
	if tc.err.Hint != "" && e.Hint != tc.err.Hint {
		t.Errorf("Parse(%q) hint = %q, want %q", tc.in, e.Hint, tc.err.Hint)
	}
	if tc.err.Example != "" && e.Example != tc.err.Example {
		t.Errorf("Parse(%q) example = %q, want %q", tc.in, e.Example, tc.err.Example)
	}
	if e.Example == "" {
		t.Errorf("Parse(%q) error has no example", tc.in)
	}
	if _, err := Parse(e.Example); err != nil {
		t.Errorf("example %q of Parse(%q) does not parse: %v", e.Example, tc.in, err)
	}
}

func TestParseWithDefault(t *testing.T) {
	cases := []struct {
		verb string
		parseCase
	}{
		{"track", parseCase{in: "Fix login in Website", want: core.Track{Task: "Fix login", Project: "Website"}}},
		{"track", parseCase{in: `"Stop button" in Web`, want: core.Track{Task: "Stop button", Project: "Web"}}},
		{"track", parseCase{in: "track Fix login in Website", want: core.Track{Task: "Fix login", Project: "Website"}}},
		{"track", parseCase{in: "stop", want: core.Stop{}}},
		{"track", parseCase{in: "report week", want: core.Report{Period: core.Period{Kind: core.PeriodWeek}}}},
		{"track", parseCase{in: "", want: core.Help{Topic: "track"}}},
		{"track", parseCase{in: "in Web", err: &Error{Column: 1, Message: "task name missing", Example: "track Fix login in Website"}}},
		{"track", parseCase{in: "Fix in", err: &Error{Column: 7, Message: "project name missing"}}},
		{"track", parseCase{in: "Stop button in Web", err: &Error{Column: 6, Message: `unexpected "button"`, Hint: `"Stop" is a command: quote a name that starts with it`}}},
		{"log", parseCase{in: "1h on Design", want: core.Log{Amount: dur("1h"), Task: "Design"}}},
		{"log", parseCase{in: "2 on Design", err: &Error{Column: 1, Message: `"2" has no unit`, Hint: "did you mean 2h or 2m?"}}},
		{"log", parseCase{in: "", want: core.Help{Topic: "log"}}},
		{"stop", parseCase{in: "", want: core.Stop{}}},
		{"stop", parseCase{in: "-- lunch", want: core.Stop{Note: "lunch"}}},
		{"status", parseCase{in: "", want: core.Status{}}},
		{"report", parseCase{in: "", want: core.Report{}}},
		{"report", parseCase{in: "last week", want: core.Report{Period: core.Period{Kind: core.PeriodLastWeek}}}},
		{"add task", parseCase{in: "Fix login in Web", want: core.AddTask{Task: "Fix login", Project: "Web"}}},
		{"done", parseCase{in: "Fix login", want: core.CloseTask{Task: "Fix login"}}},
		{"", parseCase{in: "Fix login", err: &Error{Column: 1, Message: `unknown command "Fix"`}}},
		{"", parseCase{in: "", want: core.Help{}}},
		{"tt", parseCase{in: "track Fix", want: core.Track{Task: "Fix"}}},
		{"tt", parseCase{in: "", want: core.Help{}}},
	}
	for _, tc := range cases {
		t.Run(tc.verb+"/"+tc.in, func(t *testing.T) {
			checkParse(t, tc.parseCase, func() (core.Command, error) { return ParseWithDefault(tc.in, tc.verb) })
		})
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  plain text  ", "plain text"},
		{"a &amp; b &lt;c&gt;", "a & b <c>"},
		{"&amp;lt;", "&lt;"},
		{"<#C024BE91L|frontend>", "#frontend"},
		{"<#C024BE91L>", "#C024BE91L"},
		{"<@U123|ana>", "ana"},
		{"<@U123>", "U123"},
		{"track Fix <@U123|ana> review in Web", "track Fix ana review in Web"},
		{"<!here>", "@here"},
		{"<!subteam^S123|@devs>", "@devs"},
		{"<http://x.com|label>", "label"},
		{"<http://x.com>", "http://x.com"},
		{"<mailto:a@b.com|a@b.com>", "a@b.com"},
		{"open < only", "open < only"},
		{"“double” „low‟ «guillemets»", `"double" "low" "guillemets"`},
		{"‘single’ ‚low‛", `'single' 'low'`},
		{"stop — note", "stop -- note"},
		{"stop —note", "stop --note"},
		{"— at start", "-- at start"},
		{"9–11", "9-11"},
		{"9 – 11", "9 - 11"},
		{"9am – 5pm", "9am - 5pm"},
		{"stop – 2 left", "stop -- 2 left"},
		{"well‐known non‑breaking −1", "well-known non-breaking -1"},
		{"a\u00a0b\u202fc\td\ne\u3000f", "a b c d e f"},
		{"zero\u200bwidth\ufeff", "zerowidth"},
	}
	for _, tc := range cases {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse("track in Web")
	const want = "column 7: task name missing (example: track Fix login in Website)"
	if err == nil || err.Error() != want {
		t.Fatalf("Parse(track in Web) error = %v, want %q", err, want)
	}
	_, err = Parse("log 2 on X")
	const withHint = `column 5: "2" has no unit; did you mean 2h or 2m? (example: log 1h30m on Write specs in Website yesterday #docs)`
	if err == nil || err.Error() != withHint {
		t.Fatalf("Parse(log 2 on X) error = %v, want %q", err, withHint)
	}
}

func TestErrorIsCoreError(t *testing.T) {
	_, err := Parse("track in Web")
	if code := core.ErrorCode(err); code != core.EINVALID {
		t.Errorf("core.ErrorCode = %q, want %q", code, core.EINVALID)
	}
	if msg := core.ErrorMessage(err); msg != err.Error() {
		t.Errorf("core.ErrorMessage = %q, want %q", msg, err.Error())
	}
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != core.EINVALID {
		t.Errorf("errors.As(*core.Error) = %v", ce)
	}
}

// TestExamplesParse keeps every example an error may show correct, and of
// the command it is for.
func TestExamplesParse(t *testing.T) {
	for name, ex := range examples {
		cmd, err := Parse(ex)
		if err != nil {
			t.Errorf("example %q: %v", ex, err)
			continue
		}
		if cmd.CommandName() != name {
			t.Errorf("example %q is a %q command, want %q", ex, cmd.CommandName(), name)
		}
	}
}

// TestCommandNames checks that every command the grammar knows is named by
// commandOf as core names it.
func TestCommandNames(t *testing.T) {
	for _, in := range []string{"track X", "start X", "stop", "pause", "add task X in Y", "close task X", "done X",
		"finish X", "complete X", "add project X", "close project X", "archive X", "log 1h", "spent 1h", "add 1h",
		"add time entry 1h", "delete entry 1", "remove 1", "rm 1", "status", "report", "undo", "help"} {
		cmd, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if name, _ := commandOf(strings.Fields(in)); name != cmd.CommandName() {
			t.Errorf("commandOf(%q) = %q, want %q", in, name, cmd.CommandName())
		}
	}
}

// TestParseConcurrent runs Parse from many goroutines at once: the grammar
// is shared (run with -race).
func TestParseConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, tc := range parseCases {
				if _, err := Parse(tc.in); (err != nil) != (tc.err != nil) {
					t.Errorf("Parse(%q): %v", tc.in, err)
				}
			}
		})
	}
	wg.Wait()
}
