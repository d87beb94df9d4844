package sqltx

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
)

// FirstWorkspace returns the first workspace; its error is sql.ErrNoRows
// (wrapped) when there is none.
func (t *Tx) FirstWorkspace() (core.Workspace, error) {
	var w core.Workspace
	err := t.c.QueryRow("SELECT id, name, created_at FROM workspaces ORDER BY id LIMIT 1").
		Scan((*idCol)(&w.ID), &w.Name, (*timeCol)(&w.CreatedAt))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return w, t.Wrap("get workspace", err)
	}
	return w, err
}

// EnsureWorkspace returns the first workspace, creating it when there is none.
func (t *Tx) EnsureWorkspace(name string, now time.Time) (core.Workspace, error) {
	w, err := t.FirstWorkspace()
	if !errors.Is(err, sql.ErrNoRows) {
		return w, err
	}
	w = core.Workspace{Name: name, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	id, err := t.c.Insert("INSERT INTO workspaces (name, created_at) VALUES (?, ?) RETURNING id", name, t.ts(now))
	if err != nil {
		return core.Workspace{}, t.Wrap("create workspace", err)
	}
	w.ID = core.ID(id)
	return w, nil
}

const userCols = "id, workspace_id, name, role, time_zone, created_at, updated_at"

func scanUser(s Row, u *core.User) error {
	return s.Scan((*idCol)(&u.ID), (*idCol)(&u.WorkspaceID), &u.Name, (*textCol)(&u.Role),
		&u.TimeZone, (*timeCol)(&u.CreatedAt), (*timeCol)(&u.UpdatedAt))
}

// userConflict reports a conflict for a name that another user has.
func userConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "user %q already exists", name)
}

// CreateUser adds a user with the identities it lists.
func (t *Tx) CreateUser(u *core.User) error {
	if len(u.Identities) == 0 {
		return t.createUser(u)
	}
	return t.c.Atomic(func() error { return t.createUser(u) })
}

