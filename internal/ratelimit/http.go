package ratelimit

import (
	"net/http"
	"strconv"
	"time"

	"github.com/chatops/gateway/internal/httpx"
)

// CodeRateLimited is the error code of a request refused by a limit.
const CodeRateLimited = "rate_limited"

// TooMany sets w's Retry-After to d in whole seconds (RetryAfter) and
// returns the 429 error to answer, with msg and how long to wait.
func TooMany(w http.ResponseWriter, d time.Duration, msg string) *httpx.Error {
	secs := RetryAfter(d)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return httpx.Errorf(http.StatusTooManyRequests, CodeRateLimited, "%s; try again in %d s", msg, secs)
}
