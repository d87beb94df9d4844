package mattermost

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/reply"
)

// nearMissReply asks about a near miss (COMMANDS.md, "Near misses and
// buttons"): Mattermost has no buttons here, so both ways out are spelled
// out as commands to copy. nil for another error.
func nearMissReply(err error) *Reply {
	var nm *core.NearMiss
	if !errors.As(err, &nm) {
		return nil
	}
	where := ""
	if nm.Kind == "task" && nm.Project != "" {
		where = " in " + reply.Markdown.Strong(nm.Project)
	}
	text := fmt.Sprintf(":thinking_face: No %s %s%s: did you mean %s? Nothing was stored.\nUse it: %s",
		nm.Kind, reply.Markdown.Strong(nm.Name), where, reply.Markdown.Strong(nm.Existing), codeSpan(core.CommandText(nm.Use)))
	if nm.Create != nil {
		text += fmt.Sprintf("\nOr create %s: %s, then the command again.", reply.Markdown.Strong(nm.Name), codeSpan(core.CommandText(nm.Create)))
	}
	return &Reply{ResponseType: Ephemeral, Text: text}
}

// codeSpan puts a command in a code span, where Markdown and mentions do
// not apply; a backtick in it becomes a quote.
func codeSpan(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }

// newNamesLine tells of the projects and tasks a command made on the way
// (track, log, edit entry), and how to take them back; "" when it made
// none.
func newNamesLine(res *core.Result) string {
	if res.Command != "track" && res.Command != "log" && res.Command != "edit entry" {
		return ""
	}
	var parts []string
	if slices.Contains(res.Events, core.EventProjectCreated) && res.Project != nil {
		parts = append(parts, "new project "+reply.Markdown.Strong(res.Project.Name))
	}
	if slices.Contains(res.Events, core.EventTaskCreated) && res.Task != nil {
		parts = append(parts, "new task "+reply.Markdown.Strong(res.Task.Name))
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n🆕 " + strings.Join(parts, " · ") + " (`undo` takes it back)"
}
