package core

// firstZone is the time zone of a user made now: the chat identity's
// (Slack's users.info, ChatIdentity.TimeZone) when it names an IANA zone,
// else UTC.
func (c *change) firstZone() string {
	if id := c.actor.Identity; id != nil && id.TimeZone != "" && c.actor.User.ID == 0 && checkTimeZone(id.TimeZone) == nil {
		return id.TimeZone
	}
	return "UTC"
}
