package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/reply"
	"github.com/slack-go/slack"
)

// Buttons of the gateway's replies besides Stop (COMMANDS.md, "Near misses
// and buttons"): the two ways out of a near miss, and the Undo of a reply
// that made new names.
const (
	// NearUseActionID runs the command with the existing name; its value
	// is an action value (EncodeNearAction) without a confirmed name.
	NearUseActionID = "near_use"
	// NearCreateActionID runs the command as asked, the new name
	// confirmed.
	NearCreateActionID = "near_create"
	// NearBlockID is the block of both near-miss buttons.
	NearBlockID = "near_miss"
	// UndoActionID undoes the change that made a reply's new names, if it
	// is still the presser's last (core.Service.UndoPressed); its value
	// is "entry:ID", "project:ID" or "task:ID".
	UndoActionID = "undo_change"
	// UndoBlockID is the block of the Undo button.
	UndoBlockID = "undo"
)

// maxActionValue is the longest value Slack keeps on a button.
const maxActionValue = 2000

// nearAction is the value of a near-miss button: a track, log, close,
// edit entry or reopen command as JSON, and the new name it may create.
type nearAction struct {
	Verb    string          `json:"verb"`
	Command json.RawMessage `json:"cmd"`
	Confirm string          `json:"confirm,omitempty"`
}

// EncodeNearAction writes a near-miss button's value: the command (track,
// log, close, edit entry or reopen) and the confirmed new name's key, if any. ok is false when the
// command is of another kind or the value would be over Slack's 2,000
// characters (a long note): the reply then spells the command out only.
func EncodeNearAction(cmd core.Command, confirm string) (string, bool) {
	switch cmd.(type) {
	case core.Track, core.Log, core.CloseProject, core.CloseTask, core.EditEntry, core.ReopenProject, core.ReopenTask:
	default:
		return "", false
	}
	b, err := json.Marshal(cmd)
	if err != nil {
		return "", false
	}
	v, err := marshal(nearAction{Verb: cmd.CommandName(), Command: b, Confirm: confirm})
	if err != nil || utf8.RuneCount(v) > maxActionValue {
		return "", false
	}
	return string(v), true
}

