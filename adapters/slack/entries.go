package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/reply"
	"github.com/slack-go/slack"
)

// The buttons of an entries answer: each listed entry gets [Continue #ID]
// (a timer like it) and [Delete #ID] (with a confirmation), pressed through
// /slack/interactions. A button's value is the entry's id.
const (
	ContinueActionID = "continue_entry"
	DeleteActionID   = "delete_entry"
	// entryBlockPrefix starts the block id of an entry's buttons.
	entryBlockPrefix = "entry_"
	// maxEntryButtons is how many entries get buttons: those the answer
	// lists (Slack takes at most 50 blocks in a message).
	maxEntryButtons = reply.MaxListedEntries
)

// entryButtons returns the button rows of an entries answer, nil for any
// other result.
func entryButtons(res *core.Result) []slack.Block {
	if res.Command != "entries" || res.List == nil {
		return nil
	}
	var blocks []slack.Block
	for i, l := range res.List.Lines {
		if i == maxEntryButtons {
			break
		}
		id := l.Entry.ID.String()
		cont := slack.NewButtonBlockElement(ContinueActionID, id, slack.NewTextBlockObject(slack.PlainTextType, "Continue #"+id, false, false))
		del := slack.NewButtonBlockElement(DeleteActionID, id, slack.NewTextBlockObject(slack.PlainTextType, "Delete #"+id, false, false))
		del.WithStyle(slack.StyleDanger).WithConfirm(slack.NewConfirmationBlockObject(
			slack.NewTextBlockObject(slack.PlainTextType, "Delete entry #"+id+"?", false, false),
			slack.NewTextBlockObject(slack.PlainTextType, "It is gone for good unless you undo within 10 minutes.", false, false),
			slack.NewTextBlockObject(slack.PlainTextType, "Delete", false, false),
			slack.NewTextBlockObject(slack.PlainTextType, "Keep", false, false)))
		blocks = append(blocks, slack.NewActionBlock(entryBlockPrefix+id, cont, del))
	}
	return blocks
}

// isButton reports whether an action is one of the gateway's own buttons.
func isButton(actionID string) bool {
	switch actionID {
	case StopActionID, ContinueActionID, DeleteActionID:
		return true
	}
	return false
}

// pressed runs the press of one of the gateway's buttons and returns the
// answers for response_url.
func (h *Handler) pressed(ctx context.Context, cb slack.InteractionCallback, press *slack.BlockAction) []*slack.WebhookMessage {
	switch press.ActionID {
	case ContinueActionID, DeleteActionID:
		return h.entryPressed(ctx, cb, press)
	}
	return h.stopPressed(ctx, cb, press.Value)
}

// entryPressed runs continue or delete entry for the presser, on the
// entry of the button: the presser's own (an admin's: anyone's), as the
// commands would. The answer is the command's: continue's in the channel,
// delete's to the presser alone.
func (h *Handler) entryPressed(ctx context.Context, cb slack.InteractionCallback, press *slack.BlockAction) []*slack.WebhookMessage {
	id, err := core.ParseID(press.Value)
	if err != nil {
		return []*slack.WebhookMessage{whisper("I could not read that button; use `continue ID` or `delete entry ID` instead.")}
	}
	user, err := h.svc.LookupIdentity(ctx, core.ProviderSlack, interactionTeam(cb)+":"+cb.User.ID)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return []*slack.WebhookMessage{whisper(fmt.Sprintf("Entry #%d is not yours; I left everything as it was.", id))}
	}
	if err != nil {
		return []*slack.WebhookMessage{h.failure(ctx, err)}
	}
	actor := core.Actor{User: user, Source: "slack"}
	if cb.TriggerID != "" {
		actor.DedupeKey = "slack:" + cb.TriggerID
	}
	var cmd core.Command = core.Continue{ID: id}
	if press.ActionID == DeleteActionID {
		cmd = core.DeleteEntry{ID: id}
	}
	res, err := h.svc.Execute(ctx, actor, cmd)
	switch {
	case errors.Is(err, core.ErrDuplicate):
		return nil // the same press, delivered again: answered the first time
	case err != nil && core.ErrorCode(err) != core.EINTERNAL:
		return []*slack.WebhookMessage{whisper(":warning: " + escape(core.ErrorMessage(err)))}
	case err != nil:
		return []*slack.WebhookMessage{h.failure(ctx, err)}
	}
	answer := whisper(reply.Text(res))
	if res.Public {
		answer.ResponseType = slack.ResponseTypeInChannel
	}
	return []*slack.WebhookMessage{answer}
}
