package sqltx

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

const entryCols = `id, workspace_id, user_id, task_id, project_id, start_at, end_at, duration_seconds,
	note, billable, tags, source, created_at, updated_at`

func scanEntry(s Row, e *core.TimeEntry) error {
	return s.Scan((*idCol)(&e.ID), (*idCol)(&e.WorkspaceID), (*idCol)(&e.UserID), (*idCol)(&e.TaskID), (*idCol)(&e.ProjectID),
		(*timeCol)(&e.Start), nullTimeCol{&e.End}, &e.DurationSeconds,
		&e.Note, &e.Billable, (*tagsCol)(&e.Tags), &e.Source, (*timeCol)(&e.CreatedAt), (*timeCol)(&e.UpdatedAt))
}

// entryRefs tells which reference of an entry row is missing.
func (t *Tx) entryRefs(e *core.TimeEntry) error {
	if err := t.checkWorkspace(e.WorkspaceID); err != nil {
		return err
	}
	if err := t.inWorkspace("user", e.UserID, e.WorkspaceID); err != nil {
		return err
	}
	if e.ProjectID != 0 {
		if err := t.inWorkspace("project", e.ProjectID, e.WorkspaceID); err != nil {
			return err
		}
	}
	return NotFound("task", e.TaskID)
}

// entryErr maps the error of op, a write of e: a broken uniqueness rule is a
// conflict, a broken reference not_found.
func (t *Tx) entryErr(e *core.TimeEntry, op string, err error) error {
	switch {
	case t.d.IsUnique(err) && t.d.IsPrimaryKey(err):
		return core.Errorf(core.ECONFLICT, "time entry %d already exists", e.ID)
	case t.d.IsUnique(err):
		return core.Errorf(core.ECONFLICT, "user %d already has a running timer", e.UserID)
	case t.d.IsForeignKey(err):
		return t.entryRefs(e)
	}
	return t.Wrap(op, err)
}

