// Package webhooks delivers the outbox to subscribers: subscriptions and their
// rules (filters, validation, limits, statuses), signing (Standard Webhooks
// and a Toggl-compatible header), the dispatcher that turns events into
// deliveries, the workers that send them with retries and auto-disable, and
// the safety checks that keep deliveries off private networks.
package webhooks
