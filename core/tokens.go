package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// HashToken returns the stored form of an API token: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a new random API token ("gw_" and 32 random bytes).
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "gw_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// Authenticate returns the user an API token belongs to, or unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (User, error) {
	if token == "" {
		return User{}, Errorf(EUNAUTHORIZED, "missing token")
	}
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		t, err := tx.TokenByHash(HashToken(token))
		if err != nil {
			return err
		}
		u, err = tx.User(t.WorkspaceID, t.UserID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return User{}, Errorf(EUNAUTHORIZED, "invalid token")
	}
	return u, err
}

// TokenRequest asks for a new API token for a user given by id or by name.
// An unknown name creates that user with Role (default member).
type TokenRequest struct {
	UserID ID     `json:"user_id"`
	User   string `json:"user"`
	Role   Role   `json:"role"`
	// Value, when set, is the token itself (GATEWAY_ADMIN_TOKEN); otherwise
	// a random one is made.
	Value string `json:"-"`
}

// IssueToken creates an API token and returns it; only its hash is stored.
// actor must be an admin, except when the actor is the zero Actor with
// Source "cli" (the operator at the command line).
func (s *Service) IssueToken(ctx context.Context, actor Actor, req TokenRequest) (string, User, error) {
	if actor.Source != "cli" && actor.User.Role != RoleAdmin {
		return "", User{}, Errorf(EFORBIDDEN, "only admins can create tokens")
	}
	if req.Role == "" {
		req.Role = RoleMember
	}
	if !req.Role.Valid() {
		return "", User{}, Errorf(EINVALID, "role must be admin or member, not %q", req.Role)
	}
	ws, err := s.Workspace(ctx)
	if err != nil {
		return "", User{}, err
	}
	token := req.Value
	if token == "" {
		token = NewToken()
	}
	var u User
	_, err = s.update(ctx, ws.ID, actor, txOptions{op: "issue token"}, func(c *change) error {
		var err error
		switch {
		case req.UserID != 0:
			if u, err = c.tx.User(c.ws, req.UserID); err != nil {
				return err
			}
		case strings.TrimSpace(req.User) != "":
			u, err = c.tx.UserByName(c.ws, strings.TrimSpace(req.User))
			if ErrorCode(err) == ENOTFOUND {
				name, err := s.Limits().cleanName("user", req.User)
				if err != nil {
					return err
				}
				u, err = c.createUser(name, req.Role)
				if err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		default:
			return Errorf(EINVALID, "user or user_id is required")
		}
		return c.tx.CreateToken(&Token{WorkspaceID: c.ws, UserID: u.ID, Hash: HashToken(token), CreatedAt: c.now})
	})
	if err != nil {
		return "", User{}, err
	}
	return token, u, nil
}

// BootstrapAdmin makes sure an admin can reach the API on first start. With
// a value (GATEWAY_ADMIN_TOKEN) it makes that token exist for the "admin"
// user; without one it creates a random token only when no token exists at
// all, and returns it to be shown once ("" otherwise).
func (s *Service) BootstrapAdmin(ctx context.Context, value string) (string, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return "", err
	}
	var exists bool
	err = s.store.View(ctx, func(tx Tx) error {
		if value != "" {
			_, err := tx.TokenByHash(HashToken(value))
			exists = err == nil
			if ErrorCode(err) == ENOTFOUND {
				return nil
			}
			return err
		}
		n, err := tx.CountTokens(ws.ID)
		exists = n > 0
		return err
	})
	if err != nil || exists {
		return "", err
	}
	token, _, err := s.IssueToken(ctx, Actor{Source: "cli"}, TokenRequest{User: "admin", Role: RoleAdmin, Value: value})
	if ErrorCode(err) == ECONFLICT {
		// Another gateway on the same database made it at the same time.
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if value != "" {
		return "", nil
	}
	return token, nil
}

// ListTokens returns a page of API tokens, never their secrets: an admin
// sees the workspace's, a member their own.
func (s *Service) ListTokens(ctx context.Context, actor Actor, p Page) ([]Token, ID, error) {
	return listPage(s, ctx, actor, p, func(k Token) ID { return k.ID }, func(tx Tx, ws ID, p Page) ([]Token, error) {
		return tx.ListTokens(ws, ownedBy(actor), p)
	})
}

// RevokeToken deletes an API token at once: an admin any of the workspace,
// a member one of their own (another's is not found). Revoking the token of
// the request itself is allowed: it is the way to log out everywhere.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, id ID) error {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return err
	}
	if actor.User.ID == 0 {
		return Errorf(EUNAUTHORIZED, "no user")
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.DeleteToken(ws.ID, ownedBy(actor), id) })
}

// TokenOf returns the stored record of a token given in full.
func (s *Service) TokenOf(ctx context.Context, token string) (Token, error) {
	var k Token
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		k, err = tx.TokenByHash(HashToken(token))
		return err
	})
	return k, err
}

// ownedBy is whose tokens and incoming hooks actor may list and revoke:
// everyone's (0) for an admin, their own for a member.
func ownedBy(actor Actor) ID {
	if actor.User.Role == RoleAdmin {
		return 0
	}
	return actor.User.ID
}
