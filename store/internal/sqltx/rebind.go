package sqltx

import (
	"strconv"
	"strings"
	"sync"
)

// Rebind spells a statement's placeholders as PostgreSQL's: `?N` becomes
// `$N` and each plain `?` the next `$n`. Question marks inside quotes are
// left alone.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	quote := byte(0)
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '?':
			b.WriteByte('$')
			if i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
				continue // ?N: the digits follow
			}
			n++
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// Rebinder caches the PostgreSQL spelling of statements, so that each
// distinct statement is rebound once. It is safe for concurrent use; the
// zero value is ready.
type Rebinder struct {
	mu sync.RWMutex
	m  map[string]string
}

// Rebind returns Rebind(query), from the cache after the first time.
func (r *Rebinder) Rebind(query string) string {
	r.mu.RLock()
	q, ok := r.m[query]
	r.mu.RUnlock()
	if ok {
		return q
	}
	q = Rebind(query)
	r.mu.Lock()
	if r.m == nil {
		r.m = make(map[string]string)
	}
	r.m[query] = q
	r.mu.Unlock()
	return q
}
