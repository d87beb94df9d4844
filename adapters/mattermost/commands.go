package mattermost

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/parser"
	"github.com/chatops/gateway/reply"
)

// MaxBodyBytes is the largest request body the adapter reads (413 beyond).
const MaxBodyBytes = 1 << 20

// Response types of a reply.
const (
	Ephemeral = "ephemeral"
	InChannel = "in_channel"
)

// Options configure a Handler.
type Options struct {
	// Token is the slash command's token that Mattermost shows when the
	// command is made. Required.
	Token string
	// Logger receives one line per rejected request; nil discards.
	Logger *slog.Logger
	// ReplyTimeout bounds the work done for one command; Mattermost waits
	// a few seconds. Default 2.5s.
	ReplyTimeout time.Duration
	// TeamIDs, when not empty, are the only Mattermost teams served
	// (GATEWAY_MATTERMOST_TEAM_IDS): a command whose team_id is another
	// gets 403 and changes nothing.
	TeamIDs []string
}

// Handler serves Mattermost's slash commands.
type Handler struct {
	svc       *core.Service
	tokenHash [sha256.Size]byte
	log       *slog.Logger
	timeout   time.Duration
	teams     []string
}

// NewHandler returns a Handler that runs commands on svc. It returns an
// error when no token is given: commands are never taken unauthenticated.
func NewHandler(svc *core.Service, opts Options) (*Handler, error) {
	if opts.Token == "" {
		return nil, errors.New("mattermost: a slash command token is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReplyTimeout <= 0 {
		opts.ReplyTimeout = 2500 * time.Millisecond
	}
	return &Handler{svc: svc, tokenHash: sha256.Sum256([]byte(opts.Token)), log: opts.Logger, timeout: opts.ReplyTimeout, teams: opts.TeamIDs}, nil
}

// Command is a slash command as Mattermost posts it (form-encoded).
type Command struct {
	Token       string
	TeamID      string
	TeamDomain  string
	ChannelID   string
	ChannelName string
	UserID      string
	UserName    string
	Command     string
	Text        string
	TriggerID   string
	ResponseURL string
}

// Reply is Mattermost's answer to a slash command; Text is Markdown.
type Reply struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

// DecodeCommand decodes a slash command's form body. It returns an error
// when the body is not a form or lacks the fields that identify the user.
func DecodeCommand(body []byte) (Command, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return Command{}, fmt.Errorf("malformed form body: %w", err)
	}
	if !utf8.Valid(body) || !validUTF8(v) {
		return Command{}, errors.New("malformed form body: not valid UTF-8")
	}
	c := Command{
		Token: v.Get("token"), TeamID: v.Get("team_id"), TeamDomain: v.Get("team_domain"),
		ChannelID: v.Get("channel_id"), ChannelName: v.Get("channel_name"), UserID: v.Get("user_id"),
		UserName: v.Get("user_name"), Command: v.Get("command"), Text: v.Get("text"),
		TriggerID: v.Get("trigger_id"), ResponseURL: v.Get("response_url"),
	}
	switch {
	case strings.TrimSpace(c.TeamID) == "":
		return c, errors.New("team_id is missing")
	case strings.TrimSpace(c.UserID) == "":
		return c, errors.New("user_id is missing")
	case len(c.TriggerID) > 500:
		return c, errors.New("trigger_id is longer than 500 characters")
	}
	return c, nil
}

// authorized reports whether the request carries "Authorization: Token T"
// with the configured token, compared in constant time (of hashes, so
// that not even the length leaks).
func (h *Handler) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Token") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], h.tokenHash[:]) == 1
}

// ServeHTTP handles POST /mattermost/commands.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reply, err := h.command(w, r)
	if err != nil {
		he := httpx.ErrorOf(err)
		h.log.WarnContext(r.Context(), "mattermost command rejected", "status", he.Status, "reason", he.Message, "remote", r.RemoteAddr)
		_ = httpx.AdapterJSON.Error(w, he)
		return
	}
	_ = httpx.AdapterJSON.Write(w, http.StatusOK, reply)
}