// DecodeNearAction reads a near-miss button's value: the command to run
// and the names it may create (none, or the one key). It refuses anything
// that EncodeNearAction does not make: another verb, unknown fields, a
// confirmed key that is no project or task key, a log's exact end, an
// edit of no entry or of two.
func DecodeNearAction(value string) (core.Command, []string, error) {
	if len(value) > maxActionValue*4 {
		return nil, nil, errors.New("action value is too long")
	}
	var a nearAction
	if err := strictJSON([]byte(value), &a); err != nil {
		return nil, nil, fmt.Errorf("action value: %w", err)
	}
	var cmd core.Command
	switch a.Verb {
	case "track":
		var t core.Track
		if err := strictJSON(a.Command, &t); err != nil {
			return nil, nil, fmt.Errorf("track: %w", err)
		}
		cmd = t
	case "log":
		var l core.Log
		if err := strictJSON(a.Command, &l); err != nil {
			return nil, nil, fmt.Errorf("log: %w", err)
		}
		if l.End != nil {
			return nil, nil, errors.New("log: an exact end is not a chat command")
		}
		cmd = l
	case "close project":
		var p core.CloseProject
		if err := strictJSON(a.Command, &p); err != nil {
			return nil, nil, fmt.Errorf("close project: %w", err)
		}
		cmd = p
	case "close task":
		var t core.CloseTask
		if err := strictJSON(a.Command, &t); err != nil {
			return nil, nil, fmt.Errorf("close task: %w", err)
		}
		cmd = t
	case "edit entry":
		var e core.EditEntry
		if err := strictJSON(a.Command, &e); err != nil {
			return nil, nil, fmt.Errorf("edit entry: %w", err)
		}
		if e.Last == (e.ID > 0) || e.ID < 0 {
			return nil, nil, errors.New("edit entry: name one entry, by its number or last")
		}
		cmd = e
	case "reopen project":
		var p core.ReopenProject
		if err := strictJSON(a.Command, &p); err != nil {
			return nil, nil, fmt.Errorf("reopen project: %w", err)
		}
		cmd = p
	case "reopen task":
		var t core.ReopenTask
		if err := strictJSON(a.Command, &t); err != nil {
			return nil, nil, fmt.Errorf("reopen task: %w", err)
		}
		cmd = t
	default:
		return nil, nil, fmt.Errorf("action value: verb %q is not track, log, close, edit entry or reopen", a.Verb)
	}
	if a.Confirm == "" {
		return cmd, nil, nil
	}
	if !strings.HasPrefix(a.Confirm, "project:") && !strings.HasPrefix(a.Confirm, "task:") {
		return nil, nil, fmt.Errorf("action value: %q confirms no project or task", a.Confirm)
	}
	return cmd, []string{a.Confirm}, nil
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// DecodeUndoAction reads an Undo button's value: "entry:ID", "project:ID"
// or "task:ID".
func DecodeUndoAction(value string) (kind string, id core.ID, err error) {
	kind, num, ok := strings.Cut(value, ":")
	if !ok || !slices.Contains([]string{core.UndoOfEntry, core.UndoOfProject, core.UndoOfTask}, kind) {
		return "", 0, fmt.Errorf("undo value %q names no entry, project or task", value)
	}
	id, err = core.ParseID(num)
	if err != nil {
		return "", 0, fmt.Errorf("undo value %q: %w", value, err)
	}
	return kind, id, nil
}

// boldName is a name in bold, escaped, as replies write names.
func boldName(s string) string { return reply.Slack.Strong(s) }

// buttonLabel is a button's plain text, cut to Slack's 75 characters.
func buttonLabel(s string) *slack.TextBlockObject {
	if utf8.RuneCountInString(s) > 75 {
		s = string([]rune(s)[:74]) + "…"
	}
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// NearMissMessage asks about a near miss: the question, a button that uses
// the existing name and one that creates the new one (when it can be
// made), and the same two ways spelled out as commands.
func NearMissMessage(nm *core.NearMiss) *slack.Msg {
	where := ""
	if nm.Kind == "task" && nm.Project != "" {
		where = " in " + boldName(nm.Project)
	}
	text := fmt.Sprintf(":thinking_face: No %s %s%s: did you mean %s? Nothing was stored.", nm.Kind, boldName(nm.Name), where, boldName(nm.Existing))
	m := ephemeral(text, "")
	var buttons []slack.BlockElement
	var useLabel string
	switch nm.Use.(type) {
	case core.Log:
		useLabel = "Log on " + nm.Existing
		if nm.Kind == "project" {
			useLabel = "Log in " + nm.Existing
		}
	case core.CloseProject, core.CloseTask:
		useLabel = "Close " + nm.Existing
	case core.ReopenProject, core.ReopenTask:
		useLabel = "Reopen " + nm.Existing
	case core.EditEntry:
		useLabel = "Edit on " + nm.Existing
		if nm.Kind == "project" {
			useLabel = "Edit in " + nm.Existing
		}
	default:
		useLabel = "Track " + nm.Existing
		if nm.Kind == "project" {
			useLabel = "Track in " + nm.Existing
		}
	}
	if v, ok := EncodeNearAction(nm.Use, ""); ok {
		buttons = append(buttons, slack.NewButtonBlockElement(NearUseActionID, v, buttonLabel(useLabel)).WithStyle(slack.StylePrimary))
	}
	if nm.Create != nil {
		if v, ok := EncodeNearAction(nm.Again, nm.ConfirmKey()); ok {
			buttons = append(buttons, slack.NewButtonBlockElement(NearCreateActionID, v, buttonLabel(fmt.Sprintf("Create %q", nm.Name))))
		}
	}
	if len(buttons) > 0 {
		m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewActionBlock(NearBlockID, buttons...))
	}
	ways := "Or type `" + escape(core.CommandText(nm.Use)) + "`"
	if nm.Create != nil {
		ways += fmt.Sprintf(", or `%s` then the command again", escape(core.CommandText(nm.Create)))
	}
	m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, ways+".", false, false)))
	return m
}