// The insert of an entry, with the id given or picked by the database (a
// NULL id is no id to PostgreSQL).
const (
	entryInsertCols = `workspace_id, user_id, task_id, project_id, start_at, end_at, duration_seconds,
		note, billable, tags, source, created_at, updated_at`
	insertEntry       = "INSERT INTO time_entries (" + entryInsertCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
	insertEntryWithID = "INSERT INTO time_entries (" + entryInsertCols + ", id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)

// CreateEntry adds a time entry, with the ID it has when set. Conflict when
// the entry is running and the user has a running timer already, or when the
// ID is taken; not_found when its user, project or task is missing.
func (t *Tx) CreateEntry(e *core.TimeEntry) error {
	tags, err := tagsJSON(e.Tags)
	if err != nil {
		return fmt.Errorf("create entry: %w", err)
	}
	q, args := insertEntryWithID, []any{int64(e.WorkspaceID), int64(e.UserID), IDOrNil(e.TaskID), IDOrNil(e.ProjectID),
		t.ts(e.Start), t.tsOrNil(e.End), e.DurationSeconds, e.Note, e.Billable, tags, e.Source,
		t.ts(e.CreatedAt), t.ts(e.UpdatedAt), int64(e.ID)}
	if e.ID == 0 {
		q, args = insertEntry, args[:len(args)-1]
	}
	id, err := t.c.Insert(q, args...)
	if err != nil {
		return t.entryErr(e, "create entry", err)
	}
	e.ID = core.ID(id)
	return nil
}

// UpdateEntry writes every field of the entry but its user and creation
// time.
func (t *Tx) UpdateEntry(e *core.TimeEntry) error {
	tags, err := tagsJSON(e.Tags)
	if err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	n, err := t.c.Guard(`UPDATE time_entries SET task_id = ?, project_id = ?, start_at = ?, end_at = ?,
		duration_seconds = ?, note = ?, billable = ?, tags = ?, source = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		IDOrNil(e.TaskID), IDOrNil(e.ProjectID), t.ts(e.Start), t.tsOrNil(e.End),
		e.DurationSeconds, e.Note, e.Billable, tags, e.Source, t.ts(e.UpdatedAt),
		int64(e.WorkspaceID), int64(e.ID))
	switch {
	case err != nil:
		return t.entryErr(e, "update entry", err)
	case n == 0:
		return NotFound("time entry", e.ID)
	}
	return nil
}

// DeleteEntry deletes a time entry.
func (t *Tx) DeleteEntry(ws, id core.ID) error {
	n, err := t.c.Exec("DELETE FROM time_entries WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case err != nil:
		return t.Wrap("delete entry", err)
	case n == 0:
		return NotFound("time entry", id)
	}
	return nil
}

// Entry returns a time entry; in an Update that locks rows it stays locked
// until the transaction ends, as the change that follows a read is usually
// to it.
func (t *Tx) Entry(ws, id core.ID) (core.TimeEntry, error) {
	var e core.TimeEntry
	err := scanEntry(t.c.QueryRow("SELECT "+entryCols+" FROM time_entries WHERE workspace_id = ? AND id = ?"+t.forUpdate,
		int64(ws), int64(id)), &e)
	if err != nil {
		return core.TimeEntry{}, t.Lookup(err, "get entry", fmt.Sprintf("time entry %d not found", id))
	}
	return e, nil
}

// RunningEntry returns the user's running timer, not_found if none. In an
// Update that locks rows the timer stays locked until the transaction ends:
// a second process stopping the same timer waits, then finds none running.
func (t *Tx) RunningEntry(ws, user core.ID) (core.TimeEntry, error) {
	var e core.TimeEntry
	err := scanEntry(t.c.QueryRow("SELECT "+entryCols+" FROM time_entries WHERE workspace_id = ? AND user_id = ? AND end_at IS NULL"+
		t.forUpdate, int64(ws), int64(user)), &e)
	if err != nil {
		return core.TimeEntry{}, t.Lookup(err, "get running entry", "no timer is running")
	}
	return e, nil
}

// ListEntries returns a page of time entries, by id, that match the filter:
// an entry overlaps [From, To) when it starts before To and ends (or is still
// running) after From.
func (t *Tx) ListEntries(ws core.ID, f core.EntryFilter, p core.Page) ([]core.TimeEntry, error) {
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
		args = append(args, t.ts(f.To))
	}
	if !f.From.IsZero() {
		q.WriteString(" AND (end_at IS NULL OR end_at > ?)")
		args = append(args, t.ts(f.From))
	}
	q.WriteString(" AND id > ? ORDER BY id LIMIT ?")
	args = append(args, int64(p.After), p.Limit)
	es, err := List(t, scanEntry, q.String(), args...)
	if err != nil {
		return nil, t.Wrap("list entries", err)
	}
	return es, nil
}

// LastEntryEndQuery and LastEntryEndBeforeQuery are LastEntryEnd's
// statements, without and with an end of the range; the index
// time_entries_user_start_end answers them alone (the stores' plan tests).
const (
	LastEntryEndQuery = `SELECT max(end_at) FROM time_entries
		WHERE workspace_id = ? AND user_id = ? AND start_at >= ? AND end_at IS NOT NULL`
	LastEntryEndBeforeQuery = `SELECT max(end_at) FROM time_entries
		WHERE workspace_id = ? AND user_id = ? AND start_at >= ? AND start_at < ? AND end_at IS NOT NULL`
)

// LastEntryEnd returns the latest end of the user's finished entries that
// start in [from, to); a zero to means no upper bound.
func (t *Tx) LastEntryEnd(ws, user core.ID, from, to time.Time) (time.Time, bool, error) {
	var end *time.Time
	var err error
	if to.IsZero() {
		err = t.c.QueryRow(LastEntryEndQuery, int64(ws), int64(user), t.ts(from)).Scan(nullTimeCol{&end})
	} else {
		err = t.c.QueryRow(LastEntryEndBeforeQuery, int64(ws), int64(user), t.ts(from), t.ts(to)).Scan(nullTimeCol{&end})
	}
	if err != nil {
		return time.Time{}, false, t.Wrap("last entry end", err)
	}
	if end == nil {
		return time.Time{}, false, nil
	}
	return *end, true, nil
}

// CountEntries counts the time entries of a task, or of a project when task
// is 0 (of the whole workspace when both are 0).
func (t *Tx) CountEntries(ws, project, task core.ID) (int, error) {
	var n int
	var err error
	switch {
	case task != 0:
		err = t.c.QueryRow("SELECT count(*) FROM time_entries WHERE task_id = ? AND workspace_id = ?", int64(task), int64(ws)).Scan((*intCol)(&n))
	case project != 0:
		err = t.c.QueryRow("SELECT count(*) FROM time_entries WHERE project_id = ? AND workspace_id = ?", int64(project), int64(ws)).Scan((*intCol)(&n))
	default:
		err = t.c.QueryRow("SELECT count(*) FROM time_entries WHERE workspace_id = ?", int64(ws)).Scan((*intCol)(&n))
	}
	if err != nil {
		return 0, t.Wrap("count entries", err)
	}
	return n, nil
}
