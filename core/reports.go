package core

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
)

// The fields a report may be grouped by (GET /api/v1/reports?group_by=).
const (
	GroupUser     = "user"
	GroupProject  = "project"
	GroupTask     = "task"
	GroupTag      = "tag"
	GroupBillable = "billable"
)

// GroupFields lists the fields a report may be grouped by, in the order
// the contract names them.
var GroupFields = []string{GroupUser, GroupProject, GroupTask, GroupTag, GroupBillable}

// ReportQuery is what a grouped report covers: the entries of [From, To)
// (clipped to it; a running timer counts up to now), grouped by the GroupBy
// fields. Everyone counts every user's entries, which only an admin may
// ask; otherwise the report is of the actor's own entries.
type ReportQuery struct {
	From, To time.Time
	GroupBy  []string
	Everyone bool
}

// ReportTotals is a grouped report: seconds per group, sorted by seconds
// descending (ties by the group's fields, in order). TotalSeconds is the
// time of the entries counted; with GroupBy tag, an entry with two tags
// counts under both, so the groups may add up to more.
type ReportTotals struct {
	From         time.Time     `json:"from"`
	To           time.Time     `json:"to"`
	GroupBy      []string      `json:"group_by"`
	Groups       []ReportGroup `json:"groups"`
	TotalSeconds int64         `json:"total_seconds"`
}

// ReportGroup is one group of a ReportTotals: the values of its fields
// (only those of the report's GroupBy mean anything; the rest are zero),
// which tell it from every other group of the report (a group is made of
// the entries with the same names: grouped by task alone, tasks of one name
// in two projects are one group),
// its seconds and its share of the report's total (0 to 1, 4 decimals).
// Names are as stored; "" is no project, no task, or no tag. Tags that
// differ only in case are one group, named as the first entry (in the
// order given) spells it; an entry carrying such a tag twice counts once.
type ReportGroup struct {
	User     string  `json:"user,omitempty"`
	Project  string  `json:"project,omitempty"`
	Task     string  `json:"task,omitempty"`
	Tag      string  `json:"tag,omitempty"`
	Billable bool    `json:"billable,omitempty"`
	Seconds  int64   `json:"seconds"`
	Share    float64 `json:"share"`
}

// Value returns the group's value of a field as text: a name, or "true" or
// "false" for billable; "" for a field that is not one of GroupFields.
func (g ReportGroup) Value(field string) string {
	switch field {
	case GroupUser:
		return g.User
	case GroupProject:
		return g.Project
	case GroupTask:
		return g.Task
	case GroupTag:
		return g.Tag
	case GroupBillable:
		return strconv.FormatBool(g.Billable)
	}
	return ""
}

