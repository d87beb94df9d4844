package sqltx

import (
	"time"

	"github.com/chatops/gateway/core"
)

// Retention: old delivery history and expired sessions go in small batches
// (core.Service.Prune). Each statement deletes the rows a subquery picks,
// oldest first; on PostgreSQL the subquery skips rows another transaction
// holds.

// prune runs one batch DELETE and returns how many rows it deleted.
func (t *Tx) prune(op, query string, args ...any) (int, error) {
	n, err := t.c.Exec(query, args...)
	if err != nil {
		return 0, t.Wrap(op, err)
	}
	return int(n), nil
}

// PruneAttempts deletes attempts made before before, except those of a
// pending delivery (a retry still counts them).
func (t *Tx) PruneAttempts(before time.Time, limit int) (int, error) {
	return t.prune("prune delivery attempts", `DELETE FROM delivery_attempts WHERE id IN
		(SELECT a.id FROM delivery_attempts a WHERE a.at < ?
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id AND d.state = 'pending')
		ORDER BY a.at LIMIT ?`+t.d.SkipLocked()+`)`, t.ts(before), limit)
}

// PruneDeliveries deletes finished deliveries last changed before before.
func (t *Tx) PruneDeliveries(before time.Time, limit int) (int, error) {
	return t.prune("prune deliveries", `DELETE FROM deliveries WHERE id IN
		(SELECT id FROM deliveries WHERE updated_at < ? AND state <> 'pending'
		ORDER BY updated_at LIMIT ?`+t.d.SkipLocked()+`)`, t.ts(before), limit)
}

// PruneSubscriptionAttempts deletes up to limit of a subscription's
// attempts at deliveries that are not pending, and
// PruneSubscriptionDeliveries up to limit of its deliveries that are not
// pending; each in the order of an index that starts with the
// subscription, so that a batch reads only what it deletes.
func (t *Tx) PruneSubscriptionAttempts(ws, sub core.ID, limit int) (int, error) {
	return t.prune("prune webhook attempts", `DELETE FROM delivery_attempts WHERE id IN
		(SELECT a.id FROM delivery_attempts a WHERE a.subscription_id = ? AND a.workspace_id = ?
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id AND d.state = 'pending')
		ORDER BY a.id LIMIT ?`+t.d.SkipLocked()+`)`, int64(sub), int64(ws), limit)
}

// PruneSubscriptionDeliveries: see PruneSubscriptionAttempts.
func (t *Tx) PruneSubscriptionDeliveries(ws, sub core.ID, limit int) (int, error) {
	return t.prune("prune webhook deliveries", `DELETE FROM deliveries WHERE id IN
		(SELECT id FROM deliveries WHERE subscription_id = ? AND workspace_id = ? AND state <> 'pending'
		ORDER BY event_seq LIMIT ?`+t.d.SkipLocked()+`)`, int64(sub), int64(ws), limit)
}

// PruneEvents deletes events from before before that every cursor has
// passed and that no pending delivery still needs. The dispatcher writes an
// event's deliveries in the transaction that moves its cursor past it, so an
// event at or below the cursor has every delivery it will ever get from the
// dispatcher.
func (t *Tx) PruneEvents(before time.Time, limit int) (int, error) {
	return t.prune("prune events", `DELETE FROM outbox WHERE seq IN
		(SELECT o.seq FROM outbox o WHERE o.timestamp < ?
		AND o.seq <= coalesce((SELECT min(c.seq) FROM webhook_cursors c), 0)
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = o.seq AND d.state = 'pending')
		ORDER BY o.seq LIMIT ?`+t.d.SkipLocked()+`)`, t.ts(before), limit)
}

// Sessions.

const sessionCols = "hash, workspace_id, user_id, token_id, created_at, expires_at"

// CreateSession stores a session; not_found when its token (or user) is
// gone, conflict when the hash is taken.
func (t *Tx) CreateSession(s *core.Session) error {
	_, err := t.c.Guard("INSERT INTO sessions ("+sessionCols+") VALUES (?, ?, ?, ?, ?, ?)",
		s.Hash, int64(s.WorkspaceID), int64(s.UserID), int64(s.TokenID), t.ts(s.CreatedAt), t.ts(s.ExpiresAt))
	switch {
	case t.d.IsUnique(err):
		return core.Errorf(core.ECONFLICT, "session already exists")
	case t.d.IsForeignKey(err):
		return NotFound("token", s.TokenID)
	case err != nil:
		return t.Wrap("create session", err)
	}
	return nil
}

// SessionByHash returns a session, expired or not; not_found if none.
func (t *Tx) SessionByHash(hash string) (core.Session, error) {
	var s core.Session
	err := t.c.QueryRow("SELECT "+sessionCols+" FROM sessions WHERE hash = ?", hash).Scan(&s.Hash,
		(*idCol)(&s.WorkspaceID), (*idCol)(&s.UserID), (*idCol)(&s.TokenID), (*timeCol)(&s.CreatedAt), (*timeCol)(&s.ExpiresAt))
	if err != nil {
		return core.Session{}, t.Lookup(err, "get session", "session not found")
	}
	return s, nil
}

// DeleteSession ends a session; one already gone is no error.
func (t *Tx) DeleteSession(hash string) error {
	if _, err := t.c.Exec("DELETE FROM sessions WHERE hash = ?", hash); err != nil {
		return t.Wrap("delete session", err)
	}
	return nil
}

// PruneSessions deletes sessions that expired before before.
func (t *Tx) PruneSessions(before time.Time, limit int) (int, error) {
	return t.prune("prune sessions", `DELETE FROM sessions WHERE hash IN
		(SELECT hash FROM sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?`+t.d.SkipLocked()+`)`,
		t.ts(before), limit)
}
