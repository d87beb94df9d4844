package slack

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// teamAllowed refuses, with 403, a request from a team outside
// Options.TeamIDs (GATEWAY_SLACK_TEAM_IDS); with no list every team is
// taken.
func (h *Handler) teamAllowed(team string) error {
	if len(h.opts.TeamIDs) == 0 || slices.Contains(h.opts.TeamIDs, team) {
		return nil
	}
	return httpx.Errorf(http.StatusForbidden, core.EFORBIDDEN, "this gateway does not serve Slack team %q", team)
}

// responseURLAllowed reports whether the gateway may post to a
// response_url: only https://hooks.slack.com/…, or the host of the Web
// API's URL (Options.APIURL, GATEWAY_SLACK_API_URL) with its scheme, so a
// forged payload cannot make the gateway post anywhere else.
func (h *Handler) responseURLAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" && strings.EqualFold(u.Host, "hooks.slack.com") {
		return true
	}
	api, err := url.Parse(h.opts.APIURL)
	return err == nil && api.Host != "" && u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host)
}

// hostOf is the host of a URL, for a log line that must not hold the rest.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}
