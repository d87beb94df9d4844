package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
)

const workspaceCols = "id, name, created_at"

// EnsureWorkspace returns the first workspace, creating it when there is none.
// Two processes starting on an empty database make one workspace: the second
// waits on an advisory lock and then finds the first's.
func (t *tx) EnsureWorkspace(name string, now time.Time) (core.Workspace, error) {
	var w core.Workspace
	first := func() error {
		return t.row("SELECT "+workspaceCols+" FROM workspaces ORDER BY id LIMIT 1").Scan(&w.ID, &w.Name, &w.CreatedAt)
	}
	err := first()
	if err == nil {
		return w, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return w, wrap("get workspace", err)
	}
	if !t.writable {
		return w, wrap("create workspace", errors.New("in a read-only transaction"))
	}
	if _, err := t.exec("SELECT pg_advisory_xact_lock($1, $2)", t.s.ns, int32(lockWorkspace)); err != nil {
		return w, wrap("create workspace", err)
	}
	if err := first(); err == nil {
		return w, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return w, wrap("get workspace", err)
	}
	w = core.Workspace{Name: name, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if err := t.row("INSERT INTO workspaces (name, created_at) VALUES ($1, $2) RETURNING id", name, now).Scan(&w.ID); err != nil {
		return core.Workspace{}, wrap("create workspace", err)
	}
	return w, nil
}

const userCols = "id, workspace_id, name, role, time_zone, created_at, updated_at"

func scanUser(s pgx.Row, u *core.User) error {
	return s.Scan(&u.ID, &u.WorkspaceID, &u.Name, &u.Role, &u.TimeZone, &u.CreatedAt, &u.UpdatedAt)
}

func userConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "user %q already exists", name)
}

// CreateUser adds a user with the identities it lists.
func (t *tx) CreateUser(u *core.User) error {
	if len(u.Identities) == 0 {
		return t.createUser(u)
	}
	return t.atomic(func() error { return t.createUser(u) })
}

