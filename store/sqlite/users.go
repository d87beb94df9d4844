package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
)

// EnsureWorkspace returns the first workspace, creating it when there is none.
func (t *tx) EnsureWorkspace(name string, now time.Time) (core.Workspace, error) {
	var w core.Workspace
	err := t.row("SELECT id, name, created_at FROM workspaces ORDER BY id LIMIT 1").
		Scan((*idCol)(&w.ID), &w.Name, (*timeCol)(&w.CreatedAt))
	if err == nil {
		return w, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("get workspace: %w", err)
	}
	w = core.Workspace{Name: name, CreatedAt: now.UTC()}
	w.ID, err = t.insert("INSERT INTO workspaces (name, created_at) VALUES (?, ?)", name, ts(now))
	if err != nil {
		return core.Workspace{}, fmt.Errorf("create workspace: %w", err)
	}
	return w, nil
}

const userCols = "id, workspace_id, name, role, time_zone, created_at, updated_at"

func scanUser(s scanner, u *core.User) error {
	return s.Scan((*idCol)(&u.ID), (*idCol)(&u.WorkspaceID), &u.Name, (*textCol)(&u.Role),
		&u.TimeZone, (*timeCol)(&u.CreatedAt), (*timeCol)(&u.UpdatedAt))
}

// userExists reports a conflict for a name that another user has.
func userConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "user %q already exists", name)
}

// CreateUser adds a user with the identities it lists.
func (t *tx) CreateUser(u *core.User) error {
	return t.atomic(func() error { return t.createUser(u) })
}

