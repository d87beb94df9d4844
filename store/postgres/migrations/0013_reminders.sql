-- Personal reminders (remind 17:30 weekdays) and long-timer notices.
--
-- One reminder per user: at_minute is the local time in minutes after
-- midnight, days a bit set (bit d = weekday d, Sunday 0), next_at the UTC
-- instant of the next slot, which the scheduler claims and moves on.
-- subscription_id is the direct-message target (slack:USER_ID).
CREATE TABLE reminders (
	user_id         bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	workspace_id    bigint      NOT NULL REFERENCES workspaces (id),
	at_minute       bigint      NOT NULL,
	days            bigint      NOT NULL,
	subscription_id bigint      NOT NULL,
	next_at         timestamptz NOT NULL,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL
);

CREATE INDEX reminders_next ON reminders (next_at);

-- A running timer gets one long-timer message, ever: its row here says it
-- was sent.
CREATE TABLE long_timer_notices (
	entry_id     bigint      PRIMARY KEY REFERENCES time_entries (id) ON DELETE CASCADE,
	workspace_id bigint      NOT NULL REFERENCES workspaces (id),
	at           timestamptz NOT NULL
);
