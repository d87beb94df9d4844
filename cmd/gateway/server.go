package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/schedule"
	"github.com/chatops/gateway/webhooks"
)

// server is a running gateway: a listener, the HTTP server and the store.
type server struct {
	cfg    *Config
	logger *slog.Logger
	ln     net.Listener
	http   *http.Server
	store  core.Store
	svc    *core.Service
	hooks  *webhooks.Service
	engine *delivery.Engine
	done   chan error
	// engineDone is closed when the delivery engine has stopped.
	engineDone chan struct{}
	stopEngine context.CancelFunc
	metrics    *commandMetrics
	sched      *schedule.Scheduler
	// now is the clock of the rate limits; nil is time.Now.
	now func() time.Time
}

// startServer opens the store, makes sure an admin token exists (printing a
// new one once to stdout), listens, and serves in the background.
func startServer(ctx context.Context, cfg *Config, stdout io.Writer, logger *slog.Logger) (*server, error) {
	if err := checkStartup(cfg); err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, logger: logger, store: st, done: make(chan error, 1), metrics: newCommandMetrics(), now: cfg.now}
	// With GATEWAY_ENCRYPTION_KEY, webhook secrets are sealed at rest.
	data, err := sealStore(st, cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	// Every committed change wakes the delivery engine.
	s.svc = core.NewService(delivery.NotifyStore(data, func() { s.engine.Wake() }),
		core.Options{Logger: logger, OnCommand: s.metrics.observe, Retention: cfg.Retention, SessionTTL: cfg.SessionTTL,
			PublicURL: cfg.PublicURL, ReportLinkKey: reportLinkKey(cfg.EncryptionKey),
			Limits: cfg.Limits})
	// Chat channels are subscriptions in the slack and mattermost formats;
	// slack:CHANNEL_ID targets are posted with the bot token, and refused
	// with a hint without one.
	slackChannels := delivery.Channel{Scheme: "slack", Format: core.FormatSlack,
		Unavailable: "a Slack bot token (GATEWAY_SLACK_BOT_TOKEN); give the channel's incoming-webhook URL instead"}
	if cfg.SlackBotToken != "" {
		poster, err := slack.NewPoster(cfg.SlackBotToken, cfg.SlackAPIURL, nil)
		if err != nil {
			st.Close()
			return nil, err
		}
		slackChannels.Post = poster.Send
	}
	s.hooks = webhooks.New(s.svc, webhooks.Options{
		Logger: logger, PublicURL: cfg.PublicURL, AllowPrivateTargets: cfg.AllowPrivateTargets,
		MaxPerUser: cfg.MaxWebhooksPerUser, Retention: cfg.Retention,
		Renderers: map[string]webhooks.Renderer{core.FormatSlack: slack.RenderEvent, core.FormatMattermost: mattermost.RenderEvent},
		Targets:   map[string]webhooks.Target{"slack": slackChannels},
	})
	// The engine writes to the store itself, not through the one that
	// wakes it.
	s.engine = delivery.New(data, s.hooks, delivery.Options{
		Logger: logger, AllowPrivateTargets: cfg.AllowPrivateTargets,
		RetrySchedule: cfg.RetrySchedule, DisableAfter: cfg.DisableAfter, Timeout: cfg.DeliveryTimeout, Version: version,
		Senders:   map[string]delivery.Sender{"slack": slackChannels},
		PingDelay: delivery.DefaultPingDelay,
	})
	s.svc.SetChannels(s.hooks)
	// Reminders, scheduled reports and long-timer notices: direct messages
	// need the bot token.
	s.svc.SetDirectMessages(core.DirectMessages{Slack: cfg.SlackBotToken != "", Setting: "GATEWAY_SLACK_BOT_TOKEN"})
	so := schedule.Options{Now: cfg.schedNow, Logger: logger, LongTimer: cfg.LongTimer, Interval: cfg.schedInterval}
	if cfg.SlackBotToken != "" {
		so.Targets = s.svc
	}
	s.sched = schedule.New(s.svc.Store(), so)
	token, err := s.svc.BootstrapAdmin(ctx, cfg.AdminToken)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("admin token: %w", err)
	}
	if token != "" {
		fmt.Fprintf(stdout, "Admin API token (shown once, stored hashed): %s\n", token)
	}
	handler, err := s.routes()
	if err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() { s.done <- s.http.Serve(ln) }()
	engineCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	s.stopEngine, s.engineDone = stopEngine, make(chan struct{})
	go func() {
		defer close(s.engineDone)
		var wg sync.WaitGroup
		// Old request keys, undo records, sessions and delivery history
		// go, at start and hourly.
		wg.Go(func() { s.svc.RunPruner(engineCtx, time.Hour) })
		wg.Go(func() { _ = s.sched.Run(engineCtx) })
		_ = s.engine.Run(engineCtx)
		wg.Wait()
	}()
	logger.Info("listening", "addr", ln.Addr().String(), "database", databaseName(cfg.DatabaseURL),
		"slack", cfg.SlackSigningSecret != "", "version", version, "console", consoleURL(cfg.PublicURL, ln.Addr().String()))
	return s, nil
}

// Addr is the address the server listens on.
func (s *server) Addr() string { return s.ln.Addr().String() }

// wait serves until ctx is done, then drains in-flight requests with a fresh
// deadline and closes the store.
func (s *server) wait(ctx context.Context) error {
	var serveErr error
	select {
	case serveErr = <-s.done:
	case <-ctx.Done():
		s.logger.Info("shutting down", "reason", context.Cause(ctx).Error())
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.http.Shutdown(shutdownCtx)
	// Then the engine: no new claims, in-flight attempts finish.
	s.stopEngine()
	select {
	case <-s.engineDone:
	case <-shutdownCtx.Done():
		s.logger.Warn("delivery engine did not stop in time")
	}
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	if err == nil {
		s.logger.Info("stopped")
	}
	return err
}

// redactURL hides a password in a database URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
