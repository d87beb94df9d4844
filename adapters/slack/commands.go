package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/parser"
	"github.com/chatops/gateway/reply"
	"github.com/slack-go/slack"
)

// MaxBodyBytes is the largest request body the adapter reads.
const MaxBodyBytes = 1 << 20

// Options configure a Handler.
type Options struct {
	// SigningSecret is the Slack app's signing secret. Required.
	SigningSecret string
	// Logger receives one line per rejected request.
	Logger *slog.Logger
	// ReplyTimeout bounds the work done for one command, so that the answer
	// reaches Slack within its 3 seconds. Default 2.5s.
	ReplyTimeout time.Duration
	// BotToken, when set, lets `notify` subscribe a channel without a URL:
	// its messages go to slack:CHANNEL_ID with chat.postMessage.
	BotToken string
	// Client posts interaction answers to Slack's response_url. Default:
	// a client that gives up after 5 seconds.
	Client *http.Client
	// TeamIDs, when not empty, are the only Slack teams served
	// (GATEWAY_SLACK_TEAM_IDS): a command or interaction from another gets
	// 403 and changes nothing.
	TeamIDs []string
	// APIURL is the base URL of Slack's Web API (GATEWAY_SLACK_API_URL):
	// besides https://hooks.slack.com/, its host is the only one a
	// response_url may name. Default DefaultAPIURL.
	APIURL string
}

// Handler serves Slack's requests.
type Handler struct {
	svc   *core.Service
	opts  Options
	zones *zones // users.info, with a bot token
}

// NewHandler returns a Handler that runs commands on svc. It returns an
// error when no signing secret is given: unsigned requests are never taken.
func NewHandler(svc *core.Service, opts Options) (*Handler, error) {
	if opts.SigningSecret == "" {
		return nil, errors.New("slack: a signing secret is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReplyTimeout <= 0 {
		opts.ReplyTimeout = 2500 * time.Millisecond
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if opts.APIURL == "" {
		opts.APIURL = DefaultAPIURL
	}
	return &Handler{svc: svc, opts: opts, zones: newZones(opts.BotToken, opts.APIURL, opts.Client)}, nil
}

// readVerified reads the body (at most MaxBodyBytes) and checks its Slack
// signature: v0 HMAC-SHA256 over "v0:{timestamp}:{body}", with the
// timestamp within five minutes, compared in constant time.
func (h *Handler) readVerified(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, httpx.Errorf(http.StatusRequestEntityTooLarge, "too_large", "request body is larger than 1 MiB")
		}
		return nil, httpx.Errorf(http.StatusBadRequest, "invalid", "cannot read request body")
	}
	sv, err := slack.NewSecretsVerifier(r.Header, h.opts.SigningSecret)
	if err != nil {
		return nil, httpx.Errorf(http.StatusUnauthorized, "unauthorized", "missing, malformed or stale Slack signature")
	}
	if _, err := sv.Write(body); err != nil {
		return nil, httpx.Errorf(http.StatusUnauthorized, "unauthorized", "cannot check Slack signature")
	}
	if err := sv.Ensure(); err != nil {
		return nil, httpx.Errorf(http.StatusUnauthorized, "unauthorized", "wrong Slack signature")
	}
	return body, nil
}

// DecodeCommand decodes a slash command's form body. It returns an error when
// the body is not a form or lacks the fields that identify the user.
func DecodeCommand(body []byte) (slack.SlashCommand, error) {
	r, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return slack.SlashCommand{}, err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		return slack.SlashCommand{}, fmt.Errorf("malformed form body: %w", err)
	}
	if !utf8.Valid(body) || !validUTF8(r.PostForm) {
		return slack.SlashCommand{}, errors.New("malformed form body: not valid UTF-8")
	}
	switch {
	case sc.TeamID == "":
		return sc, errors.New("team_id is missing")
	case sc.UserID == "":
		return sc, errors.New("user_id is missing")
	}
	return sc, nil
}

// ServeCommands handles POST /slack/commands.
func (h *Handler) ServeCommands(w http.ResponseWriter, r *http.Request) {
	msg, err := h.command(w, r)
	if err != nil {
		he := httpx.ErrorOf(err)
		h.opts.Logger.WarnContext(r.Context(), "slack command rejected", "status", he.Status, "reason", he.Message, "remote", r.RemoteAddr)
		_ = httpx.AdapterJSON.Error(w, he)
		return
	}
	_ = httpx.AdapterJSON.Write(w, http.StatusOK, msg)
}