func (t *Tx) createUser(u *core.User) error {
	id, err := t.c.Insert(`INSERT INTO users (workspace_id, name, name_key, role, time_zone, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		int64(u.WorkspaceID), u.Name, core.NameKey(u.Name), string(u.Role), u.TimeZone, t.ts(u.CreatedAt), t.ts(u.UpdatedAt))
	switch {
	case t.d.IsUnique(err):
		return userConflict(u.Name)
	case t.d.IsForeignKey(err):
		return NotFound("workspace", u.WorkspaceID)
	case err != nil:
		return t.Wrap("create user", err)
	}
	for _, idn := range u.Identities {
		if err := t.insertIdentity(u.WorkspaceID, core.ID(id), idn); err != nil {
			return err
		}
	}
	u.ID = core.ID(id)
	return nil
}

// UpdateUser writes the user's name, role and time zone, and makes its
// identities the ones u lists.
func (t *Tx) UpdateUser(u *core.User) error {
	return t.c.Atomic(func() error { return t.updateUser(u) })
}

func (t *Tx) updateUser(u *core.User) error {
	n, err := t.c.Guard(`UPDATE users SET name = ?, name_key = ?, role = ?, time_zone = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		u.Name, core.NameKey(u.Name), string(u.Role), u.TimeZone, t.ts(u.UpdatedAt), int64(u.WorkspaceID), int64(u.ID))
	switch {
	case t.d.IsUnique(err):
		return userConflict(u.Name)
	case err != nil:
		return t.Wrap("update user", err)
	case n == 0:
		return NotFound("user", u.ID)
	}
	if _, err := t.c.Exec("DELETE FROM identities WHERE user_id = ?", int64(u.ID)); err != nil {
		return t.Wrap("update user", err)
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
func (t *Tx) DeleteUser(ws, id core.ID) error {
	n, err := t.c.Guard("DELETE FROM users WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case t.d.IsForeignKey(err):
		return core.Errorf(core.ECONFLICT, "user %d has time entries", id)
	case err != nil:
		return t.Wrap("delete user", err)
	case n == 0:
		return NotFound("user", id)
	}
	return nil
}

// withIdentities loads the identities of the users.
func (t *Tx) withIdentities(users []core.User) error {
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
	rows, err := t.c.Query(q, args...)
	if err != nil {
		return t.Wrap("get identities", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid core.ID
		var idn core.Identity
		if err := rows.Scan((*idCol)(&uid), &idn.Provider, &idn.Subject); err != nil {
			return t.Wrap("get identities", err)
		}
		if u := byID[uid]; u != nil {
			u.Identities = append(u.Identities, idn)
		}
	}
	if err := rows.Err(); err != nil {
		return t.Wrap("get identities", err)
	}
	return nil
}

// oneUser returns the user the condition where finds, with its identities:
// in the same statement when the dialect aggregates them.
func (t *Tx) oneUser(msg, where string, args ...any) (core.User, error) {
	var u core.User
	agg := t.d.UserIdentities()
	if agg == "" {
		if err := scanUser(t.c.QueryRow("SELECT "+userCols+" FROM users WHERE "+where, args...), &u); err != nil {
			return core.User{}, t.Lookup(err, "get user", msg)
		}
		users := []core.User{u}
		if err := t.withIdentities(users); err != nil {
			return core.User{}, err
		}
		return users[0], nil
	}
	var ids []byte
	err := t.c.QueryRow("SELECT "+userCols+", "+agg+" FROM users WHERE "+where, args...).
		Scan((*idCol)(&u.ID), (*idCol)(&u.WorkspaceID), &u.Name, (*textCol)(&u.Role),
			&u.TimeZone, (*timeCol)(&u.CreatedAt), (*timeCol)(&u.UpdatedAt), &ids)
	if err != nil {
		return core.User{}, t.Lookup(err, "get user", msg)
	}
	u.Identities = []core.Identity{}
	if err := json.Unmarshal(ids, &u.Identities); err != nil {
		return core.User{}, fmt.Errorf("get user %d: identities: %w", u.ID, err)
	}
	return u, nil
}

// User returns a user with its identities.
func (t *Tx) User(ws, id core.ID) (core.User, error) {
	return t.oneUser(fmt.Sprintf("user %d not found", id), "workspace_id = ? AND id = ?", int64(ws), int64(id))
}

// UserByName finds a user by name, ignoring case.
func (t *Tx) UserByName(ws core.ID, name string) (core.User, error) {
	return t.oneUser(fmt.Sprintf("user %q not found", name), "workspace_id = ? AND name_key = ?", int64(ws), core.NameKey(name))
}

// UserByIdentity finds the user an identity belongs to.
func (t *Tx) UserByIdentity(ws core.ID, provider, subject string) (core.User, error) {
	return t.oneUser(fmt.Sprintf("no user has the %s identity %q", provider, subject),
		"id = (SELECT user_id FROM identities WHERE workspace_id = ? AND provider = ? AND subject = ?)",
		int64(ws), provider, subject)
}

// ListUsers returns a page of users, by id, with their identities.
func (t *Tx) ListUsers(ws core.ID, p core.Page) ([]core.User, error) {
	p = p.Normalize()
	users, err := List(t, scanUser,
		"SELECT "+userCols+" FROM users WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, t.Wrap("list users", err)
	}
	if err := t.withIdentities(users); err != nil {
		return nil, err
	}
	return users, nil
}

// AddIdentity links an identity to a user; nothing changes when the user has
// it already, conflict when another user has it.
func (t *Tx) AddIdentity(ws, userID core.ID, idn core.Identity) error {
	var owner core.ID
	err := t.c.QueryRow("SELECT user_id FROM identities WHERE workspace_id = ? AND provider = ? AND subject = ?",
		int64(ws), idn.Provider, idn.Subject).Scan((*idCol)(&owner))
	switch {
	case err == nil && owner == userID:
		return nil
	case err == nil:
		return identityConflict(idn)
	case !errors.Is(err, sql.ErrNoRows):
		return t.Wrap("add identity", err)
	}
	if err := t.inWorkspace("user", userID, ws); err != nil {
		return err
	}
	return t.insertIdentity(ws, userID, idn)
}

func identityConflict(idn core.Identity) error {
	return core.Errorf(core.ECONFLICT, "the %s identity %q belongs to another user", idn.Provider, idn.Subject)
}

func (t *Tx) insertIdentity(ws, userID core.ID, idn core.Identity) error {
	_, err := t.c.Guard("INSERT INTO identities (workspace_id, provider, subject, user_id) VALUES (?, ?, ?, ?)",
		int64(ws), idn.Provider, idn.Subject, int64(userID))
	switch {
	case t.d.IsUnique(err):
		return identityConflict(idn)
	case t.d.IsForeignKey(err):
		return NotFound("user", userID)
	case err != nil:
		return t.Wrap("add identity", err)
	}
	return nil
}

// Tokens.

const tokenCols = "id, workspace_id, user_id, hash, created_at"

func scanToken(s Row, k *core.Token) error {
	return s.Scan((*idCol)(&k.ID), (*idCol)(&k.WorkspaceID), (*idCol)(&k.UserID), &k.Hash, (*timeCol)(&k.CreatedAt))
}

// CreateToken stores an API token's hash.
func (t *Tx) CreateToken(k *core.Token) error {
	id, err := t.c.Insert("INSERT INTO tokens (workspace_id, user_id, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
		int64(k.WorkspaceID), int64(k.UserID), k.Hash, t.ts(k.CreatedAt))
	switch {
	case t.d.IsUnique(err):
		return core.Errorf(core.ECONFLICT, "token already exists")
	case t.d.IsForeignKey(err):
		if err := t.checkWorkspace(k.WorkspaceID); err != nil {
			return err
		}
		return NotFound("user", k.UserID)
	case err != nil:
		return t.Wrap("create token", err)
	}
	k.ID = core.ID(id)
	return nil
}

// TokenByHash finds a token by the hash of its secret.
func (t *Tx) TokenByHash(hash string) (core.Token, error) {
	var k core.Token
	if err := scanToken(t.c.QueryRow("SELECT "+tokenCols+" FROM tokens WHERE hash = ?", hash), &k); err != nil {
		return core.Token{}, t.Lookup(err, "get token", "token not found")
	}
	return k, nil
}

// CountTokens counts the workspace's tokens.
func (t *Tx) CountTokens(ws core.ID) (int, error) {
	var n int
	if err := t.c.QueryRow("SELECT count(*) FROM tokens WHERE workspace_id = ?", int64(ws)).Scan((*intCol)(&n)); err != nil {
		return 0, t.Wrap("count tokens", err)
	}
	return n, nil
}

// ListTokens returns a page of tokens by id, a user's only when user is set.
func (t *Tx) ListTokens(ws, user core.ID, p core.Page) ([]core.Token, error) {
	p = p.Normalize()
	ks, err := List(t, scanToken, "SELECT "+tokenCols+` FROM tokens
		WHERE workspace_id = ? AND (? = 0 OR user_id = ?) AND id > ? ORDER BY id LIMIT ?`,
		int64(ws), int64(user), int64(user), int64(p.After), p.Limit)
	if err != nil {
		return nil, t.Wrap("list tokens", err)
	}
	return ks, nil
}

// DeleteToken revokes a token, a user's only when user is set.
func (t *Tx) DeleteToken(ws, user, id core.ID) error {
	n, err := t.c.Exec("DELETE FROM tokens WHERE workspace_id = ? AND (? = 0 OR user_id = ?) AND id = ?",
		int64(ws), int64(user), int64(user), int64(id))
	switch {
	case err != nil:
		return t.Wrap("delete token", err)
	case n == 0:
		return NotFound("token", id)
	}
	return nil
}
