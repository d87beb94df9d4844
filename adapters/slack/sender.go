package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/slack-go/slack"
)

// DefaultAPIURL is the base URL of Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// Poster posts rendered channel messages with chat.postMessage, as the
// app's bot user (GATEWAY_SLACK_BOT_TOKEN; the app needs the chat:write
// scope and must be in the channel).
type Poster struct {
	client *slack.Client
}

// NewPoster returns a Poster with a bot token. apiURL is the base of
// Slack's Web API ("" for Slack's own; tests give a local fake); client
// sends its requests (nil: a client that does not follow redirects).
func NewPoster(token, apiURL string, client *http.Client) (*Poster, error) {
	if token == "" {
		return nil, errors.New("slack: a bot token is required to post messages")
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/" // slack-go appends the method name
	}
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Poster{client: slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(client))}, nil
}

// rateLimited is Slack's 429: the next attempt waits RetryAfter.
type rateLimited struct{ after time.Duration }

func (e *rateLimited) Error() string {
	return fmt.Sprintf("slack rate limit: retry after %s", e.after)
}

// RetryAfter tells the delivery engine when to try again.
func (e *rateLimited) RetryAfter() time.Duration { return e.after }

// Send posts a rendered message (Message JSON) to the channel of a
// "slack:CHANNEL_ID" target. It is a delivery.PostFunc: it
// returns the HTTP status, Slack's answer, and an error for a failure —
// Slack's own error code when it answers "ok": false (channel_not_found,
// not_in_channel, invalid_auth, …), and an error with RetryAfter when
// Slack limits the rate.
func (p *Poster) Send(ctx context.Context, sub core.Subscription, body []byte) (int, []byte, error) {
	channel, ok := strings.CutPrefix(sub.URL, "slack:")
	if !ok || channel == "" {
		return 0, nil, fmt.Errorf("target %q is not slack:CHANNEL_ID", sub.URL)
	}
	var msg struct {
		Text        string             `json:"text"`
		Blocks      slack.Blocks       `json:"blocks"`
		Attachments []slack.Attachment `json:"attachments"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return 0, nil, fmt.Errorf("message is not Slack JSON: %w", err)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false)}
	if len(msg.Blocks.BlockSet) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(msg.Blocks.BlockSet...))
	}
	if len(msg.Attachments) > 0 {
		opts = append(opts, slack.MsgOptionAttachments(msg.Attachments...))
	}
	ch, ts, err := p.client.PostMessageContext(ctx, channel, opts...)
	if err == nil {
		answer, _ := json.Marshal(map[string]any{"ok": true, "channel": ch, "ts": ts})
		return http.StatusOK, answer, nil
	}
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		return http.StatusTooManyRequests, nil, &rateLimited{after: rl.RetryAfter}
	case errors.As(err, &se):
		answer, _ := json.Marshal(map[string]any{"ok": false, "error": se.Err})
		return http.StatusOK, answer, fmt.Errorf("slack chat.postMessage: %s", se.Err)
	case errors.As(err, &sc):
		return sc.Code, nil, fmt.Errorf("slack chat.postMessage: %s", sc.Status)
	}
	return 0, nil, fmt.Errorf("slack chat.postMessage: %w", err)
}