// newNames lists what a command made besides its entry ("new project
// *Web*"), and the Undo button's value; "" when it made no project or task.
func newNames(res *core.Result) (line, undo string) {
	var parts []string
	if slices.Contains(res.Events, core.EventProjectCreated) && res.Project != nil {
		parts = append(parts, "new project "+boldName(res.Project.Name))
	}
	if slices.Contains(res.Events, core.EventTaskCreated) && res.Task != nil {
		parts = append(parts, "new task "+boldName(res.Task.Name))
	}
	if len(parts) == 0 {
		return "", ""
	}
	switch {
	case res.Command == "edit entry" && slices.Contains(res.Events, core.EventProjectCreated) && res.Project != nil:
		// An edit keeps its entry: the new project's step finds the change.
		undo = core.UndoOfProject + ":" + res.Project.ID.String()
	case res.Command == "edit entry" && res.Task != nil:
		undo = core.UndoOfTask + ":" + res.Task.ID.String()
	case res.Entry != nil && res.Command != "delete entry":
		undo = core.UndoOfEntry + ":" + res.Entry.ID.String()
	case res.Command == "add task" && res.Task != nil:
		undo = core.UndoOfTask + ":" + res.Task.ID.String()
	case res.Command == "add project" && res.Project != nil:
		undo = core.UndoOfProject + ":" + res.Project.ID.String()
	default:
		return "", ""
	}
	return "🆕 " + strings.Join(parts, " · "), undo
}

// withNewNames adds to a command's reply the new names it made and an Undo
// button for them.
func withNewNames(m *slack.Msg, res *core.Result) {
	line, undo := newNames(res)
	if undo == "" {
		return
	}
	if strings.HasPrefix(res.Command, "add ") {
		line = "Not what you meant?" // the reply itself names the new thing
	}
	m.Blocks.BlockSet = append(m.Blocks.BlockSet,
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, line, false, false)),
		slack.NewActionBlock(UndoBlockID, slack.NewButtonBlockElement(UndoActionID, undo, buttonLabel("Undo"))))
}

// buttonPressed handles the near-miss and Undo buttons (the Stop button is
// handled by interaction): it runs what the button says for the presser and
// answers through response_url. Other actions are acknowledged and
// ignored.
func (h *Handler) buttonPressed(r *http.Request, cb slack.InteractionCallback) error {
	var press *slack.BlockAction
	for _, a := range cb.ActionCallback.BlockActions {
		if a != nil && (a.ActionID == NearUseActionID || a.ActionID == NearCreateActionID || a.ActionID == UndoActionID) {
			press = a
			break
		}
	}
	if press == nil {
		return nil
	}
	if cb.ResponseURL != "" && !h.responseURLAllowed(cb.ResponseURL) {
		return httpx.Errorf(http.StatusBadRequest, core.EINVALID, "response_url must be on https://hooks.slack.com/, not %q", hostOf(cb.ResponseURL))
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.ReplyTimeout)
	defer cancel()
	for _, answer := range h.runButton(ctx, cb, press) {
		if cb.ResponseURL == "" {
			break
		}
		if err := slack.PostWebhookCustomHTTPContext(ctx, cb.ResponseURL, h.opts.Client, answer); err != nil {
			h.opts.Logger.WarnContext(ctx, "slack interaction answer failed", "err", err)
		}
	}
	return nil
}

