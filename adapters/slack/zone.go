package slack

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/slack-go/slack"
)

// Time zones from Slack (COMMANDS.md, second edition): with a bot token
// (scope users:read), a user seen for the first time gets the zone of their
// Slack profile, read with users.info, instead of UTC; `tz` changes it
// later. Answers are kept in memory, so one user costs one call at most
// per zoneTTL, and a call that fails or is slow leaves the user in UTC
// rather than delaying the command.

const (
	// zoneTTL is how long a users.info answer is kept.
	zoneTTL = time.Hour
	// zoneTimeout bounds one users.info call.
	zoneTimeout = time.Second
	// maxZones bounds the cache: past it, the cache starts again.
	maxZones = 10000
)

type zoneEntry struct {
	zone string
	at   time.Time
}

// zones looks up Slack users' time zones with users.info and keeps them.
type zones struct {
	client *slack.Client
	mu     sync.Mutex
	seen   map[string]zoneEntry // TEAM:USER → zone ("" for none)
}

// newZones returns a zone lookup with a bot token, nil without one.
func newZones(token, apiURL string, client *http.Client) *zones {
	if token == "" {
		return nil
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	return &zones{client: slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(client)), seen: map[string]zoneEntry{}}
}

// zone returns the IANA zone of a Slack user's profile, "" when unknown.
func (z *zones) zone(ctx context.Context, team, user string) string {
	key := team + ":" + user
	now := time.Now()
	z.mu.Lock()
	e, ok := z.seen[key]
	z.mu.Unlock()
	if ok && now.Sub(e.at) < zoneTTL {
		return e.zone
	}
	ctx, cancel := context.WithTimeout(ctx, zoneTimeout)
	defer cancel()
	u, err := z.client.GetUserInfoContext(ctx, user)
	if err != nil {
		return "" // not kept: the next command asks again
	}
	z.mu.Lock()
	if len(z.seen) >= maxZones {
		z.seen = map[string]zoneEntry{}
	}
	z.seen[key] = zoneEntry{zone: u.TZ, at: now}
	z.mu.Unlock()
	return u.TZ
}

// newUserZone returns the Slack zone of a user the gateway does not know
// yet, for the user it makes on first sight; "" for a known user, without
// a bot token, or when Slack does not tell.
func (h *Handler) newUserZone(ctx context.Context, team, user string) string {
	if h.zones == nil {
		return ""
	}
	if _, err := h.svc.LookupIdentity(ctx, core.ProviderSlack, team+":"+user); core.ErrorCode(err) != core.ENOTFOUND {
		return "" // known (its zone is stored), or the store failed: the command will say
	}
	return h.zones.zone(ctx, team, user)
}
