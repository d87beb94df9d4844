package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/internal/ratelimit"
)

// guard is the rate limiting in front of the whole router (CONTRACT §7):
// a client address past its allowance of failed authentications gets 429
// for everything; an API token past its rate gets 429 on /api/v1 and
// /rest-api/v1; an incoming hook past its rate gets 429. A refused request
// reaches no handler, so nothing is stored.
type guard struct {
	trusted    []netip.Prefix
	api, hook  *ratelimit.Keyed
	authFailed *ratelimit.Keyed
	log        *slog.Logger
}

func newGuard(cfg *Config, logger *slog.Logger, now func() time.Time) *guard {
	return &guard{
		trusted:    cfg.TrustedProxies,
		api:        ratelimit.NewKeyed(cfg.RateAPI, 0, now),
		hook:       ratelimit.NewKeyed(cfg.RateHook, 0, now),
		authFailed: ratelimit.NewKeyed(cfg.RateAuthFailures, 0, now),
		log:        logger,
	}
}

// wrap puts g in front of next.
func (g *guard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := ratelimit.ClientAddr(r, g.trusted)
		if blocked, wait := g.authFailed.Blocked(client); blocked {
			g.refuse(w, r, ratelimit.TooMany(w, wait, "too many failed authentications from "+client), client)
			return
		}
		if limit, key := g.limitOf(r); limit != nil {
			if ok, wait := limit.Allow(key); !ok {
				g.refuse(w, r, ratelimit.TooMany(w, wait, "too many requests"), client)
				return
			}
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if failedAuthentication(r, sw.status) {
			g.authFailed.Allow(client)
		}
	})
}

// limitOf returns the limit a request counts against and its key: the API
// token for the API (hashed: the buckets hold no secret), the hook for an
// incoming hook call; nil for anything else.
func (g *guard) limitOf(r *http.Request) (*ratelimit.Keyed, string) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/v1/") || strings.HasPrefix(p, "/rest-api/v1/"):
		auth := r.Header.Get("Authorization")
		if auth == "" && isReportLink(r) {
			auth = "link " + r.URL.Query().Get("signature") // a link counts as a token of its own
		}
		if auth == "" {
			return nil, "" // refused 401, which the failure limit counts
		}
		sum := sha256.Sum256([]byte(strings.TrimSpace(auth)))
		return g.api, string(sum[:])
	case r.Method == http.MethodPost && strings.HasPrefix(p, "/hooks/"):
		sum := sha256.Sum256([]byte(strings.TrimSuffix(strings.TrimPrefix(p, "/hooks/"), "/")))
		return g.hook, string(sum[:])
	}
	return nil, ""
}

// failedAuthentication reports whether a request's answer says its
// credentials were wrong: any 401 (a bad bearer token, login, signature or
// Mattermost token, a bad metrics token), an incoming hook's 404 (no
// hook has that token), and a report link's 403 (a changed signature).
func failedAuthentication(r *http.Request, status int) bool {
	return status == http.StatusUnauthorized ||
		status == http.StatusNotFound && r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/hooks/") ||
		status == http.StatusForbidden && isReportLink(r)
}

func (g *guard) refuse(w http.ResponseWriter, r *http.Request, e *httpx.Error, client string) {
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "request refused: rate limit",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("client", client), slog.String("reason", e.Message))
	_ = httpx.APIJSON.Error(w, e)
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// metricsAuth asks for "Authorization: Bearer TOKEN" before next, when
// token is set (GATEWAY_METRICS_TOKEN); compared in constant time.
func metricsAuth(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			_ = httpx.APIJSON.Error(w, httpx.Errorf(http.StatusUnauthorized, core.EUNAUTHORIZED,
				"GET /metrics needs Authorization: Bearer with the metrics token (GATEWAY_METRICS_TOKEN)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