// runButton runs a pressed near-miss or Undo button as the presser, and
// returns the answers for response_url.
func (h *Handler) runButton(ctx context.Context, cb slack.InteractionCallback, press *slack.BlockAction) []*slack.WebhookMessage {
	actor := core.Actor{Source: "slack", Identity: &core.ChatIdentity{
		Provider: core.ProviderSlack, Subject: interactionTeam(cb) + ":" + cb.User.ID, Name: cb.User.Name}}
	if cb.TriggerID != "" {
		actor.DedupeKey = "slack:" + cb.TriggerID
	}
	if cb.Channel.ID != "" {
		actor.Channel = h.channel(slack.SlashCommand{TeamID: interactionTeam(cb), ChannelID: cb.Channel.ID})
	}
	var res *core.Result
	var err error
	if press.ActionID == UndoActionID {
		kind, id, derr := DecodeUndoAction(press.Value)
		if derr != nil {
			return []*slack.WebhookMessage{whisper("I could not read that button; use `undo` instead.")}
		}
		user, lerr := h.svc.LookupIdentity(ctx, core.ProviderSlack, actor.Identity.Subject)
		if core.ErrorCode(lerr) == core.ENOTFOUND {
			return []*slack.WebhookMessage{whisper("There is nothing of yours to undo.")}
		}
		if lerr != nil {
			return []*slack.WebhookMessage{h.failure(ctx, lerr)}
		}
		actor.User, actor.Identity = user, nil
		res, err = h.svc.UndoPressed(ctx, actor, kind, id)
	} else {
		cmd, confirmed, derr := DecodeNearAction(press.Value)
		if derr != nil {
			return []*slack.WebhookMessage{whisper("I could not read that button; type the command instead.")}
		}
		actor.Confirmed = confirmed
		actor.Identity.TimeZone = h.newUserZone(ctx, interactionTeam(cb), cb.User.ID)
		actor.User, actor.Identity = h.knownUser(ctx, actor.Identity)
		res, err = h.svc.Execute(ctx, actor, cmd)
	}
	var nm *core.NearMiss
	switch {
	case errors.Is(err, core.ErrDuplicate):
		return nil // the same press, delivered again: answered the first time
	case errors.As(err, &nm):
		return []*slack.WebhookMessage{webhookOf(NearMissMessage(nm), true)}
	case err != nil:
		return []*slack.WebhookMessage{h.failure(ctx, err)}
	}
	m := ResultMessage(res)
	if press.ActionID == UndoActionID {
		// The Undo button goes; the reply says what was undone.
		return []*slack.WebhookMessage{webhookOf(m, true)}
	}
	if m.ResponseType == slack.ResponseTypeInChannel {
		// The question was the asker's alone: it goes, and the channel
		// sees the answer once.
		return []*slack.WebhookMessage{{DeleteOriginal: true}, webhookOf(m, false)}
	}
	return []*slack.WebhookMessage{webhookOf(m, true)}
}

// knownUser returns the user of a chat identity when it is known (so that
// the command needs no identity), else the identity to resolve.
func (h *Handler) knownUser(ctx context.Context, id *core.ChatIdentity) (core.User, *core.ChatIdentity) {
	u, err := h.svc.LookupIdentity(ctx, id.Provider, id.Subject)
	if err != nil {
		return core.User{}, id
	}
	return u, nil
}

// webhookOf turns a reply into a response_url message, replacing the
// original when replace is set.
func webhookOf(m *slack.Msg, replace bool) *slack.WebhookMessage {
	blocks := m.Blocks
	return &slack.WebhookMessage{ResponseType: m.ResponseType, Text: m.Text, Blocks: &blocks, ReplaceOriginal: replace}
}

// nearMissReply is the reply to a command that met a near miss, or nil
// for another error.
func nearMissReply(err error) *slack.Msg {
	var nm *core.NearMiss
	if errors.As(err, &nm) {
		return NearMissMessage(nm)
	}
	return nil
}
