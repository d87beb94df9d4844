package core

import (
	"net/url"
	"strings"
	"time"
)

// ParseReportQuery reads a report's parameters from a query string or a
// form: from and to (each a date, YYYY-MM-DD, read as that day's midnight
// in loc, or an RFC 3339 time; both default to this week, Monday to
// Monday, in loc) and group_by (a comma list, or the parameter repeated;
// default project). Other parameters are left to the caller. It returns
// invalid, saying which parameter is wrong and why, for a bad value.
// Everyone is left false: who may see what is the caller's to say.
func ParseReportQuery(q url.Values, now time.Time, loc *time.Location) (ReportQuery, error) {
	var rq ReportQuery
	week, next, _ := Period{Kind: PeriodWeek}.Resolve(now, loc)
	var err error
	if rq.From, err = ParseInstant(q, "from", loc); err != nil {
		return rq, err
	}
	if rq.To, err = ParseInstant(q, "to", loc); err != nil {
		return rq, err
	}
	if rq.From.IsZero() {
		rq.From = week
	}
	if rq.To.IsZero() {
		rq.To = next
	}
	rq.From, rq.To = rq.From.UTC(), rq.To.UTC()
	if !rq.To.After(rq.From) {
		return rq, Errorf(EINVALID, "to (%s) must be after from (%s); without one, it is this week's end or start",
			rq.To.Format(time.RFC3339), rq.From.Format(time.RFC3339))
	}
	if rq.GroupBy, err = ParseGroupBy(q["group_by"]); err != nil {
		return rq, err
	}
	return rq, nil
}

// ParseGroupBy reads group_by values: each a comma list of GroupFields
// (case and spaces ignored). No value means project; an empty item, an
// unknown field or one named twice is invalid.
func ParseGroupBy(values []string) ([]string, error) {
	var fields []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.ToLower(strings.TrimSpace(f))
			if f == "" {
				return nil, Errorf(EINVALID, "group_by %q has an empty field; give a comma list of user, project, task, tag, billable", v)
			}
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return []string{GroupProject}, nil
	}
	if err := CheckGroupBy(fields); err != nil {
		return nil, err
	}
	return fields, nil
}

// ParseInstant reads the time parameter name of q: zero when absent, a
// date (YYYY-MM-DD) as that day's midnight in loc, or an RFC 3339 time (a
// '+' of its offset that arrived unescaped, as a space, is put back). It is
// invalid when given twice or when it is neither.
func ParseInstant(q url.Values, name string, loc *time.Location) (time.Time, error) {
	vs := q[name]
	if len(vs) == 0 || len(vs) == 1 && vs[0] == "" {
		return time.Time{}, nil
	}
	if len(vs) > 1 {
		return time.Time{}, Errorf(EINVALID, "%s is given %d times; give it once", name, len(vs))
	}
	s := vs[0]
	if len(s) == len(time.DateOnly) {
		if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	t, err := time.Parse(time.RFC3339, strings.ReplaceAll(s, " ", "+"))
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "%s %q is neither a date (2026-11-30) nor an RFC 3339 time (2026-11-30T09:00:00Z)", name, clip(s, 64))
	}
	return t.UTC(), nil
}

// clip shortens s to at most n bytes, on a rune boundary, for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
