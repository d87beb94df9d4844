package core

import "time"

// DefaultRetention is how long events, deliveries and attempts are kept
// when Options.Retention is zero (GATEWAY_RETENTION).
const DefaultRetention = 30 * 24 * time.Hour

// DefaultSessionTTL is how long a web page's session lasts when
// Options.SessionTTL is zero (GATEWAY_SESSION_TTL).
const DefaultSessionTTL = 12 * time.Hour

// RetentionTx is the part of Tx that forgets old delivery history. Each
// method deletes at most limit rows, oldest first, and returns how many it
// deleted; rows another process holds are skipped.
type RetentionTx interface {
	// PruneAttempts deletes delivery attempts made before before, except
	// those of a delivery that is still pending.
	PruneAttempts(before time.Time, limit int) (int, error)
	// PruneDeliveries deletes finished (delivered or failed) deliveries last
	// changed before before.
	PruneDeliveries(before time.Time, limit int) (int, error)
	// PruneEvents deletes outbox events with a Timestamp before before that
	// every cursor has passed (the dispatcher has handed them out) and that
	// no subscription is still owed: no pending delivery of them is left,
	// whatever the subscription's state (a disabled subscription's queue
	// is kept).
	PruneEvents(before time.Time, limit int) (int, error)
}

// Session is a logged-in web page. The cookie holds a random id; only its
// hash (HashToken) is stored. A session ends when it expires, at logout, and
// when the API token it was opened with is revoked.
type Session struct {
	Hash        string
	WorkspaceID ID
	UserID      ID
	TokenID     ID
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// SessionTx is the part of Tx that keeps web sessions.
type SessionTx interface {
	// CreateSession stores a session; not_found when its token is gone.
	CreateSession(s *Session) error
	// SessionByHash returns a session, expired or not; not_found if none.
	SessionByHash(hash string) (Session, error)
	// DeleteSession ends a session; deleting one that is gone is no error.
	DeleteSession(hash string) error
	// PruneSessions deletes at most limit sessions that expired before
	// before and returns how many.
	PruneSessions(before time.Time, limit int) (int, error)
}
