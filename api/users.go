package api

import (
	"context"
	"net/http"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// userBody creates a user.
type userBody struct {
	Name string    `json:"name"`
	Role core.Role `json:"role"`
}

// userPatchBody changes a user.
type userPatchBody struct {
	Name     *string    `json:"name"`
	Role     *core.Role `json:"role"`
	TimeZone *string    `json:"time_zone"`
}

// tokenAnswer is what POST /tokens answers: the token, shown only this
// once, and its user.
type tokenAnswer struct {
	ID    core.ID   `json:"id"`
	Token string    `json:"token"`
	User  core.User `json:"user"`
}

// createToken issues an API token (admins only) for {"user_id": …} or
// {"user": NAME}; an unknown name creates that user with "role".
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if a.User.Role != core.RoleAdmin {
		// Before reading the body: a member learns nothing from it.
		return core.Errorf(core.EFORBIDDEN, "only admins can create tokens")
	}
	var req core.TokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	token, u, err := s.svc.IssueToken(r.Context(), a, req)
	if err != nil {
		return err
	}
	if u.Identities == nil {
		u.Identities = []core.Identity{}
	}
	k, err := s.svc.TokenOf(r.Context(), token)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusCreated, tokenAnswer{ID: k.ID, Token: token, User: u})
}

// listTokens lists API tokens (never their secrets): an admin the
// workspace's, a member their own.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, s.svc.ListTokens)
}

// revokeToken deletes an API token: an admin any, a member their own.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "token", s.svc.RevokeToken)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, s.usersWithReminders(s.svc.ListUsers))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	return getOne(w, r, "user", func(ctx context.Context, a core.Actor, id core.ID) (userView, error) {
		u, err := s.svc.GetUser(ctx, a, id)
		return s.userWithReminder(ctx, a, u, err)
	})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	return createOne(w, r, func(ctx context.Context, a core.Actor, b userBody) (core.User, error) {
		return s.svc.CreateUser(ctx, a, b.Name, b.Role)
	})
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	return updateOne(w, r, "user", func(ctx context.Context, a core.Actor, id core.ID, b userPatchBody) (userView, error) {
		u, err := s.svc.UpdateUser(ctx, a, id, core.UserPatch{Name: b.Name, Role: b.Role, TimeZone: b.TimeZone})
		return s.userWithReminder(ctx, a, u, err)
	})
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "user", s.svc.DeleteUser)
}

// linkIdentity links {"provider": …, "subject": …} to the user (admins
// only) and answers the user with 201.
func (s *Server) linkIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	var ident core.Identity
	if err := decode(w, r, &ident); err != nil {
		return err
	}
	u, err := s.svc.LinkIdentity(r.Context(), actorOf(r), id, ident)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusCreated, u)
}
