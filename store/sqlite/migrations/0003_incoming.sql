-- Incoming hooks and GitHub links.
--
-- An incoming hook is a URL (POST /hooks/{token}) that runs commands as its
-- owner; only the SHA-256 hash of its token is kept. repo_key is the
-- lower-case full name of a GitHub repository ("octo/web"): GitHub matches
-- repository names ignoring case.

CREATE TABLE incoming_hooks (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	owner_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT    NOT NULL DEFAULT '',
	token_hash   TEXT    NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL
);

CREATE INDEX incoming_hooks_owner ON incoming_hooks (workspace_id, owner_id);

-- Which project a repository's commits and issues go to; without a row, the
-- project named like the repository.
CREATE TABLE github_repositories (
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	repo_key     TEXT    NOT NULL,
	repo         TEXT    NOT NULL,
	project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	PRIMARY KEY (workspace_id, repo_key)
) WITHOUT ROWID;

CREATE INDEX github_repositories_project ON github_repositories (project_id);

-- The task of each GitHub issue (#N of a repository).
CREATE TABLE github_issues (
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	repo_key     TEXT    NOT NULL,
	number       INTEGER NOT NULL,
	task_id      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	PRIMARY KEY (workspace_id, repo_key, number)
) WITHOUT ROWID;

CREATE INDEX github_issues_task ON github_issues (task_id);
