package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/chatops/gateway/core"
)

// Incoming hooks.

const hookCols = "id, workspace_id, owner_id, name, token_hash, created_at"

func scanHook(s scanner, h *core.IncomingHook) error {
	return s.Scan((*idCol)(&h.ID), (*idCol)(&h.WorkspaceID), (*idCol)(&h.OwnerID), &h.Name, &h.TokenHash,
		(*timeCol)(&h.CreatedAt))
}

// CreateIncomingHook adds an incoming hook; not_found when the workspace or
// the owner (in that workspace) does not exist, conflict when the token hash
// is taken.
func (t *tx) CreateIncomingHook(h *core.IncomingHook) error {
	if err := t.checkWorkspace(h.WorkspaceID); err != nil {
		return err
	}
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = ? AND workspace_id = ?", h.OwnerID, int64(h.WorkspaceID)); err != nil {
		return err
	}
	id, err := t.insert("INSERT INTO incoming_hooks (workspace_id, owner_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
		int64(h.WorkspaceID), int64(h.OwnerID), h.Name, h.TokenHash, ts(h.CreatedAt))
	switch {
	case isUnique(err):
		return core.Errorf(core.ECONFLICT, "incoming hook token already exists")
	case err != nil:
		return fmt.Errorf("create incoming hook: %w", err)
	}
	h.ID = id
	return nil
}

// IncomingHook returns a hook of the workspace.
func (t *tx) IncomingHook(ws, id core.ID) (core.IncomingHook, error) {
	var h core.IncomingHook
	err := scanHook(t.row("SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &h)
	if err != nil {
		return core.IncomingHook{}, lookup(err, "get incoming hook", fmt.Sprintf("incoming hook %d not found", id))
	}
	return h, nil
}

// IncomingHookByHash finds a hook by its token's hash.
func (t *tx) IncomingHookByHash(hash string) (core.IncomingHook, error) {
	var h core.IncomingHook
	err := scanHook(t.row("SELECT "+hookCols+" FROM incoming_hooks WHERE token_hash = ?", hash), &h)
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
		hs, err = list(t, scanHook, "SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(p.After), p.Limit)
	} else {
		hs, err = list(t, scanHook, "SELECT "+hookCols+" FROM incoming_hooks WHERE workspace_id = ? AND owner_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(owner), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("list incoming hooks: %w", err)
	}
	return hs, nil
}

// DeleteIncomingHook removes a hook.
func (t *tx) DeleteIncomingHook(ws, id core.ID) error {
	n, err := t.affected("DELETE FROM incoming_hooks WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case err != nil:
		return fmt.Errorf("delete incoming hook: %w", err)
	case n == 0:
		return notFound("incoming hook", id)
	}
	return nil
}

// GitHub repositories and issues.

// repoKey is how a repository's full name is matched: ignoring case.
func repoKey(repo string) string { return core.NameKey(repo) }

// SetRepoProject maps a repository to a project of the workspace.
func (t *tx) SetRepoProject(ws core.ID, repo string, project core.ID) error {
	if err := t.exists("project", "SELECT 1 FROM projects WHERE id = ? AND workspace_id = ?", project, int64(ws)); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO github_repositories (workspace_id, repo_key, repo, project_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, repo_key) DO UPDATE SET repo = excluded.repo, project_id = excluded.project_id`,
		int64(ws), repoKey(repo), repo, int64(project))
	if err != nil {
		return fmt.Errorf("map repository %q: %w", repo, err)
	}
	return nil
}

// RepoProject returns the project a repository is mapped to.
func (t *tx) RepoProject(ws core.ID, repo string) (core.ID, error) {
	var id core.ID
	err := t.row("SELECT project_id FROM github_repositories WHERE workspace_id = ? AND repo_key = ?", int64(ws), repoKey(repo)).
		Scan((*idCol)(&id))
	if err != nil {
		return 0, lookup(err, "get repository mapping", fmt.Sprintf("repository %q is not mapped", repo))
	}
	return id, nil
}

// SetIssueTask links an issue of a repository to a task of the workspace.
func (t *tx) SetIssueTask(ws core.ID, repo string, number int, task core.ID) error {
	if err := t.exists("task", "SELECT 1 FROM tasks WHERE id = ? AND workspace_id = ?", task, int64(ws)); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO github_issues (workspace_id, repo_key, number, task_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, repo_key, number) DO UPDATE SET task_id = excluded.task_id`,
		int64(ws), repoKey(repo), number, int64(task))
	if err != nil {
		return fmt.Errorf("link issue %s#%d: %w", repo, number, err)
	}
	return nil
}

// IssueTask returns the task linked to an issue.
func (t *tx) IssueTask(ws core.ID, repo string, number int) (core.ID, error) {
	var id core.ID
	err := t.row("SELECT task_id FROM github_issues WHERE workspace_id = ? AND repo_key = ? AND number = ?",
		int64(ws), repoKey(repo), number).Scan((*idCol)(&id))
	if err != nil {
		return 0, lookup(err, "get issue task", fmt.Sprintf("issue %s#%d has no task", repo, number))
	}
	return id, nil
}

// Remembered reports whether Remember has recorded key.
func (t *tx) Remembered(ws core.ID, key string) (bool, error) {
	var one int
	err := t.row("SELECT 1 FROM dedupe_keys WHERE workspace_id = ? AND key = ?", int64(ws), key).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("remembered %q: %w", key, err)
	}
	return true, nil
}