// MarshalJSON writes the report as the contract has it: each group with one
// key per GroupBy field (billable a boolean, the others strings), then
// seconds and share.
func (r ReportTotals) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"from":`)
	writeJSON(&b, r.From)
	b.WriteString(`,"to":`)
	writeJSON(&b, r.To)
	b.WriteString(`,"group_by":`)
	writeJSON(&b, nonNil(r.GroupBy))
	b.WriteString(`,"groups":[`)
	for i, g := range r.Groups {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for _, f := range r.GroupBy {
			writeJSON(&b, f)
			b.WriteByte(':')
			if f == GroupBillable {
				writeJSON(&b, g.Billable)
			} else {
				writeJSON(&b, g.Value(f))
			}
			b.WriteByte(',')
		}
		b.WriteString(`"seconds":`)
		writeJSON(&b, g.Seconds)
		b.WriteString(`,"share":`)
		writeJSON(&b, g.Share)
		b.WriteByte('}')
	}
	b.WriteString(`],"total_seconds":`)
	writeJSON(&b, r.TotalSeconds)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSON appends the JSON of a value that always encodes (strings,
// numbers, booleans, times, string slices).
func writeJSON(b *bytes.Buffer, v any) {
	enc, _ := json.Marshal(v)
	b.Write(enc)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ReportNames names the users, projects and tasks that entries refer to,
// for GroupEntries. A missing id is named by its number ("project 7").
type ReportNames struct {
	Users, Projects, Tasks map[ID]string
}

// EntrySeconds returns how many whole seconds of e lie in [from, to): a
// running timer counts up to now; 0 when none do.
func EntrySeconds(e TimeEntry, from, to, now time.Time) int64 {
	st, en := e.Start, now
	if e.End != nil {
		en = *e.End
	}
	if st.Before(from) {
		st = from
	}
	if en.After(to) {
		en = to
	}
	if !en.After(st) {
		return 0
	}
	return int64(en.Sub(st) / time.Second)
}

// GroupEntries groups entries as q asks, with the seconds of each entry
// that lie in [q.From, q.To) (EntrySeconds). It is the whole rule of a
// report; Service.ReportTotals only reads the entries and names. Entries
// with no second in the span are left out. q.GroupBy must be valid
// (CheckGroupBy); an empty one means project.
func GroupEntries(entries []TimeEntry, q ReportQuery, names ReportNames, now time.Time) *ReportTotals {
	if len(q.GroupBy) == 0 {
		q.GroupBy = []string{GroupProject}
	}
	r := &ReportTotals{From: q.From.UTC(), To: q.To.UTC(), GroupBy: q.GroupBy, Groups: []ReportGroup{}}
	byTag := slices.Contains(q.GroupBy, GroupTag)
	index := map[ReportGroup]int{} // a group by its values, Seconds 0
	for _, e := range entries {
		secs := EntrySeconds(e, q.From, q.To, now)
		if secs == 0 {
			continue
		}
		r.TotalSeconds += secs
		tags := []string{""}
		if byTag && len(e.Tags) > 0 {
			tags = distinctTags(e.Tags)
		}
		for _, tag := range tags {
			var g ReportGroup
			for _, f := range q.GroupBy {
				switch f {
				case GroupUser:
					g.User = nameOf(names.Users, e.UserID, "user")
				case GroupProject:
					g.Project = nameOf(names.Projects, e.ProjectID, "project")
				case GroupTask:
					g.Task = nameOf(names.Tasks, e.TaskID, "task")
				case GroupTag:
					g.Tag = tag
				case GroupBillable:
					g.Billable = e.Billable
				}
			}
			k := g // tags that differ in case are one group, named as first seen
			k.Tag = NameKey(g.Tag)
			i, ok := index[k]
			if !ok {
				i = len(r.Groups)
				index[k] = i
				r.Groups = append(r.Groups, g)
			}
			r.Groups[i].Seconds += secs
		}
	}
	for i := range r.Groups {
		if r.TotalSeconds > 0 {
			r.Groups[i].Share = math.Round(float64(r.Groups[i].Seconds)/float64(r.TotalSeconds)*1e4) / 1e4
		}
	}
	slices.SortStableFunc(r.Groups, func(a, b ReportGroup) int {
		if c := cmp.Compare(b.Seconds, a.Seconds); c != 0 {
			return c
		}
		for _, f := range q.GroupBy {
			if c := cmp.Compare(a.Value(f), b.Value(f)); c != 0 {
				return c
			}
		}
		return 0
	})
	return r
}

// distinctTags returns tags without the repeats of a tag in any case
// (NameKey), each as first spelled, in order: an entry carrying "Bug" and
// "bug" counts once under "Bug", as in chat's report by tag.
func distinctTags(tags []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, tag := range tags {
		if k := NameKey(tag); !seen[k] {
			seen[k] = true
			out = append(out, tag)
		}
	}
	return out
}

// nameOf names an id: "" for none, the known name, or kind and number.
func nameOf(names map[ID]string, id ID, kind string) string {
	if id == 0 {
		return ""
	}
	if n, ok := names[id]; ok {
		return n
	}
	return kind + " " + id.String()
}

// CheckGroupBy returns invalid unless every field is one of GroupFields,
// given once.
func CheckGroupBy(fields []string) error {
	seen := map[string]bool{}
	for _, f := range fields {
		if !slices.Contains(GroupFields, f) {
			return Errorf(EINVALID, "group_by %q is not one of user, project, task, tag, billable", f)
		}
		if seen[f] {
			return Errorf(EINVALID, "group_by names %q twice", f)
		}
		seen[f] = true
	}
	return nil
}

// ReportTotals returns the report q asks for: the actor's own entries, or
// with q.Everyone every user's (forbidden for a member). Invalid when To is
// not after From or GroupBy names an unknown field.
func (s *Service) ReportTotals(ctx context.Context, actor Actor, q ReportQuery) (*ReportTotals, error) {
	if err := CheckGroupBy(q.GroupBy); err != nil {
		return nil, err
	}
	if !q.To.After(q.From) {
		return nil, Errorf(EINVALID, "to must be after from")
	}
	if q.Everyone && actor.User.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "only an admin may see everyone's time")
	}
	now := s.Now()
	var res *ReportTotals
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		f := EntryFilter{From: q.From.UTC(), To: q.To.UTC()}
		if !q.Everyone {
			f.UserID = actor.User.ID
		}
		entries, err := allEntries(tx, ws, f)
		if err != nil {
			return err
		}
		names, err := namesOf(tx, ws, entries)
		if err != nil {
			return err
		}
		res = GroupEntries(entries, q, names, now)
		return nil
	})
	return res, err
}

// allEntries reads every entry f selects, page after page.
func allEntries(tx Tx, ws ID, f EntryFilter) ([]TimeEntry, error) {
	return listAll(func(p Page) ([]TimeEntry, error) { return tx.ListEntries(ws, f, p) }, func(e TimeEntry) ID { return e.ID })
}

// namesOf reads the names of the users, projects and tasks of entries. A
// thing deleted since is left out (nameOf then names it by number).
func namesOf(tx Tx, ws ID, entries []TimeEntry) (ReportNames, error) {
	n := ReportNames{Users: map[ID]string{}, Projects: map[ID]string{}, Tasks: map[ID]string{}}
	for _, e := range entries {
		if _, ok := n.Users[e.UserID]; !ok && e.UserID != 0 {
			u, err := tx.User(ws, e.UserID)
			if err := found(err); err != nil {
				return n, err
			}
			n.Users[e.UserID] = u.Name
		}
		if _, ok := n.Projects[e.ProjectID]; !ok && e.ProjectID != 0 {
			p, err := tx.Project(ws, e.ProjectID)
			if err := found(err); err != nil {
				return n, err
			}
			n.Projects[e.ProjectID] = p.Name
		}
		if _, ok := n.Tasks[e.TaskID]; !ok && e.TaskID != 0 {
			t, err := tx.Task(ws, e.TaskID)
			if err := found(err); err != nil {
				return n, err
			}
			n.Tasks[e.TaskID] = t.Name
		}
	}
	for _, m := range []map[ID]string{n.Users, n.Projects, n.Tasks} {
		for id, name := range m {
			if name == "" {
				delete(m, id)
			}
		}
	}
	return n, nil
}

// found turns not_found into nil: the caller then keeps a zero value.
func found(err error) error {
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	return err
}
