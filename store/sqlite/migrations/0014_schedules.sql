-- Scheduled channel reports (report week every fri 17:00): a row per
-- schedule, with the channel key, the subscription its messages go
-- through, the period (JSON), the local time (minutes after midnight) and
-- days (bit set) in zone, and the UTC instant of the next slot.
CREATE TABLE schedules (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
	user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	channel         TEXT    NOT NULL,
	subscription_id INTEGER NOT NULL,
	period          TEXT    NOT NULL,
	at_minute       INTEGER NOT NULL,
	days            INTEGER NOT NULL,
	zone            TEXT    NOT NULL,
	next_at         INTEGER NOT NULL,
	created_at      INTEGER NOT NULL
);

CREATE INDEX schedules_next ON schedules (next_at);
CREATE INDEX schedules_channel ON schedules (workspace_id, channel);
-- Running timers by start, for the long-timer scan.
CREATE INDEX time_entries_running_start ON time_entries (start_at) WHERE end_at IS NULL;
