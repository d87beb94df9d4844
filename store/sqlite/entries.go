package sqlite

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

const entryCols = `id, workspace_id, user_id, task_id, project_id, start_at, end_at, duration_seconds,
	note, billable, tags, source, created_at, updated_at`

func scanEntry(s scanner, e *core.TimeEntry) error {
	return s.Scan((*idCol)(&e.ID), (*idCol)(&e.WorkspaceID), (*idCol)(&e.UserID), (*idCol)(&e.TaskID), (*idCol)(&e.ProjectID),
		(*timeCol)(&e.Start), nullTimeCol{&e.End}, &e.DurationSeconds,
		&e.Note, &e.Billable, (*tagsCol)(&e.Tags), &e.Source, (*timeCol)(&e.CreatedAt), (*timeCol)(&e.UpdatedAt))
}

// entryRefs tells which reference of an entry row is missing.
func (t *tx) entryRefs(e *core.TimeEntry) error {
	if err := t.checkWorkspace(e.WorkspaceID); err != nil {
		return err
	}
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = ? AND workspace_id = ?", e.UserID, int64(e.WorkspaceID)); err != nil {
		return err
	}
	if e.ProjectID != 0 {
		if err := t.exists("project", "SELECT 1 FROM projects WHERE id = ? AND workspace_id = ?", e.ProjectID, int64(e.WorkspaceID)); err != nil {
			return err
		}
	}
	return notFound("task", e.TaskID)
}

// entryConflict explains a broken uniqueness rule of an entry.
func entryConflict(e *core.TimeEntry, err error) error {
	if sqliteCode(err) == sqliteConstraintPrimaryKey {
		return core.Errorf(core.ECONFLICT, "time entry %d already exists", e.ID)
	}
	return core.Errorf(core.ECONFLICT, "user %d already has a running timer", e.UserID)
}

// CreateEntry adds a time entry, with the ID it has when set. Conflict when
// the entry is running and the user has a running timer already, or when the
// ID is taken; not_found when its user, project or task is missing.
func (t *tx) CreateEntry(e *core.TimeEntry) error {
	tags, err := tagsJSON(e.Tags)
	if err != nil {
		return fmt.Errorf("create entry: %w", err)
	}
	id, err := t.insert(`INSERT INTO time_entries (id, workspace_id, user_id, task_id, project_id, start_at, end_at,
		duration_seconds, note, billable, tags, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		idOrNil(e.ID), int64(e.WorkspaceID), int64(e.UserID), idOrNil(e.TaskID), idOrNil(e.ProjectID),
		ts(e.Start), tsOrNil(e.End), e.DurationSeconds, e.Note, e.Billable, tags, e.Source,
		ts(e.CreatedAt), ts(e.UpdatedAt))
	switch {
	case isUnique(err):
		return entryConflict(e, err)
	case isForeignKey(err):
		return t.entryRefs(e)
	case err != nil:
		return fmt.Errorf("create entry: %w", err)
	}
	e.ID = id
	return nil
}

// UpdateEntry writes every field of the entry but its user and creation
// time.
func (t *tx) UpdateEntry(e *core.TimeEntry) error {
	tags, err := tagsJSON(e.Tags)
	if err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	n, err := t.affected(`UPDATE time_entries SET task_id = ?, project_id = ?, start_at = ?, end_at = ?,
		duration_seconds = ?, note = ?, billable = ?, tags = ?, source = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		idOrNil(e.TaskID), idOrNil(e.ProjectID), ts(e.Start), tsOrNil(e.End),
		e.DurationSeconds, e.Note, e.Billable, tags, e.Source, ts(e.UpdatedAt),
		int64(e.WorkspaceID), int64(e.ID))
	switch {
	case isUnique(err):
		return entryConflict(e, err)
	case isForeignKey(err):
		return t.entryRefs(e)
	case err != nil:
		return fmt.Errorf("update entry: %w", err)
	case n == 0:
		return notFound("time entry", e.ID)
	}
	return nil
}

