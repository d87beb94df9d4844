// Package ratelimit holds the gateway's limits on floods: token buckets
// kept per key (an API token, a hook, a client address, a subscription)
// with a bounded number of keys, the setting syntax of a rate ("50/s:100"),
// a one-at-a-time gate per key, and the client address of a request behind
// trusted proxies. The buckets are golang.org/x/time/rate's; this package
// only keys, bounds and parses them.
package ratelimit
