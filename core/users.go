package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// UserPatch changes a user; nil fields are left as they are. A member may
// change only their own TimeZone.
type UserPatch struct {
	Name     *string
	Role     *Role
	TimeZone *string
}

// ResolveIdentity returns the user who has the identity, creating a member
// user named after displayName (made unique when taken) on first sight. It
// emits workspace_user.created when it creates one.
func (s *Service) ResolveIdentity(ctx context.Context, provider, subject, displayName, source string) (User, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return User{}, err
	}
	if !ValidProvider(provider) || strings.TrimSpace(subject) == "" {
		return User{}, Errorf(EINVALID, "identity %s %q is not valid", provider, subject)
	}
	u, err := s.userByIdentity(ctx, ws.ID, provider, subject)
	if err == nil || ErrorCode(err) != ENOTFOUND {
		return u, err
	}
	// Another request may have created the user meanwhile; the runner
	// looks again before it creates one.
	actor := Actor{Source: source, Identity: &ChatIdentity{Provider: provider, Subject: subject, Name: displayName}}
	res, err := s.update(ctx, ws.ID, actor, txOptions{op: "resolve identity"}, func(*change) error { return nil })
	if err != nil {
		return User{}, err
	}
	return res.User, nil
}

// uniqueUserName returns name, or name-2, name-3… when taken.
func uniqueUserName(tx Tx, ws ID, name string) string {
	for i := 1; ; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s-%d", name, i)
		}
		if _, err := tx.UserByName(ws, n); ErrorCode(err) == ENOTFOUND || i > 1000 {
			return n
		}
	}
}

// createUser adds a user of a clean name with optional identities and
// emits workspace_user.created. A change without a user (a chat identity
// seen first, the operator at the command line) acts as the user it
// creates.
func (c *change) createUser(name string, role Role, ids ...Identity) (User, error) {
	u, err := c.addUser(name, role, ids...)
	if err != nil {
		return User{}, err
	}
	return u, c.emit(EventWorkspaceUserCreated, u.ID, 0, map[string]any{"user": u})
}

