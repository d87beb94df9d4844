package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/reply"
	"github.com/slack-go/slack"
)

// DecodeInteraction decodes an interaction's form body: its "payload"
// field holds the JSON of a slack.InteractionCallback. It returns an error
// when the body is not a form, the payload is missing or not JSON, or a
// block action lacks the team or user that identify who pressed.
func DecodeInteraction(body []byte) (slack.InteractionCallback, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return slack.InteractionCallback{}, fmt.Errorf("malformed form body: %w", err)
	}
	payload := form.Get("payload")
	if payload == "" {
		return slack.InteractionCallback{}, errors.New("payload is missing")
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &cb); err != nil {
		return slack.InteractionCallback{}, fmt.Errorf("payload is not an interaction: %w", err)
	}
	if cb.Type == slack.InteractionTypeBlockActions {
		switch {
		case interactionTeam(cb) == "":
			return cb, errors.New("team is missing")
		case cb.User.ID == "":
			return cb, errors.New("user is missing")
		}
	}
	return cb, nil
}

// interactionTeam is the team of who pressed: the payload's team, or the
// user's own (Enterprise Grid sends no team for org-wide apps).
func interactionTeam(cb slack.InteractionCallback) string {
	if cb.Team.ID != "" {
		return cb.Team.ID
	}
	return cb.User.TeamID
}

// ServeInteractions handles POST /slack/interactions: a press of the Stop
// button of a tracker.started message. The signature is checked as for
// commands. The timer stops if it is the presser's own running timer, and
// the original message is replaced to show it stopped; otherwise the
// presser alone is told why not. Both answers go to the payload's
// response_url; the request itself is answered with an empty 200. Other
// interactions are acknowledged and ignored. The Continue and Delete
// buttons of an entries answer run those commands (entries.go).
func (h *Handler) ServeInteractions(w http.ResponseWriter, r *http.Request) {
	if err := h.interaction(w, r); err != nil {
		he := httpx.ErrorOf(err)
		h.opts.Logger.WarnContext(r.Context(), "slack interaction rejected", "status", he.Status, "reason", he.Message, "remote", r.RemoteAddr)
		_ = httpx.AdapterJSON.Error(w, he)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) interaction(w http.ResponseWriter, r *http.Request) error {
	body, err := h.readVerified(w, r)
	if err != nil {
		return err
	}
	cb, err := DecodeInteraction(body)
	if err != nil {
		return httpx.Errorf(http.StatusBadRequest, "invalid", "%v", err)
	}
	if err := h.teamAllowed(interactionTeam(cb)); err != nil {
		return err
	}
	if cb.Type != slack.InteractionTypeBlockActions {
		return nil
	}
	var press *slack.BlockAction
	for _, a := range cb.ActionCallback.BlockActions {
		if a != nil && isButton(a.ActionID) {
			press = a
			break
		}
	}
	if press == nil {
		if err := h.buttonPressed(r, cb); err != nil {
			return err
		}
		return h.reminderActions(r.Context(), cb)
	}
	if cb.ResponseURL != "" && !h.responseURLAllowed(cb.ResponseURL) {
		// Refused before anything changes: the answer could not be told.
		return httpx.Errorf(http.StatusBadRequest, core.EINVALID, "response_url must be on https://hooks.slack.com/, not %q", hostOf(cb.ResponseURL))
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.ReplyTimeout)
	defer cancel()
	for _, answer := range h.pressed(ctx, cb, press) {
		if cb.ResponseURL == "" {
			break
		}

		if err := slack.PostWebhookCustomHTTPContext(ctx, cb.ResponseURL, h.opts.Client, answer); err != nil {
			h.opts.Logger.WarnContext(ctx, "slack interaction answer failed", "err", err)
		}
	}
	return nil
}

// stopPressed stops the timer of a Stop button for the presser, if it is
// theirs and running, and returns the answers for response_url: the
// original message replaced to show it stopped, and a word to the presser
// alone when there is something to explain.
func (h *Handler) stopPressed(ctx context.Context, cb slack.InteractionCallback, value string) []*slack.WebhookMessage {
	id, err := core.ParseID(value)
	if err != nil {
		return []*slack.WebhookMessage{whisper("I could not read that button; use `stop` instead.")}
	}
	const notYours = "That timer is not yours, so I left it running: only the person who started it can stop it."
	user, err := h.svc.LookupIdentity(ctx, core.ProviderSlack, interactionTeam(cb)+":"+cb.User.ID)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return []*slack.WebhookMessage{whisper(notYours)}
	}
	if err != nil {
		return []*slack.WebhookMessage{h.failure(ctx, err)}
	}
	actor := core.Actor{User: user, Source: "slack"}
	entry, err := h.svc.GetEntry(ctx, actor, id)
	switch {
	case core.ErrorCode(err) == core.ENOTFOUND:
		return []*slack.WebhookMessage{whisper("That timer is not yours, or it was deleted; I left everything as it was.")}
	case err != nil:
		return []*slack.WebhookMessage{h.failure(ctx, err)}
	case entry.UserID != user.ID:
		return []*slack.WebhookMessage{whisper(notYours)}
	case !entry.Running():
		took := core.HumanDuration(time.Duration(entry.DurationSeconds) * time.Second)
		return []*slack.WebhookMessage{stoppedOriginal(cb, user.Name, took, false), whisper("That timer was already stopped, after " + took + ".")}
	}
	// The entry is the presser's running timer: a user has one at most.
	if cb.TriggerID != "" {
		actor.DedupeKey = "slack:" + cb.TriggerID
	}
	res, err := h.svc.Execute(ctx, actor, core.Stop{})
	switch {
	case errors.Is(err, core.ErrDuplicate):
		return nil // the same press, delivered again: answered the first time
	case core.ErrorCode(err) == core.EINVALID:
		return []*slack.WebhookMessage{whisper("That timer was already stopped.")}
	case err != nil:
		return []*slack.WebhookMessage{h.failure(ctx, err)}
	case res.Stopped == nil || res.Stopped.ID != id:
		// Another timer started in between: it is what stopped.
		return []*slack.WebhookMessage{whisper(reply.Text(res))}
	}
	took := core.HumanDuration(time.Duration(res.Stopped.DurationSeconds) * time.Second)
	return []*slack.WebhookMessage{stoppedOriginal(cb, user.Name, took, true)}
}

