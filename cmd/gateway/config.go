package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/ratelimit"
)

// Config is the gateway's configuration, built once from flags and GATEWAY_*
// environment variables (a flag wins) and passed down.
type Config struct {
	Addr                string
	DatabaseURL         string
	PublicURL           string
	AdminToken          string
	SlackSigningSecret  string
	SlackBotToken       string
	SlackAPIURL         string
	MattermostToken     string
	GitHubWebhookSecret string
	AllowPrivateTargets bool
	RetrySchedule       []time.Duration
	DisableAfter        int
	DeliveryTimeout     time.Duration
	MaxWebhooksPerUser  int
	LogLevel            string
	SQLiteSynchronous   string
	DBMaxConns          int
	DBMinConns          int
	DBConnectTimeout    time.Duration
	Retention           time.Duration
	SessionTTL          time.Duration
	EncryptionKey       []byte
	// Hardening (CONTRACT §7): rate limits, team pinning, the metrics token.
	RateAPI           ratelimit.Rate
	RateHook          ratelimit.Rate
	RateAuthFailures  ratelimit.Rate
	RateWebhookTest   ratelimit.Rate
	TrustedProxies    []netip.Prefix
	SlackTeamIDs      []string
	MattermostTeamIDs []string
	MetricsToken      string
	// Sizes (CONTRACT §7): names, notes, tags, events filters, URLs, chat
	// text.
	Limits core.Limits
	// now is the rate limits' clock; nil is time.Now (tests set it).
	now func() time.Time
	// LongTimer is how long a timer runs before its owner gets a direct
	// message (GATEWAY_LONG_TIMER).
	LongTimer time.Duration
	// schedNow is the scheduler's clock and schedInterval its period
	// (tests set them); nil and 0 are time.Now and schedule.DefaultInterval.
	schedNow      func() time.Time
	schedInterval time.Duration
}

