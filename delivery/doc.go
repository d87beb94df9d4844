// Package delivery is the webhook delivery engine: it sends every outbox
// event to the subscriptions that receive it, and keeps their health.
//
// The path of one event: DispatchOnce reads the outbox after the dispatch
// cursor and, with webhooks.Router, saves a pending delivery for every
// subscription that receives it; the claim loop leases due deliveries
// (core.Tx.ClaimDeliveries) and hands them to the workers; a worker renders
// the body in the subscription's format (webhooks.Service.Render), signs
// it at send time (webhooks.Sign) and sends it through the Sender of the
// target (HTTP for http(s) URLs, with the dial-time private-address check
// of NewHTTPClient; Options.Senders, such as a Channel for
// "slack:CHANNEL_ID", for the others); Decide, a pure function of the
// attempt's Outcome, the Policy, the clock and the jitter, says what the
// attempt changes; record saves that with the attempt row in one
// transaction and writes its alerts (webhooks.Service.Alert).
//
// Deliveries are claimed oldest due first, and the workers take them in
// that order; several are sent at once, so a receiver may get them in
// another order (Workers = 1 keeps it). A new subscription's first ping
// is due Options.PingDelay after the subscription was created, so that it
// does not overtake the API's answer that carries the secret.
//
// Package webhooks holds the rules of subscriptions, their formats,
// signing and the URL checks; this package imports it, never the reverse.
// The clock and the randomness of retries come in through Options.
package delivery
