package webhooks

import (
	"net/http"
	"strconv"
	"time"
)

// DefaultRetrySchedule is the delay before each attempt: the first at once,
// the last about three days after the event.
var DefaultRetrySchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}

// Backoff returns the delay before the next attempt after `attempts`
// attempts have been made, and false when the schedule is used up. jitter in
// [0, 1) spreads retries by up to ±10% so that a recovering receiver is not
// hit by every retry at once.
func Backoff(schedule []time.Duration, attempts int, jitter float64) (time.Duration, bool) {
	if attempts < 0 || attempts >= len(schedule) {
		return 0, false
	}
	d := schedule[attempts]
	return d + time.Duration((jitter*0.2-0.1)*float64(d)), true
}

// maxRetryAfter caps how far a receiver can push its next attempt.
const maxRetryAfter = 24 * time.Hour

// RetryAfter reads a Retry-After header (seconds or an HTTP date) on a 429
// or 503 answer, and reports whether it applies.
func RetryAfter(status int, h http.Header, now time.Time) (time.Duration, bool) {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return 0, false
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, 0), maxRetryAfter), true
}