func (h *Handler) command(w http.ResponseWriter, r *http.Request) (*slack.Msg, error) {
	body, err := h.readVerified(w, r)
	if err != nil {
		return nil, err
	}
	sc, err := DecodeCommand(body)
	if err != nil {
		return nil, httpx.Errorf(http.StatusBadRequest, "invalid", "%v", err)
	}
	if err := h.teamAllowed(sc.TeamID); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.ReplyTimeout)
	defer cancel()

	// Too long a text is answered like any other bad input, in chat.
	if err := core.CheckLength("the command's text", sc.Text, h.svc.Limits().ChatText); err != nil {
		return h.errorReply(ctx, err), nil
	}
	cmd, err := parser.ParseWithDefault(sc.Text, ImpliedVerb(sc.Command))
	if err != nil {
		return parseErrorReply(err), nil
	}
	// The user is found (or made, on first sight) in the command's own
	// transaction.
	actor := core.Actor{Source: "slack", Identity: &core.ChatIdentity{
		Provider: core.ProviderSlack, Subject: sc.TeamID + ":" + sc.UserID, Name: sc.UserName}}
	actor.Identity.TimeZone = h.newUserZone(ctx, sc.TeamID, sc.UserID)
	if sc.TriggerID != "" {
		actor.DedupeKey = "slack:" + sc.TriggerID // forgotten after a week: core.TransientKeyPrefixes
	}
	actor.Channel = h.channel(sc)
	res, err := h.svc.Execute(ctx, actor, cmd)
	if err != nil {
		return h.errorReply(ctx, err), nil
	}
	return ResultMessage(res), nil
}

// ImpliedVerb returns the verb a slash command's name implies ("/track" →
// "track", "/log" → "log"), or "" when the name is not a verb ("/tt").
func ImpliedVerb(command string) string {
	switch v := strings.ToLower(strings.TrimPrefix(command, "/")); v {
	case "track", "start", "stop", "log", "spent", "report", "status", "undo", "help":
		return v
	}
	return ""
}

func (h *Handler) errorReply(ctx context.Context, err error) *slack.Msg {
	if m := nearMissReply(err); m != nil {
		return m
	}
	switch {
	case errors.Is(err, context.Canceled):
		// The client hung up before the command ran: nothing changed.
		h.opts.Logger.InfoContext(ctx, "slack command not applied: the request was canceled", "err", err)
	case core.ErrorCode(err) == core.EINTERNAL:
		h.opts.Logger.ErrorContext(ctx, "slack command failed", "err", err)
	}
	text := ":warning: " + escape(core.ErrorMessage(err))
	if errors.Is(err, context.DeadlineExceeded) {
		text = ":hourglass: The gateway is busy; your command was not applied. Please try again."
	}
	return ephemeral(text, "")
}

// parseErrorReply explains a parse error: what, where, and an example.
func parseErrorReply(err error) *slack.Msg {
	var pe *parser.Error
	if !errors.As(err, &pe) {
		return ephemeral(":warning: "+escape(err.Error()), "Try `help`.")
	}
	text := fmt.Sprintf(":warning: I could not read that (column %d): %s", pe.Column, escape(pe.Message))
	if pe.Hint != "" {
		text += "; " + escape(pe.Hint) // as parser.Error.Error() joins them
	}
	hint := "Try `help`."
	if pe.Example != "" {
		hint = "Example: `" + pe.Example + "`"
	}
	return ephemeral(text, hint)
}

func ephemeral(text, context string) *slack.Msg {
	m := &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)}
	if context != "" {
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, context, false, false)))
	}
	m.Blocks = slack.Blocks{BlockSet: blocks}
	return m
}

// ResultMessage renders a command's result as a Slack message: in the
// channel for track and stop, ephemeral otherwise.
func ResultMessage(res *core.Result) *slack.Msg {
	m := ephemeral(reply.Text(res), "")
	if res.Public {
		m.ResponseType = slack.ResponseTypeInChannel
	}
	if res.Entry != nil && !res.Entry.Running() && res.Command != "delete entry" {
		m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf("Made a mistake? `delete entry #%d` or `undo`", res.Entry.ID), false, false)))
	}
	withNewNames(m, res)
	m.Blocks.BlockSet = append(m.Blocks.BlockSet, entryButtons(res)...)
	return m
}

// validUTF8 reports whether every field of a form is UTF-8 (percent-escapes
// can carry any byte).
func validUTF8(v map[string][]string) bool {
	for k, vs := range v {
		if !utf8.ValidString(k) {
			return false
		}
		for _, s := range vs {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}
