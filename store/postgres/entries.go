package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
)

const entryCols = `id, workspace_id, user_id, coalesce(task_id, 0), coalesce(project_id, 0), start_at, end_at,
	duration_seconds, note, billable, tags, source, created_at, updated_at`

func scanEntry(s pgx.Row, e *core.TimeEntry) error {
	var tags []byte
	err := s.Scan(&e.ID, &e.WorkspaceID, &e.UserID, &e.TaskID, &e.ProjectID, &e.Start, &e.End,
		&e.DurationSeconds, &e.Note, &e.Billable, &tags, &e.Source, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return err
	}
	e.Tags, err = parseTags(tags)
	return err
}

// entryRefs tells which reference of an entry row is missing.
func (t *tx) entryRefs(e *core.TimeEntry) error {
	if err := t.checkWorkspace(e.WorkspaceID); err != nil {
		return err
	}
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = $1 AND workspace_id = $2", e.UserID, int64(e.WorkspaceID)); err != nil {
		return err
	}
	if e.ProjectID != 0 {
		if err := t.exists("project", "SELECT 1 FROM projects WHERE id = $1 AND workspace_id = $2", e.ProjectID, int64(e.WorkspaceID)); err != nil {
			return err
		}
	}
	return notFound("task", e.TaskID)
}