func (t *tx) createUser(u *core.User) error {
	var id core.ID
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&id) },
		`INSERT INTO users (workspace_id, name, name_key, role, time_zone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		int64(u.WorkspaceID), u.Name, core.NameKey(u.Name), string(u.Role), u.TimeZone, u.CreatedAt, u.UpdatedAt)
	switch {
	case isUnique(err):
		return userConflict(u.Name)
	case isForeignKey(err):
		return notFound("workspace", u.WorkspaceID)
	case err != nil:
		return wrap("create user", err)
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
	tag, err := t.guard(nil, `UPDATE users SET name = $1, name_key = $2, role = $3, time_zone = $4, updated_at = $5
		WHERE workspace_id = $6 AND id = $7`,
		u.Name, core.NameKey(u.Name), string(u.Role), u.TimeZone, u.UpdatedAt, int64(u.WorkspaceID), int64(u.ID))
	switch {
	case isUnique(err):
		return userConflict(u.Name)
	case err != nil:
		return wrap("update user", err)
	case tag.RowsAffected() == 0:
		return notFound("user", u.ID)
	}
	if _, err := t.exec("DELETE FROM identities WHERE user_id = $1", int64(u.ID)); err != nil {
		return wrap("update user", err)
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
	tag, err := t.guard(nil, "DELETE FROM users WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case isForeignKey(err):
		return core.Errorf(core.ECONFLICT, "user %d has time entries", id)
	case err != nil:
		return wrap("delete user", err)
	case tag.RowsAffected() == 0:
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
		q, args = "SELECT user_id, provider, subject FROM identities WHERE user_id = $1 ORDER BY provider, subject", []any{int64(lo)}
	} else {
		q = `SELECT user_id, provider, subject FROM identities WHERE workspace_id = $1 AND user_id BETWEEN $2 AND $3
			ORDER BY user_id, provider, subject`
		args = []any{int64(users[0].WorkspaceID), int64(lo), int64(hi)}
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return wrap("get identities", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid core.ID
		var idn core.Identity
		if err := rows.Scan(&uid, &idn.Provider, &idn.Subject); err != nil {
			return wrap("get identities", err)
		}
		if u := byID[uid]; u != nil {
			u.Identities = append(u.Identities, idn)
		}
	}
	if err := rows.Err(); err != nil {
		t.note(err)
		return wrap("get identities", err)
	}
	return nil
}

// userWithIdentities selects userCols and, last, the user's identities as a
// JSON array: one round trip for a user and its identities.
const userWithIdentities = userCols + `, coalesce((SELECT json_agg(json_build_object('provider', i.provider, 'subject', i.subject)
	ORDER BY i.provider, i.subject) FROM identities i WHERE i.user_id = users.id), '[]')`

func (t *tx) oneUser(msg, where string, args ...any) (core.User, error) {
	var u core.User
	var ids []byte
	err := t.row("SELECT "+userWithIdentities+" FROM users WHERE "+where, args...).
		Scan(&u.ID, &u.WorkspaceID, &u.Name, &u.Role, &u.TimeZone, &u.CreatedAt, &u.UpdatedAt, &ids)
	if err != nil {
		return core.User{}, lookup(err, "get user", msg)
	}
	u.Identities = []core.Identity{}
	if err := json.Unmarshal(ids, &u.Identities); err != nil {
		return core.User{}, fmt.Errorf("get user %d: identities: %w", u.ID, err)
	}
	return u, nil
}

// User returns a user with its identities.
func (t *tx) User(ws, id core.ID) (core.User, error) {
	return t.oneUser(fmt.Sprintf("user %d not found", id),
		"workspace_id = $1 AND id = $2", int64(ws), int64(id))
}

// UserByName finds a user by name, ignoring case.
func (t *tx) UserByName(ws core.ID, name string) (core.User, error) {
	return t.oneUser(fmt.Sprintf("user %q not found", name),
		"workspace_id = $1 AND name_key = $2", int64(ws), core.NameKey(name))
}

// UserByIdentity finds the user an identity belongs to.
func (t *tx) UserByIdentity(ws core.ID, provider, subject string) (core.User, error) {
	return t.oneUser(fmt.Sprintf("no user has the %s identity %q", provider, subject),
		`id = (SELECT user_id FROM identities WHERE workspace_id = $1 AND provider = $2 AND subject = $3)`,
		int64(ws), provider, subject)
}

// ListUsers returns a page of users, by id, with their identities.
func (t *tx) ListUsers(ws core.ID, p core.Page) ([]core.User, error) {
	p = p.Normalize()
	users, err := list(t, scanUser,
		"SELECT "+userCols+" FROM users WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, wrap("list users", err)
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
	err := t.row("SELECT user_id FROM identities WHERE workspace_id = $1 AND provider = $2 AND subject = $3",
		int64(ws), idn.Provider, idn.Subject).Scan(&owner)
	switch {
	case err == nil && owner == userID:
		return nil
	case err == nil:
		// Maybe committed by another process since fn looked the
		// identity up: a race Update settles by running fn again.
		t.uniqueSeen = true
		return identityConflict(idn)
	case !errors.Is(err, pgx.ErrNoRows):
		return wrap("add identity", err)
	}
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = $1 AND workspace_id = $2", userID, int64(ws)); err != nil {
		return err
	}
	return t.insertIdentity(ws, userID, idn)
}

func identityConflict(idn core.Identity) error {
	return core.Errorf(core.ECONFLICT, "the %s identity %q belongs to another user", idn.Provider, idn.Subject)
}

func (t *tx) insertIdentity(ws, userID core.ID, idn core.Identity) error {
	_, err := t.guard(nil, "INSERT INTO identities (workspace_id, provider, subject, user_id) VALUES ($1, $2, $3, $4)",
		int64(ws), idn.Provider, idn.Subject, int64(userID))
	switch {
	case isUnique(err):
		return identityConflict(idn)
	case isForeignKey(err):
		return notFound("user", userID)
	case err != nil:
		return wrap("add identity", err)
	}
	return nil
}

// CreateToken stores an API token's hash.
func (t *tx) CreateToken(k *core.Token) error {
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&k.ID) },
		"INSERT INTO tokens (workspace_id, user_id, hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
		int64(k.WorkspaceID), int64(k.UserID), k.Hash, k.CreatedAt)
	switch {
	case isUnique(err):
		return core.Errorf(core.ECONFLICT, "token already exists")
	case isForeignKey(err):
		if err := t.checkWorkspace(k.WorkspaceID); err != nil {
			return err
		}
		return notFound("user", k.UserID)
	case err != nil:
		return wrap("create token", err)
	}
	return nil
}

// TokenByHash finds a token by the hash of its secret.
func (t *tx) TokenByHash(hash string) (core.Token, error) {
	var k core.Token
	err := t.row("SELECT id, workspace_id, user_id, hash, created_at FROM tokens WHERE hash = $1", hash).
		Scan(&k.ID, &k.WorkspaceID, &k.UserID, &k.Hash, &k.CreatedAt)
	if err != nil {
		return core.Token{}, lookup(err, "get token", "token not found")
	}
	return k, nil
}

// CountTokens counts the workspace's tokens.
func (t *tx) CountTokens(ws core.ID) (int, error) {
	var n int
	if err := t.row("SELECT count(*) FROM tokens WHERE workspace_id = $1", int64(ws)).Scan(&n); err != nil {
		return 0, wrap("count tokens", err)
	}
	return n, nil
}

func scanToken(s pgx.Row, k *core.Token) error {
	return s.Scan(&k.ID, &k.WorkspaceID, &k.UserID, &k.Hash, &k.CreatedAt)
}

// ListTokens returns a page of tokens by id, a user's only when user is set.
func (t *tx) ListTokens(ws, user core.ID, p core.Page) ([]core.Token, error) {
	p = p.Normalize()
	ks, err := list(t, scanToken, `SELECT id, workspace_id, user_id, hash, created_at FROM tokens
		WHERE workspace_id = $1 AND ($2 = 0 OR user_id = $2) AND id > $3 ORDER BY id LIMIT $4`,
		int64(ws), int64(user), int64(p.After), p.Limit)
	if err != nil {
		return nil, wrap("list tokens", err)
	}
	return ks, nil
}

// DeleteToken revokes a token, a user's only when user is set.
func (t *tx) DeleteToken(ws, user, id core.ID) error {
	n, err := t.affected("DELETE FROM tokens WHERE workspace_id = $1 AND ($2 = 0 OR user_id = $2) AND id = $3",
		int64(ws), int64(user), int64(id))
	switch {
	case err != nil:
		return wrap("delete token", err)
	case n == 0:
		return notFound("token", id)
	}
	return nil
}