// whisper is an answer only the presser sees; the original stays.
func whisper(text string) *slack.WebhookMessage {
	return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

func (h *Handler) failure(ctx context.Context, err error) *slack.WebhookMessage {
	if core.ErrorCode(err) == core.EINTERNAL {
		h.opts.Logger.ErrorContext(ctx, "slack interaction failed", "err", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return whisper(":hourglass: The gateway is busy; nothing was changed. Please try again.")
	}
	return whisper(":warning: " + escape(core.ErrorMessage(err)))
}

// stoppedOriginal replaces the original message: the same blocks without
// the Stop button, and a line that says who stopped it after how long.
func stoppedOriginal(cb slack.InteractionCallback, who, took string, now bool) *slack.WebhookMessage {
	note := fmt.Sprintf("⏹ Stopped by *%s* after *%s*", escape(who), took)
	if !now {
		note = fmt.Sprintf("⏹ Stopped after *%s*", took)
	}
	var blocks []slack.Block
	for _, b := range cb.Message.Blocks.BlockSet {
		if isStopBlock(b) {
			continue
		}
		blocks = append(blocks, b)
	}
	blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, note, false, false)))
	text := cb.Message.Text
	if text == "" {
		text = "⏱ a timer"
	}
	return &slack.WebhookMessage{ReplaceOriginal: true, Text: text + " (stopped after " + took + ")", Blocks: &slack.Blocks{BlockSet: blocks}}
}

// isStopBlock reports whether a block holds the Stop button.
func isStopBlock(b slack.Block) bool {
	ab, ok := b.(*slack.ActionBlock)
	if !ok {
		return false
	}
	if ab.BlockID == StopBlockID {
		return true
	}
	if ab.Elements == nil {
		return false
	}
	for _, e := range ab.Elements.ElementSet {
		if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.ActionID == StopActionID {
			return true
		}
	}
	return false
}
