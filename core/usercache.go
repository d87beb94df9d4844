package core

import (
	"context"
	"sync"
	"time"
)

// DefaultIdentityCacheTTL is how long a chat identity's user is kept in
// memory when Options.IdentityCacheTTL is zero.
const DefaultIdentityCacheTTL = 5 * time.Second

// maxCachedIdentities bounds the identity cache; it starts over when full.
const maxCachedIdentities = 10000

// identityKey names a chat identity in a workspace.
type identityKey struct {
	ws                ID
	provider, subject string
}

// cachedUser is a user as read at a time, in a generation of the cache.
type cachedUser struct {
	u   User
	gen uint64
	at  time.Time
}

// identityCache keeps the users of recently seen chat identities, so that a
// chat command does not read the store to learn who sent it. Every change
// this Service makes to users or identities empties it (see forget); changes
// made elsewhere (another instance on the same PostgreSQL database) are seen
// after at most ttl.
type identityCache struct {
	ttl time.Duration // <= 0: no caching

	mu  sync.Mutex
	gen uint64
	m   map[identityKey]cachedUser
}

// get returns the cached user of k, if fresh, and the generation to hand to
// put after reading the store.
func (c *identityCache) get(k identityKey) (User, bool, uint64) {
	if c.ttl <= 0 {
		return User{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || e.gen != c.gen || time.Since(e.at) >= c.ttl {
		return User{}, false, c.gen
	}
	return e.u, true, c.gen
}

// put keeps u for k unless the cache was emptied since get returned gen: a
// read that began before a change must not bring back what it replaced.
func (c *identityCache) put(k identityKey, u User, gen uint64, at time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxCachedIdentities {
		c.m = make(map[identityKey]cachedUser)
	}
	c.m[k] = cachedUser{u: u, gen: gen, at: at}
}

// forget empties the cache. It is called after a change to users or
// identities has committed (or failed).
func (c *identityCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// userByIdentity returns the user of a chat identity, from the cache when
// it was read less than the cache's TTL ago; not_found when nobody has it.
func (s *Service) userByIdentity(ctx context.Context, ws ID, provider, subject string) (User, error) {
	k := identityKey{ws: ws, provider: provider, subject: subject}
	u, ok, gen := s.idents.get(k)
	if ok {
		return u, nil
	}
	at := time.Now()
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, err = tx.UserByIdentity(ws, provider, subject)
		return err
	})
	if err != nil {
		return User{}, err
	}
	s.idents.put(k, u, gen, at)
	return u, nil
}
