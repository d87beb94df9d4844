package main

import (
	"log/slog"
	"net/http"

	"github.com/chatops/gateway/adapters/generic"
	"github.com/chatops/gateway/adapters/github"
	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/internal/ratelimit"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes builds the whole HTTP surface: the API's route table (api/routes.go,
// which also answers every unknown path and wrong method), /metrics, and the
// ways in that the configuration turns on.
func (s *server) routes() (http.Handler, error) {
	r, err := s.router()
	if err != nil {
		return nil, err
	}
	// Outermost: every answer carries X-Request-Id, the guard's 429s too.
	return httpx.WithRequestID(newGuard(s.cfg, s.logger, s.now).wrap(r)), nil
}

// router is the route table itself, without the guard in front: tests walk
// it (matrix_test.go) so that every route gets its bad-input cases.
func (s *server) router() (*mux.Router, error) {
	r := mux.NewRouter()
	api.New(s.svc, api.Options{Logger: s.logger, Version: version, Webhooks: s.hooks, PublicURL: s.cfg.PublicURL,
		WebhookActions: ratelimit.NewKeyed(s.cfg.RateWebhookTest, 0, s.now)}).Register(r)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(s.engine.Collectors()...)
	reg.MustRegister(s.metrics.collectors(s.store)...)
	r.Handle("/metrics", metricsAuth(s.cfg.MetricsToken, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))).Methods(http.MethodGet)
	if err := mountAdapters(r, s.svc, s.cfg, s.logger); err != nil {
		return nil, err
	}
	return r, nil
}

// mountAdapters registers the ways in that the configuration enables: each
// adapter with a secret is on only with it; incoming hooks (their tokens
// are made through the API) are always on.
func mountAdapters(r *mux.Router, svc *core.Service, cfg *Config, logger *slog.Logger) error {
	if cfg.SlackSigningSecret != "" {
		sh, err := slack.NewHandler(svc, slack.Options{SigningSecret: cfg.SlackSigningSecret, Logger: logger, BotToken: cfg.SlackBotToken,
			TeamIDs: cfg.SlackTeamIDs, APIURL: cfg.SlackAPIURL})
		if err != nil {
			return err
		}
		r.HandleFunc("/slack/commands", sh.ServeCommands).Methods(http.MethodPost)
		r.HandleFunc("/slack/interactions", sh.ServeInteractions).Methods(http.MethodPost)
	}
	if cfg.MattermostToken != "" {
		mh, err := mattermost.NewHandler(svc, mattermost.Options{Token: cfg.MattermostToken, Logger: logger, TeamIDs: cfg.MattermostTeamIDs})
		if err != nil {
			return err
		}
		r.Handle("/mattermost/commands", mh).Methods(http.MethodPost)
	}
	if cfg.GitHubWebhookSecret != "" {
		gh, err := github.NewHandler(svc, github.Options{Secret: cfg.GitHubWebhookSecret, Logger: logger})
		if err != nil {
			return err
		}
		r.Handle("/github/webhook", gh).Methods(http.MethodPost)
	}
	r.Handle("/hooks/{token}", generic.NewHandler(svc, generic.Options{Logger: logger})).Methods(http.MethodPost)

	// An adapter that is off says how to turn it on, rather than a bare 404.
	for _, off := range []struct {
		on      bool
		paths   []string
		setting string
	}{
		{cfg.SlackSigningSecret != "", []string{"/slack/commands", "/slack/interactions"}, "GATEWAY_SLACK_SIGNING_SECRET"},
		{cfg.MattermostToken != "", []string{"/mattermost/commands"}, "GATEWAY_MATTERMOST_TOKEN"},
		{cfg.GitHubWebhookSecret != "", []string{"/github/webhook"}, "GATEWAY_GITHUB_WEBHOOK_SECRET"},
	} {
		if off.on {
			continue
		}
		msg := "this adapter is off; start the gateway with " + off.setting + " set to turn it on"
		for _, p := range off.paths {
			r.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
				_ = httpx.APIJSON.Error(w, httpx.Errorf(http.StatusNotFound, core.ENOTFOUND, "%s", msg))
			})
		}
	}
	logger.Info("adapters", "slack", cfg.SlackSigningSecret != "", "mattermost", cfg.MattermostToken != "",
		"github", cfg.GitHubWebhookSecret != "", "incoming_hooks", true, "slack_bot", cfg.SlackBotToken != "")
	return nil
}
