package core

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The CSV forms of reports and entries (CONTRACT §8) are part of the
// gateway's outside, as the JSON forms are, so they live next to the types
// they write: the API and the web console both call WriteReportCSV and
// WriteEntriesCSV.

// EntryColumns is the header row of WriteEntriesCSV.
var EntryColumns = []string{"id", "user", "project", "task", "start", "end", "seconds", "billable", "tags", "note"}

// ReportColumns returns the header row of WriteReportCSV for r: its GroupBy
// fields, then seconds and hours.
func ReportColumns(r *ReportTotals) []string {
	return append(append([]string{}, r.GroupBy...), "seconds", "hours")
}

// WriteReportCSV writes r as CSV: a header row (ReportColumns), then one
// row per group in r's order, with each field's value (billable as true or
// false), the seconds and the hours (two decimals).
func WriteReportCSV(w io.Writer, r *ReportTotals) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ReportColumns(r))
	for _, g := range r.Groups {
		row := make([]string, 0, len(r.GroupBy)+2)
		for _, f := range r.GroupBy {
			row = append(row, cell(g.Value(f)))
		}
		row = append(row, strconv.FormatInt(g.Seconds, 10), hours(g.Seconds))
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// hours writes seconds as hours with two decimals.
func hours(secs int64) string { return strconv.FormatFloat(float64(secs)/3600, 'f', 2, 64) }

// cell keeps a text from being read as a formula by a spreadsheet: one
// that starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice for CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// EntryRow is a time entry with its names, for WriteEntriesCSV: Seconds is
// its length (a running timer's up to when it was read).
type EntryRow struct {
	Entry   TimeEntry
	User    string
	Project string
	Task    string
	Seconds int64
}

// WriteEntriesCSV writes rows as CSV: a header row (EntryColumns), then one
// row per entry. Times are RFC 3339 in UTC; a running timer's end is empty;
// tags are joined with ";".
func WriteEntriesCSV(w io.Writer, rows []EntryRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(EntryColumns)
	for _, r := range rows {
		e := r.Entry
		end := ""
		if e.End != nil {
			end = e.End.UTC().Format(time.RFC3339)
		}
		tags := make([]string, len(e.Tags))
		for i, t := range e.Tags {
			tags[i] = cell(t)
		}
		_ = cw.Write([]string{e.ID.String(), cell(r.User), cell(r.Project), cell(r.Task),
			e.Start.UTC().Format(time.RFC3339), end, strconv.FormatInt(r.Seconds, 10),
			strconv.FormatBool(e.Billable), strings.Join(tags, ";"), cell(e.Note)})
	}
	cw.Flush()
	return cw.Error()
}

// EntryRows returns every entry f selects (not paged), oldest id first,
// with its names, as ListEntries would show them to actor: a member only
// their own (none when f.UserID is another user's).
func (s *Service) EntryRows(ctx context.Context, actor Actor, f EntryFilter) ([]EntryRow, error) {
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return nil, Errorf(EINVALID, "to must be after from")
	}
	now := s.Now()
	rows := []EntryRow{}
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		if actor.User.Role != RoleAdmin {
			if f.UserID != 0 && f.UserID != actor.User.ID {
				return nil
			}
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
		for _, e := range entries {
			rows = append(rows, EntryRow{Entry: normalEntry(e),
				User: nameOf(names.Users, e.UserID, "user"), Project: nameOf(names.Projects, e.ProjectID, "project"),
				Task: nameOf(names.Tasks, e.TaskID, "task"), Seconds: max(0, int64(e.Duration(now)/time.Second))})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("entry rows: %w", err)
	}
	return rows, nil
}
