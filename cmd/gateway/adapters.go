package main

import (
	"log/slog"
	"net/http"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/gorilla/mux"
)

// mountAdapters registers the ways in that the configuration enables: each
// adapter is on only with its secret.
func mountAdapters(r *mux.Router, svc *core.Service, cfg *Config, logger *slog.Logger) error {
	if cfg.SlackSigningSecret != "" {
		sh, err := slack.NewHandler(svc, slack.Options{SigningSecret: cfg.SlackSigningSecret, Logger: logger})
		if err != nil {
			return err
		}
		r.HandleFunc("/slack/commands", sh.ServeCommands).Methods(http.MethodPost)
	}
	return nil
}