// DeleteEntry deletes a time entry.
func (t *tx) DeleteEntry(ws, id core.ID) error {
	n, err := t.affected("DELETE FROM time_entries WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case err != nil:
		return fmt.Errorf("delete entry: %w", err)
	case n == 0:
		return notFound("time entry", id)
	}
	return nil
}

// Entry returns a time entry.
func (t *tx) Entry(ws, id core.ID) (core.TimeEntry, error) {
	var e core.TimeEntry
	err := scanEntry(t.row("SELECT "+entryCols+" FROM time_entries WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &e)
	if err != nil {
		return core.TimeEntry{}, lookup(err, "get entry", fmt.Sprintf("time entry %d not found", id))
	}
	return e, nil
}

// RunningEntry returns the user's running timer, not_found if none.
func (t *tx) RunningEntry(ws, user core.ID) (core.TimeEntry, error) {
	var e core.TimeEntry
	err := scanEntry(t.row("SELECT "+entryCols+" FROM time_entries WHERE workspace_id = ? AND user_id = ? AND end_at IS NULL",
		int64(ws), int64(user)), &e)
	if err != nil {
		return core.TimeEntry{}, lookup(err, "get running entry", "no timer is running")
	}
	return e, nil
}

// ListEntries returns a page of time entries, by id, that match the filter:
// an entry overlaps [From, To) when it starts before To and ends (or is still
// running) after From.
func (t *tx) ListEntries(ws core.ID, f core.EntryFilter, p core.Page) ([]core.TimeEntry, error) {
	p = p.Normalize()
	var q strings.Builder
	q.WriteString("SELECT " + entryCols + " FROM time_entries WHERE workspace_id = ?")
	args := []any{int64(ws)}
	if f.UserID != 0 {
		q.WriteString(" AND user_id = ?")
		args = append(args, int64(f.UserID))
	}
	if f.ProjectID != 0 {
		q.WriteString(" AND project_id = ?")
		args = append(args, int64(f.ProjectID))
	}
	if f.TaskID != 0 {
		q.WriteString(" AND task_id = ?")
		args = append(args, int64(f.TaskID))
	}
	if !f.To.IsZero() {
		q.WriteString(" AND start_at < ?")
		args = append(args, ts(f.To))
	}
	if !f.From.IsZero() {
		q.WriteString(" AND (end_at IS NULL OR end_at > ?)")
		args = append(args, ts(f.From))
	}
	q.WriteString(" AND id > ? ORDER BY id LIMIT ?")
	args = append(args, int64(p.After), p.Limit)
	es, err := list(t, scanEntry, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	return es, nil
}

// LastEntryEnd returns the latest end of the user's finished entries that
// start in [from, to); a zero to means no upper bound.
func (t *tx) LastEntryEnd(ws, user core.ID, from, to time.Time) (time.Time, bool, error) {
	hi := int64(1<<63 - 1)
	if !to.IsZero() {
		hi = ts(to)
	}
	var end sql.NullInt64
	err := t.row(`SELECT max(end_at) FROM time_entries
		WHERE workspace_id = ? AND user_id = ? AND start_at >= ? AND start_at < ? AND end_at IS NOT NULL`,
		int64(ws), int64(user), ts(from), hi).Scan(&end)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("last entry end: %w", err)
	}
	if !end.Valid {
		return time.Time{}, false, nil
	}
	return fromTS(end.Int64), true, nil
}

// CountEntries counts the time entries of a task, or of a project when task
// is 0 (of the whole workspace when both are 0).
func (t *tx) CountEntries(ws, project, task core.ID) (int, error) {
	var n int
	var err error
	switch {
	case task != 0:
		err = t.row("SELECT count(*) FROM time_entries WHERE task_id = ? AND workspace_id = ?", int64(task), int64(ws)).Scan(&n)
	case project != 0:
		err = t.row("SELECT count(*) FROM time_entries WHERE project_id = ? AND workspace_id = ?", int64(project), int64(ws)).Scan(&n)
	default:
		err = t.row("SELECT count(*) FROM time_entries WHERE workspace_id = ?", int64(ws)).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("count entries: %w", err)
	}
	return n, nil
}
