package reply

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// reminders tells what remind, remind off and remind alone did, and what
// report … every, schedules and schedules off did.
func reminders(res *core.Result, d Dialect) string {
	switch res.Command {
	case "remind", "remind show":
		r := res.Reminder
		if r == nil {
			return "You have no reminder. Set one with `remind 17:30 weekdays`."
		}
		return fmt.Sprintf("⏰ I remind you at %s (%s) %s when you have logged nothing that day; next %s. `remind off` stops it.",
			d.Strong(r.At.String()), res.User.Location(), onDays(r.Days), nextAt(r.NextAt, res.User.Location()))
	case "remind off":
		if res.Removed == 0 {
			return "You had no reminder."
		}
		return "🔕 Your reminder is off."
	case "report every":
		sc := res.Schedules[0]
		return fmt.Sprintf("📊 This channel gets %s %s at %s (%s); first %s. Schedule #%d: `schedules off %d` stops it.",
			periodName(sc.Period), onDays(sc.Days), d.Strong(sc.At.String()), d.Escape(sc.Zone), nextAt(sc.NextAt, sc.Location()), sc.ID, sc.ID)
	case "schedules":
		if len(res.Schedules) == 0 {
			return "This channel has no scheduled reports. Add one with `report week every fri 17:00`."
		}
		var b strings.Builder
		b.WriteString("This channel's scheduled reports:")
		for _, sc := range res.Schedules {
			fmt.Fprintf(&b, "\n• #%d %s %s at %s (%s), next %s", sc.ID, periodName(sc.Period), onDays(sc.Days), sc.At, d.Escape(sc.Zone),
				nextAt(sc.NextAt, sc.Location()))
		}
		return b.String()
	case "schedules off":
		return fmt.Sprintf("🔕 Removed scheduled report #%d.", res.Schedules[0].ID)
	}
	return ""
}

// periodName is what a scheduled report covers, as people say it.
func periodName(p core.Period) string {
	switch p.Kind {
	case core.PeriodToday:
		return "today's report"
	case core.PeriodRange:
		return "the report of " + p.Date + ".." + p.To
	case core.PeriodDate:
		return "the report of " + p.Date
	}
	return "the report of " + string(p.Kind)
}

// nextAt is the next slot in its zone: "Fri 4 Dec 17:00 CET".
func nextAt(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// onDays says when, in a sentence: "every day", "on weekdays", "on mon, fri".
func onDays(w core.Weekdays) string {
	if w == core.EveryDay {
		return "every day"
	}
	return "on " + w.String()
}