func (h *Handler) command(w http.ResponseWriter, r *http.Request) (*Reply, error) {
	if r.Method != http.MethodPost {
		return nil, httpx.Errorf(http.StatusMethodNotAllowed, core.EINVALID, "use POST")
	}
	if !h.authorized(r) {
		return nil, httpx.Errorf(http.StatusUnauthorized, core.EUNAUTHORIZED, "missing or wrong Authorization: Token")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, httpx.Errorf(http.StatusRequestEntityTooLarge, core.ELIMIT, "request body is larger than 1 MiB")
		}
		return nil, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "cannot read request body")
	}
	c, err := DecodeCommand(body)
	if err != nil {
		return nil, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "%v", err)
	}
	if len(h.teams) > 0 && !slices.Contains(h.teams, c.TeamID) {
		return nil, httpx.Errorf(http.StatusForbidden, core.EFORBIDDEN, "this gateway does not serve Mattermost team %q", c.TeamID)
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()

	// Too long a text is answered like any other bad input, in chat.
	if err := core.CheckLength("the command's text", c.Text, h.svc.Limits().ChatText); err != nil {
		return h.errorReply(ctx, err), nil
	}
	cmd, err := parser.ParseWithDefault(c.Text, slack.ImpliedVerb(c.Command))
	if err != nil {
		return parseErrorReply(err), nil
	}
	user, err := h.svc.ResolveIdentity(ctx, core.ProviderMattermost, c.TeamID+":"+c.UserID, c.UserName, "mattermost")
	if err != nil {
		return h.errorReply(ctx, err), nil
	}
	actor := core.Actor{User: user, Source: "mattermost"}
	if c.TriggerID != "" {
		actor.DedupeKey = "mattermost:" + c.TriggerID // forgotten after a week: core.TransientKeyPrefixes
	}
	actor.Channel = commandChannel(c)
	res, err := h.svc.Execute(ctx, actor, cmd)
	if err != nil {
		return h.errorReply(ctx, err), nil
	}
	return ResultReply(res), nil
}

func (h *Handler) errorReply(ctx context.Context, err error) *Reply {
	if r := nearMissReply(err); r != nil {
		return r
	}
	switch {
	case errors.Is(err, context.Canceled):
		// The client hung up before the command ran: nothing changed.
		h.log.InfoContext(ctx, "mattermost command not applied: the request was canceled", "err", err)
	case core.ErrorCode(err) == core.EINTERNAL:
		h.log.ErrorContext(ctx, "mattermost command failed", "err", err)
	}
	text := ":warning: " + reply.EscapeMarkdown(core.ErrorMessage(err))
	if errors.Is(err, context.DeadlineExceeded) {
		text = ":hourglass: The gateway is busy; your command was not applied. Please try again."
	}
	return &Reply{ResponseType: Ephemeral, Text: text}
}

// parseErrorReply explains a parse error: what, where, and an example.
func parseErrorReply(err error) *Reply {
	var pe *parser.Error
	if !errors.As(err, &pe) {
		return &Reply{ResponseType: Ephemeral, Text: ":warning: " + reply.EscapeMarkdown(err.Error()) + "\nTry `help`."}
	}
	text := fmt.Sprintf(":warning: I could not read that (column %d): %s", pe.Column, reply.EscapeMarkdown(pe.Message))
	if pe.Hint != "" {
		text += "; " + reply.EscapeMarkdown(pe.Hint)
	}
	if pe.Example != "" {
		text += "\nExample: `" + pe.Example + "`"
	} else {
		text += "\nTry `help`."
	}
	return &Reply{ResponseType: Ephemeral, Text: text}
}

// ResultReply renders a command's result: in the channel for track and
// stop, ephemeral otherwise.
func ResultReply(res *core.Result) *Reply {
	rep := &Reply{ResponseType: Ephemeral, Text: reply.Render(res, reply.Markdown)}
	if res.Public {
		rep.ResponseType = InChannel
	}
	if res.Entry != nil && !res.Entry.Running() && res.Command != "delete entry" {
		rep.Text += fmt.Sprintf("\n_Made a mistake? `delete entry #%d` or `undo`_", res.Entry.ID)
	}
	rep.Text += newNamesLine(res)
	return rep
}

// validUTF8 reports whether every field of a form is UTF-8 (percent-escapes
// can carry any byte).
func validUTF8(v url.Values) bool {
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
