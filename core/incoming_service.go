package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// This file holds the Service's methods for incoming hooks: URLs
// (POST /hooks/{token}) that let any program run commands as the hook's
// owner. A hook's token is shown once, when it is made; only its hash is
// stored.

// NewHookToken returns a new incoming hook token: "gwh_" and 32 random
// bytes, base64url-encoded, so that it can stand in a URL path as it is.
func NewHookToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "gwh_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateIncomingHook makes an incoming hook owned by the actor and returns
// its token, which is not kept and cannot be shown again. The name is
// optional (at most 200 characters).
func (s *Service) CreateIncomingHook(ctx context.Context, actor Actor, name string) (string, IncomingHook, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return "", IncomingHook{}, err
	}
	if actor.User.ID == 0 {
		return "", IncomingHook{}, Errorf(EUNAUTHORIZED, "no user")
	}
	name = strings.Join(strings.Fields(name), " ")
	if err := CheckLength("hook name", name, s.Limits().Name); err != nil {
		return "", IncomingHook{}, err
	}
	if !utf8.ValidString(name) { // the API's JSON decoder refuses it; a console form does not
		return "", IncomingHook{}, Errorf(EINVALID, "hook name is not valid UTF-8")
	}
	token := NewHookToken()
	h := IncomingHook{WorkspaceID: ws.ID, OwnerID: actor.User.ID, Name: name, TokenHash: HashToken(token), CreatedAt: s.Now()}
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.CreateIncomingHook(&h) }); err != nil {
		return "", IncomingHook{}, err
	}
	return token, h, nil
}

// ListIncomingHooks returns a page of incoming hooks and the cursor of the
// next page (zero on the last): every hook of the workspace for an admin,
// their own for a member.
func (s *Service) ListIncomingHooks(ctx context.Context, actor Actor, p Page) ([]IncomingHook, ID, error) {
	return listPage(s, ctx, actor, p, func(h IncomingHook) ID { return h.ID }, func(tx Tx, ws ID, p Page) ([]IncomingHook, error) {
		return tx.ListIncomingHooks(ws, ownedBy(actor), p)
	})
}

// DeleteIncomingHook deletes an incoming hook: its URL stops working at
// once. Its owner or an admin may delete it; for anyone else it is
// not_found.
func (s *Service) DeleteIncomingHook(ctx context.Context, actor Actor, id ID) error {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return err
	}
	if actor.User.ID == 0 {
		return Errorf(EUNAUTHORIZED, "no user")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		h, err := tx.IncomingHook(ws.ID, id)
		if err == nil && h.OwnerID != actor.User.ID && actor.User.Role != RoleAdmin {
			err = Errorf(ENOTFOUND, "not yours")
		}
		if err != nil {
			return notFound(err, "incoming hook", id)
		}
		return tx.DeleteIncomingHook(ws.ID, id)
	})
}

// ResolveIncomingHook returns the hook a token belongs to and its owner;
// not_found for a token that is no hook's.
func (s *Service) ResolveIncomingHook(ctx context.Context, token string) (IncomingHook, User, error) {
	if token == "" {
		return IncomingHook{}, User{}, Errorf(ENOTFOUND, "no such incoming hook")
	}
	var h IncomingHook
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if h, err = tx.IncomingHookByHash(HashToken(token)); err != nil {
			return err
		}
		u, err = tx.User(h.WorkspaceID, h.OwnerID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return IncomingHook{}, User{}, Errorf(ENOTFOUND, "no such incoming hook")
	}
	if err != nil {
		return IncomingHook{}, User{}, err
	}
	return h, normalUser(u), nil
}

// HookUser returns who acts for a call of a hook: its owner, or, when
// userName names another user, that user. Only an admin's hook may act for
// another user (forbidden otherwise); an unknown name is invalid.
func (s *Service) HookUser(ctx context.Context, owner User, userName string) (User, error) {
	userName = strings.TrimSpace(userName)
	if userName == "" || NameKey(userName) == NameKey(owner.Name) {
		return owner, nil
	}
	if owner.Role != RoleAdmin {
		return User{}, Errorf(EFORBIDDEN, "only an admin's hook can act for another user (%q)", userName)
	}
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, err = tx.UserByName(owner.WorkspaceID, userName)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return User{}, Errorf(EINVALID, "user %q does not exist", userName)
	}
	if err != nil {
		return User{}, err
	}
	return normalUser(u), nil
}

// SeenKey reports whether a dedupe key (a GitHub delivery id, say) was
// remembered before, without remembering it.
func (s *Service) SeenKey(ctx context.Context, key string) (bool, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return false, err
	}
	var seen bool
	err = s.store.View(ctx, func(tx Tx) error {
		seen, err = tx.Remembered(ws.ID, key)
		return err
	})
	return seen, err
}

// RememberKey records a dedupe key, so that SeenKey reports it from now on.
// It reports whether the key was new.
func (s *Service) RememberKey(ctx context.Context, key string) (bool, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return false, err
	}
	var fresh bool
	err = s.store.Update(ctx, func(tx Tx) error {
		fresh, err = tx.Remember(ws.ID, key, s.Now())
		return err
	})
	return fresh, err
}
