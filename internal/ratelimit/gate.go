package ratelimit

import "sync"

// Gate lets one holder at a time per key. It is safe for concurrent use;
// its zero value is ready.
type Gate struct {
	mu   sync.Mutex
	held map[string]bool
}

// TryAcquire takes key when no one holds it, returning the func that lets
// it go (call it once); when key is held it returns nil, false.
func (g *Gate) TryAcquire(key string) (release func(), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held[key] {
		return nil, false
	}
	if g.held == nil {
		g.held = map[string]bool{}
	}
	g.held[key] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			delete(g.held, key)
			g.mu.Unlock()
		})
	}, true
}
