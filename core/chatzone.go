package core

import "context"

// firstZone is the time zone of a user made now: the chat identity's
// (Slack's users.info, ChatIdentity.TimeZone) when it names an IANA zone,
// else UTC.
func (c *change) firstZone() string {
	if id := c.actor.Identity; id != nil && id.TimeZone != "" && c.actor.User.ID == 0 && checkTimeZone(id.TimeZone) == nil {
		return id.TimeZone
	}
	return "UTC"
}

// resolveChat is ResolveIdentity for a chat identity that may carry the
// zone a new user gets (read-only commands find or make their user before
// they run).
func (s *Service) resolveChat(ctx context.Context, id ChatIdentity, source string) (User, error) {
	if id.TimeZone == "" {
		return s.ResolveIdentity(ctx, id.Provider, id.Subject, id.Name, source)
	}
	ws, err := s.Workspace(ctx)
	if err != nil {
		return User{}, err
	}
	u, err := s.userByIdentity(ctx, ws.ID, id.Provider, id.Subject)
	if err == nil || ErrorCode(err) != ENOTFOUND {
		return u, err
	}
	res, err := s.update(ctx, ws.ID, Actor{Source: source, Identity: &id}, txOptions{op: "resolve identity"}, func(*change) error { return nil })
	if err != nil {
		return User{}, err
	}
	return res.User, nil
}
