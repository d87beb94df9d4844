package sqltx

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/chatops/gateway/core"
)

// Incoming hooks.

const hookCols = "id, workspace_id, owner_id, name, token_hash, created_at"

func scanHook(s Row, h *core.IncomingHook) error {
	return s.Scan((*idCol)(&h.ID), (*idCol)(&h.WorkspaceID), (*idCol)(&h.OwnerID), &h.Name, &h.TokenHash,
		(*timeCol)(&h.CreatedAt))
}

// CreateIncomingHook adds an incoming hook; not_found when the workspace or
// the owner (in that workspace) does not exist, conflict when the token hash
// is taken.
func (t *Tx) CreateIncomingHook(h *core.IncomingHook) error {
	if err := t.checkWorkspace(h.WorkspaceID); err != nil {
		return err
	}
	if err := t.inWorkspace("user", h.OwnerID, h.WorkspaceID); err != nil {
		return err
	}
	id, err := t.c.Insert("INSERT INTO incoming_hooks (workspace_id, owner_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		int64(h.WorkspaceID), int64(h.OwnerID), h.Name, h.TokenHash, t.ts(h.CreatedAt))
	switch {
	case t.d.IsUnique(err):
		return core.Errorf(core.ECONFLICT, "incoming hook token already exists")
	case t.d.IsForeignKey(err):
		return NotFound("user", h.OwnerID)
	case err != nil:
		return t.Wrap("create incoming hook", err)
	}
	h.ID = core.ID(id)
	return nil
}

// IncomingHook returns a hook of the workspace.
func (t *Tx) IncomingHook(ws, id core.ID) (core.IncomingHook, error) {
	var h core.IncomingHook
	err := scanHook(t.c.QueryRow("SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &h)
	if err != nil {
		return core.IncomingHook{}, t.Lookup(err, "get incoming hook", fmt.Sprintf("incoming hook %d not found", id))
	}
	return h, nil
}

// IncomingHookByHash finds a hook by its token's hash.
func (t *Tx) IncomingHookByHash(hash string) (core.IncomingHook, error) {
	var h core.IncomingHook
	err := scanHook(t.c.QueryRow("SELECT "+hookCols+" FROM incoming_hooks WHERE token_hash = ?", hash), &h)
	if err != nil {
		return core.IncomingHook{}, t.Lookup(err, "get incoming hook", "incoming hook not found")
	}
	return h, nil
}

// ListIncomingHooks returns a page of hooks by id, one owner's when owner is
// set.
func (t *Tx) ListIncomingHooks(ws, owner core.ID, p core.Page) ([]core.IncomingHook, error) {
	p = p.Normalize()
	var hs []core.IncomingHook
	var err error
	if owner == 0 {
		hs, err = List(t, scanHook, "SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(p.After), p.Limit)
	} else {
		hs, err = List(t, scanHook, "SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = ? AND owner_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(owner), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, t.Wrap("list incoming hooks", err)
	}
	return hs, nil
}

// DeleteIncomingHook removes a hook.
func (t *Tx) DeleteIncomingHook(ws, id core.ID) error {
	n, err := t.c.Exec("DELETE FROM incoming_hooks WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case err != nil:
		return t.Wrap("delete incoming hook", err)
	case n == 0:
		return NotFound("incoming hook", id)
	}
	return nil
}

// GitHub repositories and issues.
//
// A mapping is inserted from the row it maps to, so that a missing project
// or task inserts nothing rather than breaking a foreign key. The selected
// arguments are CAST for PostgreSQL, which cannot tell their types otherwise;
// to SQLite the casts change nothing.

// repoKey is how a repository's full name is matched: ignoring case.
func repoKey(repo string) string { return core.NameKey(repo) }

// SetRepoProject maps a repository to a project of the workspace, replacing
// an earlier mapping; not_found when the project does not exist.
func (t *Tx) SetRepoProject(ws core.ID, repo string, project core.ID) error {
	n, err := t.c.Guard(`INSERT INTO github_repositories (workspace_id, repo_key, repo, project_id)
		SELECT CAST(? AS bigint), CAST(? AS text), CAST(? AS text), p.id FROM projects p WHERE p.id = ? AND p.workspace_id = ?
		ON CONFLICT (workspace_id, repo_key) DO UPDATE SET repo = excluded.repo, project_id = excluded.project_id`,
		int64(ws), repoKey(repo), repo, int64(project), int64(ws))
	switch {
	case t.d.IsForeignKey(err) || err == nil && n == 0:
		return NotFound("project", project)
	case err != nil:
		return t.Wrap(fmt.Sprintf("map repository %q", repo), err)
	}
	return nil
}

// RepoProject returns the project a repository is mapped to.
func (t *Tx) RepoProject(ws core.ID, repo string) (core.ID, error) {
	var id core.ID
	err := t.c.QueryRow("SELECT project_id FROM github_repositories WHERE workspace_id = ? AND repo_key = ?", int64(ws), repoKey(repo)).
		Scan((*idCol)(&id))
	if err != nil {
		return 0, t.Lookup(err, "get repository mapping", fmt.Sprintf("repository %q is not mapped", repo))
	}
	return id, nil
}

// SetIssueTask links an issue of a repository to a task of the workspace,
// replacing an earlier link; not_found when the task does not exist.
func (t *Tx) SetIssueTask(ws core.ID, repo string, number int, task core.ID) error {
	n, err := t.c.Guard(`INSERT INTO github_issues (workspace_id, repo_key, number, task_id)
		SELECT CAST(? AS bigint), CAST(? AS text), CAST(? AS integer), k.id FROM tasks k WHERE k.id = ? AND k.workspace_id = ?
		ON CONFLICT (workspace_id, repo_key, number) DO UPDATE SET task_id = excluded.task_id`,
		int64(ws), repoKey(repo), number, int64(task), int64(ws))
	switch {
	case t.d.IsForeignKey(err) || err == nil && n == 0:
		return NotFound("task", task)
	case err != nil:
		return t.Wrap(fmt.Sprintf("link issue %s#%d", repo, number), err)
	}
	return nil
}

// IssueTask returns the task linked to an issue.
func (t *Tx) IssueTask(ws core.ID, repo string, number int) (core.ID, error) {
	var id core.ID
	err := t.c.QueryRow("SELECT task_id FROM github_issues WHERE workspace_id = ? AND repo_key = ? AND number = ?",
		int64(ws), repoKey(repo), number).Scan((*idCol)(&id))
	if err != nil {
		return 0, t.Lookup(err, "get issue task", fmt.Sprintf("issue %s#%d has no task", repo, number))
	}
	return id, nil
}

// Remembered reports whether Remember has recorded key.
func (t *Tx) Remembered(ws core.ID, key string) (bool, error) {
	var one int
	err := t.c.QueryRow("SELECT 1 FROM dedupe_keys WHERE workspace_id = ? AND key = ?", int64(ws), key).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, t.Wrap(fmt.Sprintf("remembered %q", key), err)
	}
	return true, nil
}
