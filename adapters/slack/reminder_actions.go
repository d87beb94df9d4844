package slack

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/reply"
	"github.com/slack-go/slack"
)

// reminderActions handles the buttons of a reminder (ScheduledMessage):
// Log time answers how to log, with the presser's latest task as the
// example; Track starts a timer like the latest entry (continue), or says
// how to log when there is none. The answers go to the payload's response_url. Other buttons are
// acknowledged and ignored.
func (h *Handler) reminderActions(ctx context.Context, cb slack.InteractionCallback) error {
	var action string
	for _, a := range cb.ActionCallback.BlockActions {
		if a != nil && (a.ActionID == RemindLogActionID || a.ActionID == RemindTrackActionID) {
			action = a.ActionID
			break
		}
	}
	if action == "" {
		return nil
	}
	if cb.ResponseURL != "" && !h.responseURLAllowed(cb.ResponseURL) {
		return httpx.Errorf(http.StatusBadRequest, core.EINVALID, "response_url must be on https://hooks.slack.com/, not %q", hostOf(cb.ResponseURL))
	}
	ctx, cancel := context.WithTimeout(ctx, h.opts.ReplyTimeout)
	defer cancel()
	answer := h.reminderPressed(ctx, cb, action)
	if answer != nil && cb.ResponseURL != "" {
		if err := slack.PostWebhookCustomHTTPContext(ctx, cb.ResponseURL, h.opts.Client, answer); err != nil {
			h.opts.Logger.WarnContext(ctx, "slack interaction answer failed", "err", err)
		}
	}
	return nil
}

// reminderPressed returns the answer to a press of a reminder's button.
func (h *Handler) reminderPressed(ctx context.Context, cb slack.InteractionCallback, action string) *slack.WebhookMessage {
	user, err := h.svc.LookupIdentity(ctx, core.ProviderSlack, interactionTeam(cb)+":"+cb.User.ID)
	if err != nil {
		if core.ErrorCode(err) == core.ENOTFOUND {
			return whisper("I do not know you yet: log time with `log 2h on TASK in PROJECT`.")
		}
		return h.failure(ctx, err)
	}
	actor := core.Actor{User: user, Source: "slack"}
	logHint := func() *slack.WebhookMessage {
		example := "log 2h on TASK in PROJECT"
		if task, project := h.latestTask(ctx, actor); task != "" {
			example = "log 2h on " + task
			if project != "" {
				example += " in " + project
			}
		}
		return whisper("Log today's time with `" + escape(example) + "` (or a range: `log 9-12:30 on …`).")
	}
	if action == RemindLogActionID {
		return logHint()
	}
	if cb.TriggerID != "" {
		actor.DedupeKey = "slack:" + cb.TriggerID
	}
	// Track continues the latest entry: its task and project by id, with
	// core's answer when they are gone.
	res, err := h.svc.Execute(ctx, actor, core.Continue{})
	switch {
	case errors.Is(err, core.ErrDuplicate):
		return nil
	case core.ErrorCode(err) == core.ENOTFOUND:
		return logHint() // no entries yet
	case err != nil:
		return h.failure(ctx, err)
	}
	return &slack.WebhookMessage{ReplaceOriginal: true, Text: reply.Text(res)}
}

// latestTask names the task and project of the user's latest entry in the
// last 30 days for the Log hint's example, "" when there is none or it
// cannot be read (the hint then shows the placeholders).
func (h *Handler) latestTask(ctx context.Context, actor core.Actor) (task, project string) {
	f := core.EntryFilter{UserID: actor.User.ID, From: time.Now().AddDate(0, 0, -30)}
	var last core.TimeEntry
	p := core.Page{Limit: core.MaxPageLimit}
	for {
		es, next, err := h.svc.ListEntries(ctx, actor, f, p)
		if err != nil {
			return "", ""
		}
		for _, e := range es {
			if e.TaskID != 0 && !e.Start.Before(last.Start) {
				last = e
			}
		}
		if next == 0 {
			break
		}
		p.After = next
	}
	if last.TaskID == 0 {
		return "", ""
	}
	if t, err := h.svc.GetTask(ctx, actor, last.TaskID); err == nil {
		task = t.Name
	}
	if pr, err := h.svc.GetProject(ctx, actor, last.ProjectID); err == nil {
		project = pr.Name
	}
	return task, project
}