// entryConflict explains a broken uniqueness rule of an entry.
func entryConflict(e *core.TimeEntry, err error) error {
	if constraint(err) == "time_entries_pkey" {
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
	cols, vals := "", ""
	args := []any{int64(e.WorkspaceID), int64(e.UserID), idOrNil(e.TaskID), idOrNil(e.ProjectID),
		e.Start, e.End, e.DurationSeconds, e.Note, e.Billable, tags, e.Source, e.CreatedAt, e.UpdatedAt}
	if e.ID != 0 {
		cols, vals = "id, ", "$14, "
		args = append(args, int64(e.ID))
	}
	var id core.ID
	_, err = t.guard(func(r pgx.Row) error { return r.Scan(&id) },
		`INSERT INTO time_entries (`+cols+`workspace_id, user_id, task_id, project_id, start_at, end_at,
		duration_seconds, note, billable, tags, source, created_at, updated_at)
		VALUES (`+vals+`$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		RETURNING id`, args...)
	switch {
	case isUnique(err):
		return entryConflict(e, err)
	case isForeignKey(err):
		return t.entryRefs(e)
	case err != nil:
		return wrap("create entry", err)
	}
	if e.ID != 0 {
		// An id given from outside (undo of a delete) must never come out
		// of the sequence later.
		if _, err := t.exec(`SELECT setval(s.seq, $1) FROM (SELECT pg_get_serial_sequence('time_entries', 'id') AS seq) s
			WHERE $1 > coalesce(pg_sequence_last_value(s.seq::regclass), 0)`, int64(e.ID)); err != nil {
			return wrap("create entry", err)
		}
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
	tag, err := t.guard(nil, `UPDATE time_entries SET task_id = $1, project_id = $2, start_at = $3, end_at = $4,
		duration_seconds = $5, note = $6, billable = $7, tags = $8, source = $9, updated_at = $10
		WHERE workspace_id = $11 AND id = $12`,
		idOrNil(e.TaskID), idOrNil(e.ProjectID), e.Start, e.End,
		e.DurationSeconds, e.Note, e.Billable, tags, e.Source, e.UpdatedAt,
		int64(e.WorkspaceID), int64(e.ID))
	switch {
	case isUnique(err):
		return entryConflict(e, err)
	case isForeignKey(err):
		return t.entryRefs(e)
	case err != nil:
		return wrap("update entry", err)
	case tag.RowsAffected() == 0:
		return notFound("time entry", e.ID)
	}
	return nil
}

// DeleteEntry deletes a time entry.
func (t *tx) DeleteEntry(ws, id core.ID) error {
	n, err := t.affected("DELETE FROM time_entries WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case err != nil:
		return wrap("delete entry", err)
	case n == 0:
		return notFound("time entry", id)
	}
	return nil
}

// Entry returns a time entry; in an Update it stays locked until the
// transaction ends, as the change that follows a read is usually to it.
func (t *tx) Entry(ws, id core.ID) (core.TimeEntry, error) {
	var e core.TimeEntry
	err := scanEntry(t.row("SELECT "+entryCols+" FROM time_entries WHERE workspace_id = $1 AND id = $2"+t.forUpdate(),
		int64(ws), int64(id)), &e)
	if err != nil {
		return core.TimeEntry{}, lookup(err, "get entry", fmt.Sprintf("time entry %d not found", id))
	}
	return e, nil
}

// RunningEntry returns the user's running timer, not_found if none. In an
// Update the timer stays locked until the transaction ends: a second process
// stopping the same timer waits, then finds none running.
func (t *tx) RunningEntry(ws, user core.ID) (core.TimeEntry, error) {
	var e core.TimeEntry
	err := scanEntry(t.row("SELECT "+entryCols+" FROM time_entries WHERE workspace_id = $1 AND user_id = $2 AND end_at IS NULL"+
		t.forUpdate(), int64(ws), int64(user)), &e)
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
	args := []any{int64(ws)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q.WriteString("SELECT " + entryCols + " FROM time_entries WHERE workspace_id = $1")
	if f.UserID != 0 {
		q.WriteString(" AND user_id = " + arg(int64(f.UserID)))
	}
	if f.ProjectID != 0 {
		q.WriteString(" AND project_id = " + arg(int64(f.ProjectID)))
	}
	if f.TaskID != 0 {
		q.WriteString(" AND task_id = " + arg(int64(f.TaskID)))
	}
	if !f.To.IsZero() {
		q.WriteString(" AND start_at < " + arg(f.To))
	}
	if !f.From.IsZero() {
		q.WriteString(" AND (end_at IS NULL OR end_at > " + arg(f.From) + ")")
	}
	q.WriteString(" AND id > " + arg(int64(p.After)) + " ORDER BY id LIMIT " + arg(p.Limit))
	es, err := list(t, scanEntry, q.String(), args...)
	if err != nil {
		return nil, wrap("list entries", err)
	}
	return es, nil
}

// LastEntryEnd returns the latest end of the user's finished entries that
// start in [from, to); a zero to means no upper bound.
func (t *tx) LastEntryEnd(ws, user core.ID, from, to time.Time) (time.Time, bool, error) {
	var end *time.Time
	var err error
	if to.IsZero() {
		err = t.row(`SELECT max(end_at) FROM time_entries
			WHERE workspace_id = $1 AND user_id = $2 AND start_at >= $3 AND end_at IS NOT NULL`,
			int64(ws), int64(user), from).Scan(&end)
	} else {
		err = t.row(`SELECT max(end_at) FROM time_entries
			WHERE workspace_id = $1 AND user_id = $2 AND start_at >= $3 AND start_at < $4 AND end_at IS NOT NULL`,
			int64(ws), int64(user), from, to).Scan(&end)
	}
	if err != nil {
		return time.Time{}, false, wrap("last entry end", err)
	}
	if end == nil {
		return time.Time{}, false, nil
	}
	return *end, true, nil
}

// CountEntries counts the time entries of a task, or of a project when task
// is 0 (of the whole workspace when both are 0).
func (t *tx) CountEntries(ws, project, task core.ID) (int, error) {
	var n int
	var err error
	switch {
	case task != 0:
		err = t.row("SELECT count(*) FROM time_entries WHERE task_id = $1 AND workspace_id = $2", int64(task), int64(ws)).Scan(&n)
	case project != 0:
		err = t.row("SELECT count(*) FROM time_entries WHERE project_id = $1 AND workspace_id = $2", int64(project), int64(ws)).Scan(&n)
	default:
		err = t.row("SELECT count(*) FROM time_entries WHERE workspace_id = $1", int64(ws)).Scan(&n)
	}
	if err != nil {
		return 0, wrap("count entries", err)
	}
	return n, nil
}
