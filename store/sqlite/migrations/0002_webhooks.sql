-- Outgoing webhooks: subscriptions, their delivery queue and delivery log.
--
-- events is the subscription's filter list as JSON text, kept exactly as
-- given (NULL when none). Booleans are INTEGER 0/1.

CREATE TABLE subscriptions (
	id                    INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id          INTEGER NOT NULL REFERENCES workspaces (id),
	owner_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name                  TEXT    NOT NULL,
	name_key              TEXT    NOT NULL,
	url                   TEXT    NOT NULL,
	events                TEXT,
	format                TEXT    NOT NULL,
	scope                 TEXT    NOT NULL,
	enabled               INTEGER NOT NULL,
	status                TEXT    NOT NULL,
	secret                TEXT    NOT NULL,
	previous_secret       TEXT    NOT NULL DEFAULT '',
	previous_secret_until INTEGER,
	validation_code       TEXT    NOT NULL DEFAULT '',
	validated_at          INTEGER,
	failures              INTEGER NOT NULL DEFAULT 0,
	disabled_reason       TEXT    NOT NULL DEFAULT '',
	last_delivery_at      INTEGER,
	last_status_code      INTEGER NOT NULL DEFAULT 0,
	last_error            TEXT    NOT NULL DEFAULT '',
	channel               TEXT    NOT NULL DEFAULT '',
	created_at            INTEGER NOT NULL,
	updated_at            INTEGER NOT NULL,
	UNIQUE (workspace_id, name_key)
);

CREATE INDEX subscriptions_owner ON subscriptions (workspace_id, owner_id);

-- Named cursors of the webhook engine; 'dispatch' is the Seq of the last
-- outbox event turned into deliveries.
CREATE TABLE webhook_cursors (
	name TEXT    PRIMARY KEY,
	seq  INTEGER NOT NULL
) WITHOUT ROWID;

-- One event on its way to one subscription. workspace_id is the
-- subscription's; event_seq is the outbox Seq (no foreign key, so that the
-- outbox may be pruned). A worker holds a delivery while lease_until is in
-- the future.
--
-- held is 1 while the subscription may not receive the delivery (it is off or
-- disabled; or not validated, and the delivery is not a webhook.ping). It is
-- kept in step by the store whenever a delivery is queued or a subscription
-- changes class, so that claims skip a stopped subscription's backlog through
-- the index instead of stepping over it row by row.
CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id    INTEGER NOT NULL,
	subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	event_seq       INTEGER NOT NULL,
	event_id        TEXT    NOT NULL,
	event_type      TEXT    NOT NULL,
	state           TEXT    NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	lease_until     INTEGER,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	delivered_at    INTEGER,
	held            INTEGER NOT NULL DEFAULT 0,
	UNIQUE (subscription_id, event_seq)
);

-- What ClaimDeliveries scans: pending deliveries that are not held, by due
-- time (and id, the rowid every index ends with).
CREATE INDEX deliveries_due ON deliveries (state, held, next_attempt_at);

-- The delivery log: one row per HTTP request.
CREATE TABLE delivery_attempts (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id    INTEGER NOT NULL,
	subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	delivery_id     INTEGER NOT NULL,
	event_id        TEXT    NOT NULL,
	event_type      TEXT    NOT NULL,
	attempt         INTEGER NOT NULL,
	at              INTEGER NOT NULL,
	status_code     INTEGER NOT NULL DEFAULT 0,
	latency_ms      INTEGER NOT NULL DEFAULT 0,
	error_class     TEXT    NOT NULL DEFAULT '',
	error           TEXT    NOT NULL DEFAULT '',
	response        TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX delivery_attempts_subscription ON delivery_attempts (subscription_id, id);

-- EventsBetween (replay) selects events by time.
CREATE INDEX outbox_timestamp ON outbox (timestamp);
