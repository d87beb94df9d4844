package api

import (
	"context"
	"net/http"
	"time"

	"github.com/chatops/gateway/core"
)

// entryBody creates a time entry; without end it starts a timer.
type entryBody struct {
	UserID    core.ID    `json:"user_id"`
	TaskID    core.ID    `json:"task_id"`
	ProjectID core.ID    `json:"project_id"`
	Start     time.Time  `json:"start"`
	End       *time.Time `json:"end"`
	Note      string     `json:"note"`
	Billable  bool       `json:"billable"`
	Tags      []string   `json:"tags"`
}

// entryPatchBody changes a time entry: absent fields stay; task_id or
// project_id null removes the task or project; end stops a running timer.
type entryPatchBody struct {
	TaskID    optional[core.ID]    `json:"task_id"`
	ProjectID optional[core.ID]    `json:"project_id"`
	Start     *time.Time           `json:"start"`
	End       optional[*time.Time] `json:"end"`
	Note      *string              `json:"note"`
	Billable  *bool                `json:"billable"`
	Tags      *[]string            `json:"tags"`
}

// listEntries lists time entries, filtered by ?user_id=, ?project_id=,
// ?task_id= and the span ?from= … ?to= (entries that overlap it). Members
// see only their own. With ?format=csv (or Accept: text/csv), all of them
// as CSV, not paged.
func (s *Server) listEntries(w http.ResponseWriter, r *http.Request) error {
	var f core.EntryFilter
	var err error
	if f.UserID, err = queryID(r, "user_id"); err != nil {
		return err
	}
	if f.ProjectID, err = queryID(r, "project_id"); err != nil {
		return err
	}
	if f.TaskID, err = queryID(r, "task_id"); err != nil {
		return err
	}
	if f.From, err = queryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(r, "to"); err != nil {
		return err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return badRequest("to must be after from")
	}
	format, err := responseFormat(r)
	if err != nil {
		return err
	}
	if format == "csv" {
		return s.listEntriesCSV(w, r, f)
	}
	return listOf(w, r, func(ctx context.Context, a core.Actor, p core.Page) ([]core.TimeEntry, core.ID, error) {
		return s.svc.ListEntries(ctx, a, f, p)
	})
}

func (s *Server) getEntry(w http.ResponseWriter, r *http.Request) error {
	return getOne(w, r, "time entry", s.svc.GetEntry)
}

func (s *Server) createEntry(w http.ResponseWriter, r *http.Request) error {
	return createOne(w, r, func(ctx context.Context, a core.Actor, b entryBody) (core.TimeEntry, error) {
		return s.svc.CreateEntry(ctx, a, core.NewEntry{UserID: b.UserID, TaskID: b.TaskID, ProjectID: b.ProjectID,
			Start: b.Start, End: b.End, Note: b.Note, Billable: b.Billable, Tags: b.Tags})
	})
}

func (s *Server) updateEntry(w http.ResponseWriter, r *http.Request) error {
	return updateOne(w, r, "time entry", func(ctx context.Context, a core.Actor, id core.ID, b entryPatchBody) (core.TimeEntry, error) {
		if b.End.Set && b.End.V == nil {
			return core.TimeEntry{}, core.Errorf(core.EINVALID, "end cannot be removed; start a new timer instead")
		}
		return s.svc.UpdateEntry(ctx, a, id, core.EntryPatch{TaskID: b.TaskID.ptr(), ProjectID: b.ProjectID.ptr(),
			Start: b.Start, End: b.End.V, Note: b.Note, Billable: b.Billable, Tags: b.Tags})
	})
}

func (s *Server) deleteEntry(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "time entry", s.svc.DeleteEntry)
}