// addUser is createUser without the event: for system users (the built-in
// github user), which are not people joining the workspace.
func (c *change) addUser(name string, role Role, ids ...Identity) (User, error) {
	u := User{WorkspaceID: c.ws, Name: name, Role: role, TimeZone: c.firstZone(), CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateUser(&u); err != nil {
		return User{}, err
	}
	for _, id := range ids {
		if err := c.tx.AddIdentity(c.ws, u.ID, id); err != nil {
			return User{}, err
		}
		u.Identities = append(u.Identities, id)
	}
	u = normalUser(u)
	if c.actor.User.ID == 0 {
		c.actor.User = u
	}
	return u, nil
}

// normalUser makes a user's lists non-nil, so they encode as [].
func normalUser(u User) User {
	if u.Identities == nil {
		u.Identities = []Identity{}
	}
	return u
}

// userNameFree checks that no other user than self has the name.
func (c *change) userNameFree(name string, self ID) error {
	if old, err := c.tx.UserByName(c.ws, name); err == nil && old.ID != self {
		return Errorf(ECONFLICT, "user %q already exists", old.Name)
	}
	return nil
}

// ListUsers returns a page of users and the cursor of the next page.
func (s *Service) ListUsers(ctx context.Context, actor Actor, p Page) ([]User, ID, error) {
	out, next, err := listPage(s, ctx, actor, p, func(u User) ID { return u.ID }, Tx.ListUsers)
	for i := range out {
		out[i] = normalUser(out[i])
	}
	return out, next, err
}

// GetUser returns a user with their identities; not_found if there is none
// with the id.
func (s *Service) GetUser(ctx context.Context, actor Actor, id ID) (User, error) {
	u, err := getOne(s, ctx, actor, "user", id, Tx.User)
	return normalUser(u), err
}

// CreateUser adds a user (role member when empty) and emits
// workspace_user.created. Admins only; conflict if the name is taken.
func (s *Service) CreateUser(ctx context.Context, actor Actor, name string, role Role) (User, error) {
	var u User
	err := s.write(ctx, actor, "create user", func(c *change) error {
		if err := requireAdmin(actor, "create users"); err != nil {
			return err
		}
		if role == "" {
			role = RoleMember
		}
		if !role.Valid() {
			return Errorf(EINVALID, "role must be admin or member, not %q", role)
		}
		name, err := s.Limits().cleanName("user", name)
		if err != nil {
			return err
		}
		if err := c.userNameFree(name, 0); err != nil {
			return err
		}
		u, err = c.createUser(name, role)
		return err
	})
	return u, err
}

// checkTimeZone reports whether tz is an IANA time zone name.
func checkTimeZone(tz string) error {
	if tz == "" || tz == "Local" {
		return Errorf(EINVALID, "time zone %q is not an IANA name such as Europe/Berlin", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return Errorf(EINVALID, "unknown time zone %q", tz)
	}
	return nil
}

// UpdateUser changes a user and emits workspace_user.updated. A member may
// change only their own time zone (forbidden otherwise); an admin may change
// anyone's name, role and time zone, except their own role.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, id ID, patch UserPatch) (User, error) {
	var u User
	defer s.idents.forget()
	err := s.write(ctx, actor, "update user", func(c *change) error {
		admin := actor.User.Role == RoleAdmin
		if !admin && (id != actor.User.ID || patch.Name != nil || patch.Role != nil) {
			return Errorf(EFORBIDDEN, "members can change only their own time zone")
		}
		var err error
		if u, err = c.tx.User(c.ws, id); err != nil {
			return notFound(err, "user", id)
		}
		if patch.Name != nil {
			name, err := s.Limits().cleanName("user", *patch.Name)
			if err != nil {
				return err
			}
			if err := c.userNameFree(name, u.ID); err != nil {
				return err
			}
			u.Name = name
		}
		if patch.Role != nil && *patch.Role != u.Role {
			if !patch.Role.Valid() {
				return Errorf(EINVALID, "role must be admin or member, not %q", *patch.Role)
			}
			if u.ID == actor.User.ID {
				return Errorf(EINVALID, "you cannot change your own role")
			}
			u.Role = *patch.Role
		}
		if patch.TimeZone != nil {
			tz := strings.TrimSpace(*patch.TimeZone)
			if err := checkTimeZone(tz); err != nil {
				return err
			}
			u.TimeZone = tz
		}
		u.UpdatedAt = c.now
		if err := c.tx.UpdateUser(&u); err != nil {
			return err
		}
		u = normalUser(u)
		return c.emit(EventWorkspaceUserUpdated, u.ID, 0, map[string]any{"user": u})
	})
	return u, err
}

// DeleteUser deletes a user with their tokens and identities and emits
// workspace_user.deleted. Admins only; nobody deletes themselves (invalid),
// and a user with time entries stays (conflict).
func (s *Service) DeleteUser(ctx context.Context, actor Actor, id ID) error {
	defer s.idents.forget()
	return s.write(ctx, actor, "delete user", func(c *change) error {
		if err := requireAdmin(actor, "delete users"); err != nil {
			return err
		}
		u, err := c.tx.User(c.ws, id)
		if err != nil {
			return notFound(err, "user", id)
		}
		if u.ID == actor.User.ID {
			return Errorf(EINVALID, "you cannot delete yourself")
		}
		entries, err := c.tx.ListEntries(c.ws, EntryFilter{UserID: u.ID}, Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(entries) > 0 {
			return Errorf(ECONFLICT, "user %q has time entries", u.Name)
		}
		if err := c.tx.DeleteUser(c.ws, u.ID); err != nil {
			return err
		}
		return c.emit(EventWorkspaceUserDeleted, u.ID, 0, map[string]any{"user": normalUser(u)})
	})
}

// LinkIdentity links an identity (a Slack or Mattermost "TEAM:USER", a
// GitHub login, an email address) to a user and emits
// workspace_user.updated with the user as they are now. Admins only;
// invalid for an unknown provider or an empty subject, conflict when another
// user has the identity. Linking one the user already has changes nothing
// but still answers the user.
func (s *Service) LinkIdentity(ctx context.Context, actor Actor, userID ID, ident Identity) (User, error) {
	var u User
	defer s.idents.forget()
	err := s.write(ctx, actor, "link identity", func(c *change) error {
		if err := requireAdmin(actor, "link identities"); err != nil {
			return err
		}
		ident.Provider = strings.TrimSpace(ident.Provider)
		ident.Subject = strings.TrimSpace(ident.Subject)
		if !ValidProvider(ident.Provider) {
			return Errorf(EINVALID, "provider must be slack, mattermost, github or email, not %q", ident.Provider)
		}
		if ident.Subject == "" {
			return Errorf(EINVALID, "subject missing")
		}
		if len(ident.Subject) > 320 {
			return Errorf(EINVALID, "subject is longer than 320 characters")
		}
		var err error
		if u, err = c.tx.User(c.ws, userID); err != nil {
			return notFound(err, "user", userID)
		}
		owner, err := c.tx.UserByIdentity(c.ws, ident.Provider, ident.Subject)
		switch {
		case err == nil && owner.ID != u.ID:
			return Errorf(ECONFLICT, "%s %q is linked to user %q", ident.Provider, ident.Subject, owner.Name)
		case err == nil:
			// Already linked to this user.
		case ErrorCode(err) != ENOTFOUND:
			return err
		default:
			if err := c.tx.AddIdentity(c.ws, u.ID, ident); err != nil {
				return err
			}
		}
		if u, err = c.tx.User(c.ws, userID); err != nil {
			return err
		}
		if !slices.Contains(u.Identities, ident) {
			u.Identities = append(u.Identities, ident)
		}
		u = normalUser(u)
		return c.emit(EventWorkspaceUserUpdated, u.ID, 0, map[string]any{"user": u})
	})
	return u, err
}
