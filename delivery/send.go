package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// Sender delivers to one kind of target. The engine picks the sender by the
// target's scheme: HTTP for http(s) URLs, Options.Senders for the others.
type Sender interface {
	// Send makes one attempt at delivering m and says what it found
	// (Latency and Validated are the engine's to fill). ctx bounds the
	// attempt.
	Send(ctx context.Context, m *Message) Outcome
}

// Message is one attempt at a delivery: the body rendered in the
// subscription's format and signed at send time.
type Message struct {
	Sub       core.Subscription
	Body      []byte
	Signature webhooks.Signature
}

// responseExcerpt is how much of a response the log keeps.
const responseExcerpt = 4 << 10

// HTTP POSTs deliveries to http(s) URLs with the signature headers.
type HTTP struct {
	// Client sends the requests; NewHTTPClient makes the one to use.
	Client *http.Client
	// UserAgent is the User-Agent header: "gateway/VERSION".
	UserAgent string
	// Now reads the clock for a Retry-After date.
	Now func() time.Time
}

// Send POSTs m. A 2xx is a success; a 3xx a failure (redirects are not
// followed); other statuses fail, a 429 or 503 with Retry-After asking for
// that delay.
func (h *HTTP) Send(ctx context.Context, m *Message) Outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Sub.URL, bytes.NewReader(m.Body))
	if err != nil {
		return Outcome{Class: "connection", Err: "bad url: " + err.Error(), Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", h.UserAgent)
	req.Header.Set("webhook-id", m.Signature.ID)
	req.Header.Set("webhook-timestamp", m.Signature.Timestamp)
	req.Header.Set("webhook-signature", m.Signature.Standard)
	req.Header.Set("X-Webhook-Signature-256", m.Signature.Toggl)
	resp, err := h.Client.Do(req)
	if err != nil {
		return Outcome{Class: classify(err), Err: redactErr(err, m.Sub.URL)}
	}
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, responseExcerpt))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	o := Outcome{Status: resp.StatusCode, Response: string(excerpt)}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		o.Class, o.Err = "redirect", fmt.Sprintf("answered %d; redirects are not followed", resp.StatusCode)
	default:
		o.Class, o.Err = "http_status", fmt.Sprintf("answered %d", resp.StatusCode)
		o.RetryAfter, o.HasRetryAfter = RetryAfter(resp.StatusCode, resp.Header, h.Now())
	}
	return o
}

// classify names the kind of a transport error.
func classify(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, webhooks.ErrPrivateTarget):
		return "refused_target"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "connection"
}

// redactErr keeps an error's reason without repeating the URL, which may
// hold a token in its path or query. The HTTP client names the URL as it
// parsed it (scheme and host lower-cased, say), not as it was given, so its
// *url.Error is taken apart rather than searched for the given string.
//
// A refused private address is said without the address (the dialer's
// error names it), so the delivery log maps nothing inside the network.
func redactErr(err error, raw string) string {
	if errors.Is(err, webhooks.ErrPrivateTarget) {
		return "dial [url]: " + webhooks.ErrPrivateTarget.Error()
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Sprintf("%s %q: %s", ue.Op, "[url]", redactErr(ue.Err, raw))
	}
	return strings.ReplaceAll(err.Error(), raw, "[url]")
}

// NewHTTPClient returns the client deliveries use: no redirects followed
// (a 3xx is a failure), the given per-attempt timeout, and, unless
// allowPrivate, a dialer that refuses private addresses at dial time, after
// DNS (so that a name that rebinds cannot slip through), and no proxy.
func NewHTTPClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
	}
	if !allowPrivate {
		dialer.Control = refusePrivate
		tr.Proxy = nil
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// refusePrivate is a dialer's Control that refuses a private address.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if webhooks.PrivateAddr(ap.Addr()) {
		return fmt.Errorf("dial %s: %w", address, webhooks.ErrPrivateTarget)
	}
	return nil
}

// PostFunc posts a rendered body to a chat target, as slack.Poster.Send
// does for "slack:CHANNEL_ID". It returns the receiver's status code (0
// when there is none), its answer, and an error when the delivery failed;
// an error with a method RetryAfter() time.Duration asks for that delay.
type PostFunc func(ctx context.Context, sub core.Subscription, body []byte) (status int, response []byte, err error)

// Channel is the kind of the chat targets "SCHEME:CHANNEL_ID" that Post
// delivers: a webhooks.Target, so that subscriptions to them are checked,
// and a Sender. Without Post the kind is known but unavailable: its
// targets are refused with the reason Unavailable gives.
type Channel struct {
	// Scheme is the targets' prefix before the colon: "slack".
	Scheme string
	// Format is the body format its targets need: core.FormatSlack.
	Format string
	// Post sends; nil when the gateway cannot post (no bot token).
	Post PostFunc
	// Unavailable completes "a SCHEME:CHANNEL_ID target needs …" when Post
	// is nil: what to configure, or what to do instead.
	Unavailable string
}

// CheckTarget accepts "SCHEME:CHANNEL_ID" in the kind's format, when the
// kind can post.
func (c Channel) CheckTarget(sub core.Subscription) error {
	channel, ok := strings.CutPrefix(sub.URL, c.Scheme+":")
	if !ok || sub.Format != c.Format || channel == "" {
		return core.Errorf(core.EINVALID, "a %s:CHANNEL_ID target needs the %s format and a channel id", c.Scheme, c.Format)
	}
	if c.Post == nil {
		return core.Errorf(core.EINVALID, "a %s:CHANNEL_ID target needs %s", c.Scheme, c.Unavailable)
	}
	return nil
}

// Send posts m. An error is a failure of class "sender" ("timeout" when the
// attempt ran out of time).
func (c Channel) Send(ctx context.Context, m *Message) Outcome {
	if c.Post == nil {
		return noSender(m.Sub.URL)
	}
	status, response, err := c.Post(ctx, m.Sub, m.Body)
	o := Outcome{Status: status, Response: string(response)}
	if err != nil {
		o.Class, o.Err = "sender", err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			o.Class = "timeout"
		}
		var ra interface{ RetryAfter() time.Duration }
		if errors.As(err, &ra) {
			o.RetryAfter, o.HasRetryAfter = ra.RetryAfter(), true
		}
	}
	return o
}

// noSender is the outcome for a target no sender takes.
func noSender(target string) Outcome {
	scheme, _, _ := strings.Cut(target, ":")
	return Outcome{Class: "connection", Err: fmt.Sprintf("no sender for %s: targets", scheme), Permanent: true}
}
