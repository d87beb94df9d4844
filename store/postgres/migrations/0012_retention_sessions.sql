-- Retention (GATEWAY_RETENTION) and the web page's server-side sessions.
--
-- Pruning finds old outbox events by timestamp (outbox_timestamp), whether
-- any delivery of an event is still owed by event_seq, old finished
-- deliveries by updated_at, and old attempts by at.
CREATE INDEX deliveries_event ON deliveries (event_seq, state);
CREATE INDEX deliveries_updated ON deliveries (updated_at);
CREATE INDEX delivery_attempts_at ON delivery_attempts (at);

-- A logged-in web page: the cookie holds a random id, the row its hash. A
-- session ends when it expires, at logout, or when the API token it was
-- opened with is revoked (ON DELETE CASCADE).
CREATE TABLE sessions (
	hash         text        PRIMARY KEY,
	workspace_id bigint      NOT NULL REFERENCES workspaces (id),
	user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_id     bigint      NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	created_at   timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL
);

CREATE INDEX sessions_token ON sessions (token_id);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
