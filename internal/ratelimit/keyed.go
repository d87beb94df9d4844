package ratelimit

import (
	"container/list"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys is how many keys a Keyed remembers unless told otherwise.
const DefaultMaxKeys = 10_000

// Keyed is a token bucket per key. It remembers at most a fixed number of
// keys: past it, the least recently used key is forgotten, which only
// gives that key a full bucket again, so memory stays bounded whatever
// the keys a flood makes up. It is safe for concurrent use.
type Keyed struct {
	rate Rate
	max  int
	now  func() time.Time

	mu      sync.Mutex
	order   *list.List // of *entry, most recently used first
	buckets map[string]*list.Element
}

type entry struct {
	key string
	lim *rate.Limiter
}

// NewKeyed returns buckets of rate r for at most maxKeys keys
// (DefaultMaxKeys when not positive), reading the time from now
// (time.Now when nil).
func NewKeyed(r Rate, maxKeys int, now func() time.Time) *Keyed {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &Keyed{rate: r, max: maxKeys, now: now, order: list.New(), buckets: map[string]*list.Element{}}
}

// Rate is the rate of k's buckets.
func (k *Keyed) Rate() Rate { return k.rate }

// bucket returns key's limiter, made on first sight; k.mu is held.
func (k *Keyed) bucket(key string) *rate.Limiter {
	if el, ok := k.buckets[key]; ok {
		k.order.MoveToFront(el)
		return el.Value.(*entry).lim
	}
	for k.order.Len() >= k.max {
		last := k.order.Back()
		k.order.Remove(last)
		delete(k.buckets, last.Value.(*entry).key)
	}
	lim := rate.NewLimiter(k.rate.Limit(), k.rate.Burst)
	k.buckets[key] = k.order.PushFront(&entry{key: key, lim: lim})
	return lim
}

// Allow takes a token from key's bucket. When there is none it takes
// nothing and returns false and how long until there is one.
func (k *Keyed) Allow(key string) (bool, time.Duration) {
	if k == nil || k.rate.Off() {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	lim := k.bucket(key)
	if lim.AllowN(now, 1) {
		return true, 0
	}
	return false, k.wait(lim, now)
}

// Blocked reports whether key's bucket is empty, without taking a token,
// and how long until it holds one again. A key never seen is not blocked.
func (k *Keyed) Blocked(key string) (bool, time.Duration) {
	if k == nil || k.rate.Off() {
		return false, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	el, ok := k.buckets[key]
	if !ok {
		return false, 0
	}
	now := k.now()
	lim := el.Value.(*entry).lim
	if lim.TokensAt(now) >= 1 {
		return false, 0
	}
	return true, k.wait(lim, now)
}

// Len is how many keys k remembers.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.order.Len()
}

// wait is how long until lim holds a whole token.
func (k *Keyed) wait(lim *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - lim.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(missing / float64(lim.Limit()) * float64(time.Second)))
}

// RetryAfter is d as a Retry-After header's value: whole seconds, rounded
// up, at least 1.
func RetryAfter(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	return max(s, 1)
}
