package parser

import (
	"strconv"
	"strings"

	"github.com/chatops/gateway/core"
)

// Error is a command that cannot be read. It says where, what is wrong, and
// shows a correct example of the command the user was attempting.
type Error struct {
	// Column is where the problem is, counted in runes from 1 in the
	// normalized text (see Normalize). It is one past the last rune when
	// the command ends too early.
	Column int `json:"column"`
	// Message says what is wrong: "task name missing".
	Message string `json:"message"`
	// Example is a correct command of the kind the user was attempting, or
	// a general one.
	Example string `json:"example,omitempty"`
	// Hint, when set, suggests a fix: "did you mean 2h or 2m?".
	Hint string `json:"hint,omitempty"`
	// syntax says the grammar refused the text, as opposed to a check of
	// what it read (an amount over 24 hours).
	syntax bool
}

// Error reads like "column 7: task name missing (example: track Fix login in
// Website)", with the hint, if any, after the message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("column ")
	b.WriteString(strconv.Itoa(e.Column))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	if e.Example != "" {
		b.WriteString(" (example: ")
		b.WriteString(e.Example)
		b.WriteString(")")
	}
	return b.String()
}

// CoreError returns e as a core error with code invalid, whose message is
// e.Error(), for transports that render core errors.
func (e *Error) CoreError() *core.Error {
	return &core.Error{Code: core.EINVALID, Message: e.Error()}
}

// Unwrap returns e.CoreError(), so that errors.As finds a *core.Error and
// core.ErrorCode and core.ErrorMessage work on parse errors.
func (e *Error) Unwrap() error { return e.CoreError() }

// examples holds a correct example of each command, by CommandName.
var examples = map[string]string{
	"track":          "track Fix login in Website",
	"stop":           "stop -- done for today",
	"add task":       "add task Fix login in Website",
	"close task":     "close task Fix login in Website",
	"add project":    "add project Website Redesign for Acme Corp",
	"close project":  "close project Website Redesign",
	"log":            "log 1h30m on Write specs in Website yesterday #docs",
	"delete entry":   "delete entry #1234",
	"status":         "status",
	"report":         "report last week",
	"undo":           "undo",
	"help":           "help track",
	"notify":         "notify tracker.* time_entry.*",
	"notify list":    "notify list",
	"notify off":     "notify off 12",
	"tz":             "tz Europe/Berlin",
	"entries":        "entries yesterday",
	"edit entry":     "edit entry #12 9-11 on Design in Website",
	"continue":       "continue #12",
	"reopen task":    "reopen task Fix login in Website",
	"reopen project": "reopen project Website",
	"who":            "who",
	"remind":         "remind 17:30 weekdays",
	"remind off":     "remind off",
	"report every":   "report week every fri 17:00",
	"schedules":      "schedules",
	"schedules off":  "schedules off 3",
}

// commandList names the commands, for the hint on an unknown one.
const commandList = "commands are track, stop, add task, close task, add project, close project, log, entries, edit entry, continue, delete entry, reopen, status, report, who, undo, notify, tz and help"

// commandOf returns the CommandName that the words of a command start with,
// and how many words name it; "" when the first word is not a verb. The
// verbs "add" and "close" alone name the log and close task commands.
func commandOf(words []string) (name string, n int) {
	word := func(i int) string {
		if i < len(words) {
			return strings.ToLower(words[i])
		}
		return ""
	}
	switch word(0) {
	case "track", "start":
		return "track", 1
	case "stop", "pause":
		return "stop", 1
	case "log", "spent":
		return "log", 1
	case "status", "report", "undo", "help":
		return word(0), 1
	case "tz", "timezone":
		return "tz", 1
	case "entries", "list", "ls":
		return "entries", 1
	case "edit":
		if word(1) == "entry" {
			return "edit entry", 2
		}
		return "edit entry", 1
	case "continue", "resume", "restart":
		return "continue", 1
	case "who", "team":
		return "who", 1
	case "reopen":
		switch word(1) {
		case "task", "project":
			return "reopen " + word(1), 2
		}
		return "reopen task", 1
	case "remind":
		if word(1) == "off" {
			return "remind off", 2
		}
		return "remind", 1
	case "schedules":
		if word(1) == "off" {
			return "schedules off", 2
		}
		return "schedules", 1
	case "notify":
		switch word(1) {
		case "list", "off":
			return "notify " + word(1), 2
		}
		return "notify", 1
	case "delete", "remove", "rm":
		if word(1) == "entry" {
			return "delete entry", 2
		}
		return "delete entry", 1
	case "add":
		switch {
		case word(1) == "task":
			return "add task", 2
		case word(1) == "project":
			return "add project", 2
		case word(1) == "time" && word(2) == "entry":
			return "log", 3
		}
		return "log", 1
	case "close", "done", "finish", "complete", "archive":
		switch {
		case word(1) == "task":
			return "close task", 2
		case word(1) == "project":
			return "close project", 2
		case word(0) == "archive":
			return "close project", 1
		}
		return "close task", 1
	}
	return "", 0
}

// exampleFor returns the example of the command text starts with, or the
// track example when it starts with no verb.
func exampleFor(text string) string {
	words := strings.Fields(text)
	if len(words) > 3 {
		words = words[:3]
	}
	if name, _ := commandOf(words); name != "" {
		return examples[name]
	}
	return examples["track"]
}
