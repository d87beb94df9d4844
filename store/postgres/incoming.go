package postgres

import (
	"errors"
	"fmt"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
)

// Incoming hooks.

const hookCols = "id, workspace_id, owner_id, name, token_hash, created_at"

func scanHook(s pgx.Row, h *core.IncomingHook) error {
	return s.Scan(&h.ID, &h.WorkspaceID, &h.OwnerID, &h.Name, &h.TokenHash, &h.CreatedAt)
}

// CreateIncomingHook adds an incoming hook; not_found when the workspace or
// the owner (in that workspace) does not exist, conflict when the token hash
// is taken.
func (t *tx) CreateIncomingHook(h *core.IncomingHook) error {
	if err := t.checkWorkspace(h.WorkspaceID); err != nil {
		return err
	}
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = $1 AND workspace_id = $2", h.OwnerID, int64(h.WorkspaceID)); err != nil {
		return err
	}
	var id core.ID
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&id) },
		"INSERT INTO incoming_hooks (workspace_id, owner_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		int64(h.WorkspaceID), int64(h.OwnerID), h.Name, h.TokenHash, h.CreatedAt)
	switch {
	case isUnique(err):
		return core.Errorf(core.ECONFLICT, "incoming hook token already exists")
	case isForeignKey(err):
		return notFound("user", h.OwnerID)
	case err != nil:
		return wrap("create incoming hook", err)
	}
	h.ID = id
	return nil
}

// IncomingHook returns a hook of the workspace.
func (t *tx) IncomingHook(ws, id core.ID) (core.IncomingHook, error) {
	var h core.IncomingHook
	err := scanHook(t.row("SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id)), &h)
	if err != nil {
		return core.IncomingHook{}, lookup(err, "get incoming hook", fmt.Sprintf("incoming hook %d not found", id))
	}
	return h, nil
}

// IncomingHookByHash finds a hook by its token's hash.
func (t *tx) IncomingHookByHash(hash string) (core.IncomingHook, error) {
	var h core.IncomingHook
	err := scanHook(t.row("SELECT "+hookCols+" FROM incoming_hooks WHERE token_hash = $1", hash), &h)
	if err != nil {
		return core.IncomingHook{}, lookup(err, "get incoming hook", "incoming hook not found")
	}
	return h, nil
}

// ListIncomingHooks returns a page of hooks by id, one owner's when owner is
// set.
func (t *tx) ListIncomingHooks(ws, owner core.ID, p core.Page) ([]core.IncomingHook, error) {
	p = p.Normalize()
	var hs []core.IncomingHook
	var err error
	if owner == 0 {
		hs, err = list(t, scanHook, "SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
			int64(ws), int64(p.After), p.Limit)
	} else {
		hs, err = list(t, scanHook, "SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = $1 AND owner_id = $2 AND id > $3 ORDER BY id LIMIT $4",
			int64(ws), int64(owner), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, wrap("list incoming hooks", err)
	}
	return hs, nil
}

// DeleteIncomingHook removes a hook.
func (t *tx) DeleteIncomingHook(ws, id core.ID) error {
	n, err := t.affected("DELETE FROM incoming_hooks WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case err != nil:
		return wrap("delete incoming hook", err)
	case n == 0:
		return notFound("incoming hook", id)
	}
	return nil
}

// GitHub repositories and issues.

// repoKey is how a repository's full name is matched: ignoring case.
func repoKey(repo string) string { return core.NameKey(repo) }

// SetRepoProject maps a repository to a project of the workspace, replacing
// an earlier mapping; not_found when the project does not exist.
func (t *tx) SetRepoProject(ws core.ID, repo string, project core.ID) error {
	tag, err := t.guard(nil, `INSERT INTO github_repositories (workspace_id, repo_key, repo, project_id)
		SELECT $1::bigint, $2::text, $3::text, p.id FROM projects p WHERE p.id = $4::bigint AND p.workspace_id = $1::bigint
		ON CONFLICT (workspace_id, repo_key) DO UPDATE SET repo = EXCLUDED.repo, project_id = EXCLUDED.project_id`,
		int64(ws), repoKey(repo), repo, int64(project))
	switch {
	case isForeignKey(err):
		return notFound("project", project)
	case err != nil:
		return wrap(fmt.Sprintf("map repository %q", repo), err)
	case tag.RowsAffected() == 0:
		return notFound("project", project)
	}
	return nil
}

// RepoProject returns the project a repository is mapped to.
func (t *tx) RepoProject(ws core.ID, repo string) (core.ID, error) {
	var id core.ID
	err := t.row("SELECT project_id FROM github_repositories WHERE workspace_id = $1 AND repo_key = $2", int64(ws), repoKey(repo)).
		Scan(&id)
	if err != nil {
		return 0, lookup(err, "get repository mapping", fmt.Sprintf("repository %q is not mapped", repo))
	}
	return id, nil
}

// SetIssueTask links an issue of a repository to a task of the workspace,
// replacing an earlier link; not_found when the task does not exist.
func (t *tx) SetIssueTask(ws core.ID, repo string, number int, task core.ID) error {
	tag, err := t.guard(nil, `INSERT INTO github_issues (workspace_id, repo_key, number, task_id)
		SELECT $1::bigint, $2::text, $3::integer, k.id FROM tasks k WHERE k.id = $4::bigint AND k.workspace_id = $1::bigint
		ON CONFLICT (workspace_id, repo_key, number) DO UPDATE SET task_id = EXCLUDED.task_id`,
		int64(ws), repoKey(repo), number, int64(task))
	switch {
	case isForeignKey(err):
		return notFound("task", task)
	case err != nil:
		return wrap(fmt.Sprintf("link issue %s#%d", repo, number), err)
	case tag.RowsAffected() == 0:
		return notFound("task", task)
	}
	return nil
}

// IssueTask returns the task linked to an issue.
func (t *tx) IssueTask(ws core.ID, repo string, number int) (core.ID, error) {
	var id core.ID
	err := t.row("SELECT task_id FROM github_issues WHERE workspace_id = $1 AND repo_key = $2 AND number = $3",
		int64(ws), repoKey(repo), number).Scan(&id)
	if err != nil {
		return 0, lookup(err, "get issue task", fmt.Sprintf("issue %s#%d has no task", repo, number))
	}
	return id, nil
}

// Remembered reports whether Remember has recorded key.
func (t *tx) Remembered(ws core.ID, key string) (bool, error) {
	var one int32
	err := t.row("SELECT 1 FROM dedupe_keys WHERE workspace_id = $1 AND key = $2", int64(ws), key).Scan(&one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, wrap(fmt.Sprintf("remembered %q", key), err)
	}
	return true, nil
}
