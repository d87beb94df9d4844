package api

import (
	"context"

	"github.com/chatops/gateway/core"
)

// userView is a user as the API answers it: with their reminder
// ({"at": "17:30", "days": ["mon", …]}, or null), which chat's remind sets.
type userView struct {
	core.User
	Reminder *reminderView `json:"reminder"`
}

type reminderView struct {
	At   core.ClockTime `json:"at"`
	Days core.Weekdays  `json:"days"`
}

// usersWithReminders wraps a list of users with their reminders.
func (s *Server) usersWithReminders(list func(context.Context, core.Actor, core.Page) ([]core.User, core.ID, error)) func(context.Context, core.Actor, core.Page) ([]userView, core.ID, error) {
	return func(ctx context.Context, a core.Actor, p core.Page) ([]userView, core.ID, error) {
		users, next, err := list(ctx, a, p)
		if err != nil {
			return nil, 0, err
		}
		views, err := s.views(ctx, a, users)
		return views, next, err
	}
}

// userWithReminder wraps one user with their reminder.
func (s *Server) userWithReminder(ctx context.Context, a core.Actor, u core.User, err error) (userView, error) {
	if err != nil {
		return userView{}, err
	}
	views, err := s.views(ctx, a, []core.User{u})
	if err != nil {
		return userView{}, err
	}
	return views[0], nil
}

func (s *Server) views(ctx context.Context, a core.Actor, users []core.User) ([]userView, error) {
	rs, err := s.svc.UserReminders(ctx, a, users)
	if err != nil {
		return nil, err
	}
	out := make([]userView, len(users))
	for i, u := range users {
		out[i] = userView{User: u}
		if r, ok := rs[u.ID]; ok {
			out[i].Reminder = &reminderView{At: r.At, Days: r.Days}
		}
	}
	return out, nil
}
