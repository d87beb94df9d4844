package core

import (
	_ "embed"
	"strings"
	"time"
)

// zoneList holds the names of the IANA time zone database, one a line:
// "Z name" for a zone, "L name" for a link (an older or other name of one),
// without the Etc, US and SystemV names. Made from tzdata.zi.
//
//go:embed zones.txt
var zoneList string

// maxZoneCandidates is how many candidates a refusal names at most.
const maxZoneCandidates = 6

// FindZone returns the IANA name that s names: an IANA name (in any case),
// or a city (the name's last part, "new york" or "New_York"), which must be
// unique: an ambiguous or unknown city is refused naming the candidates.
// A city that is both a zone and a link names the zone.
func FindZone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(EINVALID, "time zone missing; give an IANA name such as Europe/Berlin, or a city")
	}
	if strings.EqualFold(s, "UTC") {
		return "UTC", nil
	}
	key := strings.ToLower(strings.Join(strings.Fields(s), "_"))
	var zones, links, near []string
	for line := range strings.Lines(zoneList) {
		kind, name, _ := strings.Cut(strings.TrimSpace(line), " ")
		lower := strings.ToLower(name)
		if lower == key {
			return checkedZone(name)
		}
		city := lower[strings.LastIndexByte(lower, '/')+1:]
		switch {
		case city == key && kind == "Z":
			zones = append(zones, name)
		case city == key:
			links = append(links, name)
		case len(key) >= 3 && strings.HasPrefix(city, key):
			near = append(near, name)
		}
	}
	if len(zones) == 0 {
		zones = links
	}
	switch {
	case len(zones) == 1:
		return checkedZone(zones[0])
	case len(zones) > 1:
		return "", Errorf(EINVALID, "%q is ambiguous: say which of %s", s, candidates(zones))
	case len(near) > 0:
		return "", Errorf(EINVALID, "no time zone %q; did you mean %s?", s, candidates(near))
	}
	return "", Errorf(EINVALID, "no time zone %q; give an IANA name such as Europe/Berlin, or a city such as Berlin", s)
}

// checkedZone returns name if this system can load it.
func checkedZone(name string) (string, error) {
	if _, err := time.LoadLocation(name); err != nil {
		return "", Errorf(EINVALID, "time zone %q is not available here", name)
	}
	return name, nil
}

func candidates(names []string) string {
	if len(names) > maxZoneCandidates {
		names = append(names[:maxZoneCandidates:maxZoneCandidates], "…")
	}
	return strings.Join(names, ", ")
}

// timeZone runs `tz`: shows the user's zone, or sets it and emits
// workspace_user.updated.
func (c *change) timeZone(cmd TimeZone) error {
	u, err := c.tx.User(c.ws, c.actor.User.ID)
	if err != nil {
		return err
	}
	c.res.User = u
	if cmd.Zone == "" {
		return nil
	}
	if u.TimeZone, err = FindZone(cmd.Zone); err != nil {
		return err
	}
	u.UpdatedAt = c.now
	if err := c.tx.UpdateUser(&u); err != nil {
		return err
	}
	u = normalUser(u)
	c.res.User, c.res.Changed = u, true
	return c.emit(EventWorkspaceUserUpdated, u.ID, 0, map[string]any{"user": u})
}
