// Package webhooks holds the rules of outgoing subscriptions: what may be
// subscribed (targets, event filters, formats, secrets, the per-user
// limit, and URL checks that keep subscriptions off private networks),
// their statuses and the webhook.* events that report them, validation,
// secret rotation, replay, the delivery log, who receives which event
// (Router), the body formats and signing (Standard Webhooks and a
// Toggl-compatible header).
//
// Sending is package delivery's: it imports this package for the rules
// (Router, Service.Render, Sign, Service.Alert, Service.MarkValidated),
// and this package never imports it. Targets other than http(s) URLs are
// checked by the Target registered for their scheme (Options.Targets),
// which the delivery engine's sender for that scheme also is.
package webhooks