// setting is one configuration value: a flag and its environment variable.
type setting struct {
	flag, env, def, usage string
	set                   func(c *Config, v string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func settings() []setting {
	return []setting{
		{"addr", "GATEWAY_ADDR", ":8080", "listen address", str(func(c *Config) *string { return &c.Addr })},
		{"database-url", "GATEWAY_DATABASE_URL", "sqlite:gateway.db", "sqlite:PATH (embedded) or postgres://…", str(func(c *Config) *string { return &c.DatabaseURL })},
		{"public-url", "GATEWAY_PUBLIC_URL", defaultPublicURL, "base of URLs the gateway hands out", str(func(c *Config) *string { return &c.PublicURL })},
		{"admin-token", "GATEWAY_ADMIN_TOKEN", "", "if set, an admin API token with this value exists", str(func(c *Config) *string { return &c.AdminToken })},
		{"slack-signing-secret", "GATEWAY_SLACK_SIGNING_SECRET", "", "enables the Slack adapter; requests must carry a valid X-Slack-Signature", str(func(c *Config) *string { return &c.SlackSigningSecret })},
		{"slack-bot-token", "GATEWAY_SLACK_BOT_TOKEN", "", "lets channel notifications use chat.postMessage", str(func(c *Config) *string { return &c.SlackBotToken })},
		{"slack-api-url", "GATEWAY_SLACK_API_URL", "https://slack.com/api/", "base URL of Slack's Web API", str(func(c *Config) *string { return &c.SlackAPIURL })},
		{"mattermost-token", "GATEWAY_MATTERMOST_TOKEN", "", "enables the Mattermost adapter", str(func(c *Config) *string { return &c.MattermostToken })},
		{"github-webhook-secret", "GATEWAY_GITHUB_WEBHOOK_SECRET", "", "enables the GitHub adapter", str(func(c *Config) *string { return &c.GitHubWebhookSecret })},
		{"allow-private-targets", "GATEWAY_ALLOW_PRIVATE_TARGETS", "false", "allow outgoing webhooks to loopback/private/link-local addresses", func(c *Config, v string) (err error) {
			c.AllowPrivateTargets, err = strconv.ParseBool(v)
			return err
		}},
		{"retry-schedule", "GATEWAY_RETRY_SCHEDULE", "0s,5s,5m,30m,2h,5h,10h,14h,20h,24h", "delay before each delivery attempt", func(c *Config, v string) error {
			c.RetrySchedule = nil
			for _, f := range strings.Split(v, ",") {
				d, err := time.ParseDuration(strings.TrimSpace(f))
				if err != nil || d < 0 {
					return fmt.Errorf("%q is not a duration", f)
				}
				c.RetrySchedule = append(c.RetrySchedule, d)
			}
			return nil
		}},
		{"disable-after", "GATEWAY_DISABLE_AFTER", "3", "consecutive failed attempts after which a subscription is disabled", positiveInt(func(c *Config) *int { return &c.DisableAfter })},
		{"delivery-timeout", "GATEWAY_DELIVERY_TIMEOUT", "15s", "per-attempt HTTP timeout", func(c *Config, v string) (err error) {
			c.DeliveryTimeout, err = time.ParseDuration(v)
			if err == nil && c.DeliveryTimeout <= 0 {
				err = errors.New("must be positive")
			}
			return err
		}},
		{"max-webhooks-per-user", "GATEWAY_MAX_WEBHOOKS_PER_USER", "5", "outgoing subscriptions per user and workspace", positiveInt(func(c *Config) *int { return &c.MaxWebhooksPerUser })},
		{"log-level", "GATEWAY_LOG_LEVEL", "info", "debug, info, warn or error", str(func(c *Config) *string { return &c.LogLevel })},
		{"sqlite-synchronous", "GATEWAY_SQLITE_SYNCHRONOUS", "FULL", "SQLite synchronous mode (FULL: every acknowledged command is on disk)", str(func(c *Config) *string { return &c.SQLiteSynchronous })},
		{"db-max-conns", "GATEWAY_DB_MAX_CONNS", "20", "PostgreSQL: most connections this process opens", positiveInt(func(c *Config) *int { return &c.DBMaxConns })},
		{"db-min-conns", "GATEWAY_DB_MIN_CONNS", "0", "PostgreSQL: connections kept open when idle", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return errors.New("must be a non-negative integer")
			}
			c.DBMinConns = n
			return nil
		}},
		{"db-connect-timeout", "GATEWAY_DB_CONNECT_TIMEOUT", "5s", "PostgreSQL: how long one connection attempt may take", func(c *Config, v string) (err error) {
			c.DBConnectTimeout, err = time.ParseDuration(v)
			if err == nil && c.DBConnectTimeout <= 0 {
				err = errors.New("must be positive")
			}
			return err
		}},
		{"retention", "GATEWAY_RETENTION", "30d", "how long events, deliveries and attempts are kept once delivered or given up (a duration; d for days)", days(func(c *Config) *time.Duration { return &c.Retention })},
		{"long-timer", "GATEWAY_LONG_TIMER", "8h", "a timer running longer gets one direct message with a Stop button (Slack, with a bot token; a duration; d for days)", days(func(c *Config) *time.Duration { return &c.LongTimer })},
		{"session-ttl", "GATEWAY_SESSION_TTL", "12h", "how long a web page session lasts (a duration; d for days)", days(func(c *Config) *time.Duration { return &c.SessionTTL })},
		{"encryption-key", "GATEWAY_ENCRYPTION_KEY", "", "32 bytes, base64: webhook secrets are encrypted at rest (AES-GCM)", func(c *Config, v string) (err error) {
			c.EncryptionKey, err = parseKey(v)
			return err
		}},
		{"rate-api", "GATEWAY_RATE_API", "50/s:100", "requests per API token to /api/v1 and /rest-api/v1 (N/UNIT[:BURST], UNIT s, min or h; off)", rateSetting(func(c *Config) *ratelimit.Rate { return &c.RateAPI })},
		{"rate-hook", "GATEWAY_RATE_HOOK", "20/s:40", "calls per incoming hook URL", rateSetting(func(c *Config) *ratelimit.Rate { return &c.RateHook })},
		{"rate-auth-failures", "GATEWAY_RATE_AUTH_FAILURES", "10/min", "failed authentications per client address; past it every request from there gets 429", rateSetting(func(c *Config) *ratelimit.Rate { return &c.RateAuthFailures })},
		{"rate-webhook-test", "GATEWAY_RATE_WEBHOOK_TEST", "6/min", "tests and replays per outgoing webhook (one at a time besides)", rateSetting(func(c *Config) *ratelimit.Rate { return &c.RateWebhookTest })},
		{"trusted-proxies", "GATEWAY_TRUSTED_PROXIES", "", "CIDR list of proxies whose X-Forwarded-For names the client", func(c *Config, v string) (err error) {
			c.TrustedProxies, err = ratelimit.ParseCIDRs(v)
			return err
		}},
		{"slack-team-ids", "GATEWAY_SLACK_TEAM_IDS", "", "comma list of Slack team ids taken (empty: any); others get 403", list(func(c *Config) *[]string { return &c.SlackTeamIDs })},
		{"mattermost-team-ids", "GATEWAY_MATTERMOST_TEAM_IDS", "", "comma list of Mattermost team ids taken (empty: any); others get 403", list(func(c *Config) *[]string { return &c.MattermostTeamIDs })},
		{"metrics-token", "GATEWAY_METRICS_TOKEN", "", "if set, GET /metrics needs Authorization: Bearer with it", str(func(c *Config) *string { return &c.MetricsToken })},
		{"limit-name", "GATEWAY_LIMIT_NAME", "200", "characters in a name (client, project, task, tag, user, subscription, hook)", positiveInt(func(c *Config) *int { return &c.Limits.Name })},
		{"limit-note", "GATEWAY_LIMIT_NOTE", "4000", "characters in an entry's note", positiveInt(func(c *Config) *int { return &c.Limits.Note })},
		{"limit-tags", "GATEWAY_LIMIT_TAGS", "20", "tags on one entry", positiveInt(func(c *Config) *int { return &c.Limits.Tags })},
		{"limit-events", "GATEWAY_LIMIT_EVENTS", "100x100", "a subscription's events: FILTERSxCHARACTERS (how many filters, how long each)", limitEvents},
		{"limit-url", "GATEWAY_LIMIT_URL", "2048", "characters in a URL", positiveInt(func(c *Config) *int { return &c.Limits.URL })},
		{"limit-chat-text", "GATEWAY_LIMIT_CHAT_TEXT", "8000", "characters in a chat command's text (incoming hooks: at most 8000)", positiveInt(func(c *Config) *int { return &c.Limits.ChatText })},
	}
}

