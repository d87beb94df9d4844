package core

import "context"

// StartSession opens a web page's session for an API token: it returns the
// new session's id (for the cookie; only its hash is stored) and the user.
// unauthorized when the token is not valid.
func (s *Service) StartSession(ctx context.Context, token string) (string, User, error) {
	if token == "" {
		return "", User{}, Errorf(EUNAUTHORIZED, "missing token")
	}
	id := NewToken()
	now := s.Now()
	var u User
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.TokenByHash(HashToken(token))
		if err != nil {
			return err
		}
		if u, err = tx.User(t.WorkspaceID, t.UserID); err != nil {
			return err
		}
		return tx.CreateSession(&Session{Hash: HashToken(id), WorkspaceID: t.WorkspaceID, UserID: t.UserID,
			TokenID: t.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL)})
	})
	if ErrorCode(err) == ENOTFOUND {
		return "", User{}, Errorf(EUNAUTHORIZED, "invalid token")
	}
	if err != nil {
		return "", User{}, err
	}
	return id, u, nil
}

// SessionUser returns the user of a live session: unauthorized when the
// session is unknown, ended or expired.
func (s *Service) SessionUser(ctx context.Context, id string) (User, error) {
	if id == "" {
		return User{}, Errorf(EUNAUTHORIZED, "missing session")
	}
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		sess, err := tx.SessionByHash(HashToken(id))
		if err != nil {
			return err
		}
		if !s.Now().Before(sess.ExpiresAt) {
			return Errorf(EUNAUTHORIZED, "session expired")
		}
		u, err = tx.User(sess.WorkspaceID, sess.UserID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return User{}, Errorf(EUNAUTHORIZED, "invalid session")
	}
	return u, err
}

// EndSession ends a session (logout); an unknown one is no error.
func (s *Service) EndSession(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.DeleteSession(HashToken(id)) })
}
