-- The gateway's first schema.
--
-- Every time is an INTEGER of unix microseconds, UTC. Names are unique by
-- name_key, the core.NameKey of the name, computed in Go: the name column keeps
-- the case a person typed. Entity ids use AUTOINCREMENT so that an id, once
-- published in an event, is never given to something else.

CREATE TABLE workspaces (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE users (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	name         TEXT    NOT NULL,
	name_key     TEXT    NOT NULL,
	role         TEXT    NOT NULL,
	time_zone    TEXT    NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (workspace_id, name_key)
);

CREATE TABLE identities (
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	provider     TEXT    NOT NULL,
	subject      TEXT    NOT NULL,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (workspace_id, provider, subject)
) WITHOUT ROWID;

CREATE INDEX identities_user ON identities (user_id);

CREATE TABLE tokens (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash         TEXT    NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL
);

CREATE INDEX tokens_user ON tokens (user_id);
CREATE INDEX tokens_workspace ON tokens (workspace_id);

CREATE TABLE clients (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	name         TEXT    NOT NULL,
	name_key     TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (workspace_id, name_key)
);

CREATE TABLE projects (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	client_id    INTEGER REFERENCES clients (id),
	name         TEXT    NOT NULL,
	name_key     TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (workspace_id, name_key)
);

CREATE INDEX projects_client ON projects (client_id);
CREATE INDEX projects_created_by ON projects (created_by);

CREATE TABLE tasks (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	project_id   INTEGER NOT NULL REFERENCES projects (id),
	name         TEXT    NOT NULL,
	name_key     TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (project_id, name_key)
);

CREATE INDEX tasks_name ON tasks (workspace_id, name_key);
CREATE INDEX tasks_created_by ON tasks (created_by);

CREATE TABLE tags (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	name         TEXT    NOT NULL,
	name_key     TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (workspace_id, name_key)
);

-- end_at is NULL while the entry is a running timer. tags is a JSON array of
-- strings.
CREATE TABLE time_entries (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id     INTEGER NOT NULL REFERENCES workspaces (id),
	user_id          INTEGER NOT NULL REFERENCES users (id),
	task_id          INTEGER REFERENCES tasks (id),
	project_id       INTEGER REFERENCES projects (id),
	start_at         INTEGER NOT NULL,
	end_at           INTEGER,
	duration_seconds INTEGER NOT NULL DEFAULT 0,
	note             TEXT    NOT NULL DEFAULT '',
	billable         INTEGER NOT NULL DEFAULT 0,
	tags             TEXT    NOT NULL DEFAULT '[]',
	source           TEXT    NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
);

-- At most one running timer per user; also the index RunningEntry reads.
CREATE UNIQUE INDEX time_entries_running ON time_entries (workspace_id, user_id) WHERE end_at IS NULL;
CREATE INDEX time_entries_user_start ON time_entries (workspace_id, user_id, start_at);
CREATE INDEX time_entries_project ON time_entries (project_id);
CREATE INDEX time_entries_task ON time_entries (task_id);

-- The outbox: every change appends its event here in the same transaction.
-- AUTOINCREMENT keeps seq strictly increasing and never reused.
CREATE TABLE outbox (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	id           TEXT    NOT NULL UNIQUE,
	type         TEXT    NOT NULL,
	timestamp    INTEGER NOT NULL,
	workspace_id INTEGER NOT NULL,
	actor        TEXT    NOT NULL,
	data         TEXT,
	user_id      INTEGER,
	project_id   INTEGER
);

-- steps is a JSON array of core.UndoStep.
CREATE TABLE undo_log (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	action       TEXT    NOT NULL,
	steps        TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	undone       INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX undo_log_user ON undo_log (workspace_id, user_id, created_at);

CREATE TABLE dedupe_keys (
	workspace_id INTEGER NOT NULL,
	key          TEXT    NOT NULL,
	seen_at      INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, key)
) WITHOUT ROWID;

CREATE INDEX dedupe_keys_seen ON dedupe_keys (seen_at);