// limitEvents reads GATEWAY_LIMIT_EVENTS: "100x100" is 100 filters of at
// most 100 characters each.
func limitEvents(c *Config, v string) error {
	n, chars, ok := strings.Cut(v, "x")
	a, err1 := strconv.Atoi(strings.TrimSpace(n))
	b, err2 := strconv.Atoi(strings.TrimSpace(chars))
	if !ok || err1 != nil || err2 != nil || a <= 0 || b <= 0 {
		return fmt.Errorf("%q: want FILTERSxCHARACTERS, as in 100x100", v)
	}
	c.Limits.EventFilters, c.Limits.EventFilterChars = a, b
	return nil
}

func rateSetting(p func(*Config) *ratelimit.Rate) func(*Config, string) error {
	return func(c *Config, v string) (err error) {
		*p(c), err = ratelimit.Parse(v)
		return err
	}
}

// list reads a comma-separated list, dropping empty items.
func list(p func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*p(c) = nil
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				*p(c) = append(*p(c), f)
			}
		}
		return nil
	}
}

// days parses a positive duration: Go's (90m, 12h) or a whole number of
// days (30d).
func days(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseDays(v)
		if err != nil {
			return err
		}
		*p(c) = d
		return nil
	}
}

func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		k, err := strconv.Atoi(n)
		if err != nil || k <= 0 || k > 100*365 {
			return 0, fmt.Errorf("%q is not a number of days", v)
		}
		return time.Duration(k) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration (like 12h or 30d)", v)
	}
	return d, nil
}

// parseKey decodes GATEWAY_ENCRYPTION_KEY: empty for none, else 32 bytes
// in base64 (standard or URL alphabet, padded or not).
func parseKey(v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("the key is %d bytes, want 32 (make one with: openssl rand -base64 32)", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("the key is not base64 (make one with: openssl rand -base64 32)")
}

func positiveInt(p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return errors.New("must be a positive integer")
		}
		*p(c) = n
		return nil
	}
}

// parseConfig reads the settings from args (flags) and getenv; a flag wins
// over its variable, which wins over the default. It returns the remaining
// arguments.
func parseConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, []string, error) {
	cfg := &Config{}
	all := settings()
	given := map[string]*string{}
	for _, s := range all {
		v := new(string)
		given[s.flag] = v
		fs.StringVar(v, s.flag, "", fmt.Sprintf("%s (env %s, default %q)", s.usage, s.env, s.def))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, errUsage{err.Error()} // exits with status 2, as flag's own
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range all {
		v, from := s.def, "default"
		if e := getenv(s.env); e != "" {
			v, from = e, s.env
		}
		if set[s.flag] {
			v, from = *given[s.flag], "-"+s.flag
		}
		if err := s.set(cfg, v); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", from, err)
		}
	}
	return cfg, fs.Args(), nil
}

// printSettings writes the configuration table for --help.
func printSettings(w io.Writer) {
	fmt.Fprintln(w, "\nSettings (flag, environment variable, default):")
	for _, s := range settings() {
		fmt.Fprintf(w, "  -%-24s %-32s %q\n      %s\n", s.flag, s.env, s.def, s.usage)
	}
}