func (t *tx) createUser(u *core.User) error {
	id, err := t.insert(`INSERT INTO users (workspace_id, name, name_key, role, time_zone, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		int64(u.WorkspaceID), u.Name, core.NameKey(u.Name), string(u.Role), u.TimeZone, ts(u.CreatedAt), ts(u.UpdatedAt))
	switch {
	case isUnique(err):
		return userConflict(u.Name)
	case isForeignKey(err):
		return notFound("workspace", u.WorkspaceID)
	case err != nil:
		return fmt.Errorf("create user: %w", err)
	}
	for _, idn := range u.Identities {
		if err := t.insertIdentity(u.WorkspaceID, id, idn); err != nil {
			return err
		}
	}
	u.ID = id
	return nil
}

// UpdateUser writes the user's name, role and time zone, and makes its
// identities the ones u lists.
func (t *tx) UpdateUser(u *core.User) error {
	return t.atomic(func() error { return t.updateUser(u) })
}

func (t *tx) updateUser(u *core.User) error {
	n, err := t.affected(`UPDATE users SET name = ?, name_key = ?, role = ?, time_zone = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		u.Name, core.NameKey(u.Name), string(u.Role), u.TimeZone, ts(u.UpdatedAt), int64(u.WorkspaceID), int64(u.ID))
	switch {
	case isUnique(err):
		return userConflict(u.Name)
	case err != nil:
		return fmt.Errorf("update user: %w", err)
	case n == 0:
		return notFound("user", u.ID)
	}
	if _, err := t.exec("DELETE FROM identities WHERE user_id = ?", int64(u.ID)); err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	for _, idn := range u.Identities {
		if err := t.insertIdentity(u.WorkspaceID, u.ID, idn); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUser deletes a user with its identities, tokens and undo records;
// conflict when the user has time entries.
func (t *tx) DeleteUser(ws, id core.ID) error {
	n, err := t.affected("DELETE FROM users WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case isForeignKey(err):
		return core.Errorf(core.ECONFLICT, "user %d has time entries", id)
	case err != nil:
		return fmt.Errorf("delete user: %w", err)
	case n == 0:
		return notFound("user", id)
	}
	return nil
}

// withIdentities loads the identities of the users.
func (t *tx) withIdentities(users []core.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[core.ID]*core.User, len(users))
	lo, hi := users[0].ID, users[0].ID
	for i := range users {
		u := &users[i]
		u.Identities = []core.Identity{}
		byID[u.ID] = u
		lo, hi = min(lo, u.ID), max(hi, u.ID)
	}
	var q string
	var args []any
	if len(users) == 1 {
		q, args = "SELECT user_id, provider, subject FROM identities WHERE user_id = ? ORDER BY provider, subject", []any{int64(lo)}
	} else {
		q = `SELECT user_id, provider, subject FROM identities WHERE workspace_id = ? AND user_id BETWEEN ? AND ?
			ORDER BY user_id, provider, subject`
		args = []any{int64(users[0].WorkspaceID), int64(lo), int64(hi)}
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return fmt.Errorf("get identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid core.ID
		var idn core.Identity
		if err := rows.Scan((*idCol)(&uid), &idn.Provider, &idn.Subject); err != nil {
			return fmt.Errorf("get identities: %w", err)
		}
		if u := byID[uid]; u != nil {
			u.Identities = append(u.Identities, idn)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("get identities: %w", err)
	}
	return nil
}

func (t *tx) oneUser(msg, query string, args ...any) (core.User, error) {
	var u core.User
	if err := scanUser(t.row(query, args...), &u); err != nil {
		return core.User{}, lookup(err, "get user", msg)
	}
	users := []core.User{u}
	if err := t.withIdentities(users); err != nil {
		return core.User{}, err
	}
	return users[0], nil
}

// User returns a user with its identities.
func (t *tx) User(ws, id core.ID) (core.User, error) {
	return t.oneUser(fmt.Sprintf("user %d not found", id),
		"SELECT "+userCols+" FROM users WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
}

// UserByName finds a user by name, ignoring case.
func (t *tx) UserByName(ws core.ID, name string) (core.User, error) {
	return t.oneUser(fmt.Sprintf("user %q not found", name),
		"SELECT "+userCols+" FROM users WHERE workspace_id = ? AND name_key = ?", int64(ws), core.NameKey(name))
}

// UserByIdentity finds the user an identity belongs to.
func (t *tx) UserByIdentity(ws core.ID, provider, subject string) (core.User, error) {
	return t.oneUser(fmt.Sprintf("no user has the %s identity %q", provider, subject),
		`SELECT `+userCols+` FROM users WHERE id =
			(SELECT user_id FROM identities WHERE workspace_id = ? AND provider = ? AND subject = ?)`,
		int64(ws), provider, subject)
}

// ListUsers returns a page of users, by id, with their identities.
func (t *tx) ListUsers(ws core.ID, p core.Page) ([]core.User, error) {
	p = p.Normalize()
	users, err := list(t, scanUser,
		"SELECT "+userCols+" FROM users WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	if err := t.withIdentities(users); err != nil {
		return nil, err
	}
	return users, nil
}

// AddIdentity links an identity to a user; nothing changes when the user has
// it already, conflict when another user has it.
func (t *tx) AddIdentity(ws, userID core.ID, idn core.Identity) error {
	var owner core.ID
	err := t.row("SELECT user_id FROM identities WHERE workspace_id = ? AND provider = ? AND subject = ?",
		int64(ws), idn.Provider, idn.Subject).Scan((*idCol)(&owner))
	switch {
	case err == nil && owner == userID:
		return nil
	case err == nil:
		return identityConflict(idn)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("add identity: %w", err)
	}
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = ? AND workspace_id = ?", userID, int64(ws)); err != nil {
		return err
	}
	return t.insertIdentity(ws, userID, idn)
}

func identityConflict(idn core.Identity) error {
	return core.Errorf(core.ECONFLICT, "the %s identity %q belongs to another user", idn.Provider, idn.Subject)
}

func (t *tx) insertIdentity(ws, userID core.ID, idn core.Identity) error {
	_, err := t.exec("INSERT INTO identities (workspace_id, provider, subject, user_id) VALUES (?, ?, ?, ?)",
		int64(ws), idn.Provider, idn.Subject, int64(userID))
	switch {
	case isUnique(err):
		return identityConflict(idn)
	case isForeignKey(err):
		return notFound("user", userID)
	case err != nil:
		return fmt.Errorf("add identity: %w", err)
	}
	return nil
}

// CreateToken stores an API token's hash.
func (t *tx) CreateToken(k *core.Token) error {
	id, err := t.insert("INSERT INTO tokens (workspace_id, user_id, hash, created_at) VALUES (?, ?, ?, ?)",
		int64(k.WorkspaceID), int64(k.UserID), k.Hash, ts(k.CreatedAt))
	switch {
	case isUnique(err):
		return core.Errorf(core.ECONFLICT, "token already exists")
	case isForeignKey(err):
		if err := t.checkWorkspace(k.WorkspaceID); err != nil {
			return err
		}
		return notFound("user", k.UserID)
	case err != nil:
		return fmt.Errorf("create token: %w", err)
	}
	k.ID = id
	return nil
}

// TokenByHash finds a token by the hash of its secret.
func (t *tx) TokenByHash(hash string) (core.Token, error) {
	var k core.Token
	err := t.row("SELECT id, workspace_id, user_id, hash, created_at FROM tokens WHERE hash = ?", hash).
		Scan((*idCol)(&k.ID), (*idCol)(&k.WorkspaceID), (*idCol)(&k.UserID), &k.Hash, (*timeCol)(&k.CreatedAt))
	if err != nil {
		return core.Token{}, lookup(err, "get token", "token not found")
	}
	return k, nil
}

// CountTokens counts the workspace's tokens.
func (t *tx) CountTokens(ws core.ID) (int, error) {
	var n int
	if err := t.row("SELECT count(*) FROM tokens WHERE workspace_id = ?", int64(ws)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tokens: %w", err)
	}
	return n, nil
}

func scanToken(s scanner, k *core.Token) error {
	return s.Scan((*idCol)(&k.ID), (*idCol)(&k.WorkspaceID), (*idCol)(&k.UserID), &k.Hash, (*timeCol)(&k.CreatedAt))
}

// ListTokens returns a page of tokens by id, a user's only when user is set.
func (t *tx) ListTokens(ws, user core.ID, p core.Page) ([]core.Token, error) {
	p = p.Normalize()
	ks, err := list(t, scanToken, `SELECT id, workspace_id, user_id, hash, created_at FROM tokens
		WHERE workspace_id = ? AND (? = 0 OR user_id = ?) AND id > ? ORDER BY id LIMIT ?`,
		int64(ws), int64(user), int64(user), int64(p.After), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ks, nil
}

// DeleteToken revokes a token, a user's only when user is set.
func (t *tx) DeleteToken(ws, user, id core.ID) error {
	n, err := t.affected("DELETE FROM tokens WHERE workspace_id = ? AND (? = 0 OR user_id = ?) AND id = ?",
		int64(ws), int64(user), int64(user), int64(id))
	switch {
	case err != nil:
		return fmt.Errorf("delete token: %w", err)
	case n == 0:
		return notFound("token", id)
	}
	return nil
}
