package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file holds the Service's methods for the management API: reads and
// writes of single things by id. Each write runs in one store transaction
// and emits exactly one event; each takes the acting user, whose role
// decides what they may do:
//
//   - anyone may read clients, projects, tasks, tags and users, and create
//     and change clients, projects, tasks and tags;
//   - a member reads, creates, changes and deletes only their own time
//     entries (the others' are not_found for them);
//   - only an admin creates users, changes a role or another user, deletes a
//     user, links identities, and deletes clients, projects, tasks and tags
//     (forbidden otherwise).

// MaxEntryDuration is the longest a time entry may be.
const MaxEntryDuration = 24 * time.Hour

// futureSlack is how far in the future an entry's start or end may lie, for
// clocks that are a little ahead.
const futureSlack = time.Minute

// ClientPatch changes a client; nil fields are left as they are.
type ClientPatch struct {
	Name *string
}

// NewProject describes a project to create. ClientID is optional.
type NewProject struct {
	Name     string
	ClientID ID
}

// ProjectPatch changes a project; nil fields are left as they are. A
// ClientID pointing at 0 removes the client. Status is "open" or "closed".
type ProjectPatch struct {
	Name     *string
	ClientID *ID
	Status   *string
}

// NewTask describes a task to create in a project.
type NewTask struct {
	Name      string
	ProjectID ID
}

// TaskPatch changes a task; nil fields are left as they are. Status is
// "open" or "closed". A task stays in the project it was created in.
type TaskPatch struct {
	Name   *string
	Status *string
}

// TagPatch changes a tag; nil fields are left as they are.
type TagPatch struct {
	Name *string
}

// UserPatch changes a user; nil fields are left as they are. A member may
// change only their own TimeZone.
type UserPatch struct {
	Name     *string
	Role     *Role
	TimeZone *string
}

// NewEntry describes a time entry to create. UserID is the acting user's
// own when zero, and only an admin may name another user. End nil makes the
// entry a running timer. With TaskID set and ProjectID zero, the entry is in
// the task's project. Tags must name existing tags.
type NewEntry struct {
	UserID    ID
	TaskID    ID
	ProjectID ID
	Start     time.Time
	End       *time.Time
	Note      string
	Billable  bool
	Tags      []string
}

// EntryPatch changes a time entry; nil fields are left as they are. A
// TaskID or ProjectID pointing at 0 removes the task or project; a new task
// brings its project along unless ProjectID is given too. Setting End on a
// running timer stops it. An entry's end cannot be removed again.
type EntryPatch struct {
	TaskID    *ID
	ProjectID *ID
	Start     *time.Time
	End       *time.Time
	Note      *string
	Billable  *bool
	Tags      *[]string
}

// read runs fn in a read-only transaction for an authenticated actor.
func (s *Service) read(ctx context.Context, actor Actor, fn func(tx Tx, ws ID) error) error {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return err
	}
	if actor.User.ID == 0 {
		return Errorf(EUNAUTHORIZED, "no user")
	}
	return s.store.View(ctx, func(tx Tx) error { return fn(tx, ws.ID) })
}

// write runs fn in one read-write transaction for an authenticated actor and
// checks that it emitted exactly one event.
func (s *Service) write(ctx context.Context, actor Actor, op string, fn func(c *change) error) error {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return err
	}
	if actor.User.ID == 0 {
		return Errorf(EUNAUTHORIZED, "no user")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		c := &change{s: s, tx: tx, ws: ws.ID, actor: actor, now: s.Now(), res: &Result{Command: op}}
		if err := fn(c); err != nil {
			return err
		}
		if n := len(c.res.Events); n != 1 {
			return fmt.Errorf("%s: emitted %d events, want 1", op, n)
		}
		return nil
	})
}

func requireAdmin(actor Actor, what string) error {
	if actor.User.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only admins can %s", what)
	}
	return nil
}

// notFound turns a store's not_found error into "KIND ID not found" and
// passes any other error through.
func notFound(err error, kind string, id ID) error {
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(ENOTFOUND, "%s %d not found", kind, id)
	}
	return err
}

// missingRef turns a not_found error for a thing named in a request body
// into an invalid one: the request is at fault, not its URL.
func missingRef(err error, kind string, id ID) error {
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(EINVALID, "%s %d does not exist", kind, id)
	}
	return err
}

// Paged reads one page with a look-ahead of one item and returns the page and
// the cursor of the next one (zero on the last page).
func Paged[T any](p Page, id func(T) ID, list func(Page) ([]T, error)) ([]T, ID, error) {
	p = p.Normalize()
	items, err := list(Page{After: p.After, Limit: p.Limit + 1})
	if err != nil {
		return nil, 0, err
	}
	// A store that caps the limit at MaxPageLimit cannot show the
	// look-ahead item; a full page then gets a cursor anyway.
	if len(items) > p.Limit || (len(items) == p.Limit && p.Limit == MaxPageLimit) {
		items = items[:p.Limit]
		return items, id(items[len(items)-1]), nil
	}
	if items == nil {
		items = []T{}
	}
	return items, 0, nil
}

func checkStatus(status string) error {
	if status != StatusOpen && status != StatusClosed {
		return Errorf(EINVALID, "status must be %q or %q, not %q", StatusOpen, StatusClosed, status)
	}
	return nil
}

// ---- clients

// ListClients returns a page of clients and the cursor of the next page
// (zero on the last).
func (s *Service) ListClients(ctx context.Context, actor Actor, p Page) ([]Client, ID, error) {
	var out []Client
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		out, next, err = Paged(p, func(c Client) ID { return c.ID }, func(p Page) ([]Client, error) { return tx.ListClients(ws, p) })
		return err
	})
	return out, next, err
}

// GetClient returns a client; not_found if there is none with the id.
func (s *Service) GetClient(ctx context.Context, actor Actor, id ID) (Client, error) {
	var cl Client
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		cl, err = tx.Client(ws, id)
		return notFound(err, "client", id)
	})
	return cl, err
}

// CreateClient adds a client and emits client.created; conflict if the name
// is taken.
func (s *Service) CreateClient(ctx context.Context, actor Actor, name string) (Client, error) {
	var cl Client
	err := s.write(ctx, actor, "create client", func(c *change) error {
		name, err := cleanName("client", name)
		if err != nil {
			return err
		}
		if old, err := c.tx.ClientByName(c.ws, name); err == nil {
			return Errorf(ECONFLICT, "client %q already exists", old.Name)
		}
		cl = Client{WorkspaceID: c.ws, Name: name, CreatedAt: c.now, UpdatedAt: c.now}
		if err := c.tx.CreateClient(&cl); err != nil {
			return err
		}
		return c.emit(EventClientCreated, 0, 0, map[string]any{"client": cl})
	})
	return cl, err
}

// UpdateClient changes a client and emits client.updated.
func (s *Service) UpdateClient(ctx context.Context, actor Actor, id ID, patch ClientPatch) (Client, error) {
	var cl Client
	err := s.write(ctx, actor, "update client", func(c *change) error {
		var err error
		if cl, err = c.tx.Client(c.ws, id); err != nil {
			return notFound(err, "client", id)
		}
		if patch.Name != nil {
			name, err := cleanName("client", *patch.Name)
			if err != nil {
				return err
			}
			if old, err := c.tx.ClientByName(c.ws, name); err == nil && old.ID != cl.ID {
				return Errorf(ECONFLICT, "client %q already exists", old.Name)
			}
			cl.Name = name
		}
		cl.UpdatedAt = c.now
		if err := c.tx.UpdateClient(&cl); err != nil {
			return err
		}
		return c.emit(EventClientUpdated, 0, 0, map[string]any{"client": cl})
	})
	return cl, err
}

// DeleteClient deletes a client and emits client.deleted. Admins only;
// conflict while a project is for the client.
func (s *Service) DeleteClient(ctx context.Context, actor Actor, id ID) error {
	return s.write(ctx, actor, "delete client", func(c *change) error {
		if err := requireAdmin(actor, "delete clients"); err != nil {
			return err
		}
		cl, err := c.tx.Client(c.ws, id)
		if err != nil {
			return notFound(err, "client", id)
		}
		for p := (Page{Limit: MaxPageLimit}); ; {
			projects, err := c.tx.ListProjects(c.ws, p)
			if err != nil {
				return err
			}
			for _, pr := range projects {
				if pr.ClientID == cl.ID {
					return Errorf(ECONFLICT, "client %q still has project %q", cl.Name, pr.Name)
				}
			}
			if len(projects) < p.Limit {
				break
			}
			p.After = projects[len(projects)-1].ID
		}
		if err := c.tx.DeleteClient(c.ws, cl.ID); err != nil {
			return err
		}
		return c.emit(EventClientDeleted, 0, 0, map[string]any{"client": cl})
	})
}

// ---- projects

// ListProjects returns a page of projects and the cursor of the next page.
func (s *Service) ListProjects(ctx context.Context, actor Actor, p Page) ([]Project, ID, error) {
	var out []Project
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		out, next, err = Paged(p, func(p Project) ID { return p.ID }, func(p Page) ([]Project, error) { return tx.ListProjects(ws, p) })
		return err
	})
	return out, next, err
}

// GetProject returns a project; not_found if there is none with the id.
func (s *Service) GetProject(ctx context.Context, actor Actor, id ID) (Project, error) {
	var p Project
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		p, err = tx.Project(ws, id)
		return notFound(err, "project", id)
	})
	return p, err
}

// projectClient returns a project's client, nil when it has none.
func (c *change) projectClient(p Project) (*Client, error) {
	if p.ClientID == 0 {
		return nil, nil
	}
	cl, err := c.tx.Client(c.ws, p.ClientID)
	if err != nil {
		return nil, missingRef(err, "client", p.ClientID)
	}
	return &cl, nil
}

// CreateProject adds an open project and emits project.created; conflict if
// the name is taken, invalid if the client does not exist.
func (s *Service) CreateProject(ctx context.Context, actor Actor, in NewProject) (Project, error) {
	var p Project
	err := s.write(ctx, actor, "create project", func(c *change) error {
		name, err := cleanName("project", in.Name)
		if err != nil {
			return err
		}
		if old, err := c.tx.ProjectByName(c.ws, name); err == nil {
			return Errorf(ECONFLICT, "project %q already exists", old.Name)
		}
		p = Project{WorkspaceID: c.ws, ClientID: in.ClientID, Name: name, Status: StatusOpen,
			CreatedBy: c.actor.User.ID, CreatedAt: c.now, UpdatedAt: c.now}
		client, err := c.projectClient(p)
		if err != nil {
			return err
		}
		if err := c.tx.CreateProject(&p); err != nil {
			return err
		}
		return c.emit(EventProjectCreated, 0, p.ID, map[string]any{"project": p, "client": client})
	})
	return p, err
}

// UpdateProject changes a project. It emits project.closed when it closes
// the project and project.updated otherwise.
func (s *Service) UpdateProject(ctx context.Context, actor Actor, id ID, patch ProjectPatch) (Project, error) {
	var p Project
	err := s.write(ctx, actor, "update project", func(c *change) error {
		var err error
		if p, err = c.tx.Project(c.ws, id); err != nil {
			return notFound(err, "project", id)
		}
		if patch.Name != nil {
			name, err := cleanName("project", *patch.Name)
			if err != nil {
				return err
			}
			if old, err := c.tx.ProjectByName(c.ws, name); err == nil && old.ID != p.ID {
				return Errorf(ECONFLICT, "project %q already exists", old.Name)
			}
			p.Name = name
		}
		if patch.ClientID != nil {
			p.ClientID = *patch.ClientID
		}
		typ := EventProjectUpdated
		if patch.Status != nil {
			if err := checkStatus(*patch.Status); err != nil {
				return err
			}
			if *patch.Status == StatusClosed && p.Status != StatusClosed {
				typ = EventProjectClosed
			}
			p.Status = *patch.Status
		}
		client, err := c.projectClient(p)
		if err != nil {
			return err
		}
		p.UpdatedAt = c.now
		if err := c.tx.UpdateProject(&p); err != nil {
			return err
		}
		return c.emit(typ, 0, p.ID, map[string]any{"project": p, "client": client})
	})
	return p, err
}

// DeleteProject deletes a project and emits project.deleted. Admins only;
// conflict while it has tasks or time entries (close it instead).
func (s *Service) DeleteProject(ctx context.Context, actor Actor, id ID) error {
	return s.write(ctx, actor, "delete project", func(c *change) error {
		if err := requireAdmin(actor, "delete projects"); err != nil {
			return err
		}
		p, err := c.tx.Project(c.ws, id)
		if err != nil {
			return notFound(err, "project", id)
		}
		tasks, err := c.tx.ListTasks(c.ws, TaskFilter{ProjectID: p.ID}, Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(tasks) > 0 {
			return Errorf(ECONFLICT, "project %q still has tasks; close it instead", p.Name)
		}
		n, err := c.tx.CountEntries(c.ws, p.ID, 0)
		if err != nil {
			return err
		}
		if n > 0 {
			return Errorf(ECONFLICT, "project %q has time entries; close it instead", p.Name)
		}
		client, err := c.projectClient(p)
		if err != nil && ErrorCode(err) != EINVALID {
			return err
		}
		if err := c.tx.DeleteProject(c.ws, p.ID); err != nil {
			return err
		}
		return c.emit(EventProjectDeleted, 0, p.ID, map[string]any{"project": p, "client": client})
	})
}

// ---- tasks

// ListTasks returns a page of tasks (of one project when f.ProjectID is set)
// and the cursor of the next page.
func (s *Service) ListTasks(ctx context.Context, actor Actor, f TaskFilter, p Page) ([]Task, ID, error) {
	var out []Task
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		out, next, err = Paged(p, func(t Task) ID { return t.ID }, func(p Page) ([]Task, error) { return tx.ListTasks(ws, f, p) })
		return err
	})
	return out, next, err
}

// GetTask returns a task; not_found if there is none with the id.
func (s *Service) GetTask(ctx context.Context, actor Actor, id ID) (Task, error) {
	var t Task
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		t, err = tx.Task(ws, id)
		return notFound(err, "task", id)
	})
	return t, err
}

// CreateTask adds an open task to an open project and emits task.created;
// conflict if the project has a task of that name.
func (s *Service) CreateTask(ctx context.Context, actor Actor, in NewTask) (Task, error) {
	var t Task
	err := s.write(ctx, actor, "create task", func(c *change) error {
		name, err := cleanName("task", in.Name)
		if err != nil {
			return err
		}
		if in.ProjectID == 0 {
			return Errorf(EINVALID, "project_id is required")
		}
		p, err := c.tx.Project(c.ws, in.ProjectID)
		if err != nil {
			return missingRef(err, "project", in.ProjectID)
		}
		if p.Status == StatusClosed {
			return Errorf(EINVALID, "project %q is closed", p.Name)
		}
		if old, err := c.tx.TaskByName(c.ws, p.ID, name); err == nil {
			return Errorf(ECONFLICT, "task %q already exists in %s", old.Name, p.Name)
		}
		t = Task{WorkspaceID: c.ws, ProjectID: p.ID, Name: name, Status: StatusOpen,
			CreatedBy: c.actor.User.ID, CreatedAt: c.now, UpdatedAt: c.now}
		if err := c.tx.CreateTask(&t); err != nil {
			return err
		}
		return c.emit(EventTaskCreated, 0, p.ID, map[string]any{"task": t, "project": p})
	})
	return t, err
}

// taskProject returns a task's project, nil when it has none.
func (c *change) taskProject(t Task) (*Project, error) {
	if t.ProjectID == 0 {
		return nil, nil
	}
	p, err := c.tx.Project(c.ws, t.ProjectID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdateTask changes a task. It emits task.closed when it closes the task
// and task.updated otherwise.
func (s *Service) UpdateTask(ctx context.Context, actor Actor, id ID, patch TaskPatch) (Task, error) {
	var t Task
	err := s.write(ctx, actor, "update task", func(c *change) error {
		var err error
		if t, err = c.tx.Task(c.ws, id); err != nil {
			return notFound(err, "task", id)
		}
		if patch.Name != nil {
			name, err := cleanName("task", *patch.Name)
			if err != nil {
				return err
			}
			if old, err := c.tx.TaskByName(c.ws, t.ProjectID, name); err == nil && old.ID != t.ID && old.ProjectID == t.ProjectID {
				return Errorf(ECONFLICT, "task %q already exists in that project", old.Name)
			}
			t.Name = name
		}
		typ := EventTaskUpdated
		if patch.Status != nil {
			if err := checkStatus(*patch.Status); err != nil {
				return err
			}
			if *patch.Status == StatusClosed && t.Status != StatusClosed {
				typ = EventTaskClosed
			}
			t.Status = *patch.Status
		}
		p, err := c.taskProject(t)
		if err != nil {
			return err
		}
		t.UpdatedAt = c.now
		if err := c.tx.UpdateTask(&t); err != nil {
			return err
		}
		return c.emit(typ, 0, t.ProjectID, map[string]any{"task": t, "project": p})
	})
	return t, err
}

// DeleteTask deletes a task and emits task.deleted. Admins only; conflict
// while it has time entries (close it instead).
func (s *Service) DeleteTask(ctx context.Context, actor Actor, id ID) error {
	return s.write(ctx, actor, "delete task", func(c *change) error {
		if err := requireAdmin(actor, "delete tasks"); err != nil {
			return err
		}
		t, err := c.tx.Task(c.ws, id)
		if err != nil {
			return notFound(err, "task", id)
		}
		n, err := c.tx.CountEntries(c.ws, 0, t.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return Errorf(ECONFLICT, "task %q has time entries; close it instead", t.Name)
		}
		p, err := c.taskProject(t)
		if err != nil {
			return err
		}
		if err := c.tx.DeleteTask(c.ws, t.ID); err != nil {
			return err
		}
		return c.emit(EventTaskDeleted, 0, t.ProjectID, map[string]any{"task": t, "project": p})
	})
}

// ---- tags

// ListTags returns a page of tags and the cursor of the next page.
func (s *Service) ListTags(ctx context.Context, actor Actor, p Page) ([]Tag, ID, error) {
	var out []Tag
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		out, next, err = Paged(p, func(t Tag) ID { return t.ID }, func(p Page) ([]Tag, error) { return tx.ListTags(ws, p) })
		return err
	})
	return out, next, err
}

// GetTag returns a tag; not_found if there is none with the id.
func (s *Service) GetTag(ctx context.Context, actor Actor, id ID) (Tag, error) {
	var t Tag
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		t, err = tx.Tag(ws, id)
		return notFound(err, "tag", id)
	})
	return t, err
}

// CreateTag adds a tag and emits tag.created; conflict if the name is taken.
// A leading '#' is dropped.
func (s *Service) CreateTag(ctx context.Context, actor Actor, name string) (Tag, error) {
	var tg Tag
	err := s.write(ctx, actor, "create tag", func(c *change) error {
		name, err := cleanName("tag", strings.TrimPrefix(strings.TrimSpace(name), "#"))
		if err != nil {
			return err
		}
		if old, err := c.tx.TagByName(c.ws, name); err == nil {
			return Errorf(ECONFLICT, "tag %q already exists", old.Name)
		}
		tg = Tag{WorkspaceID: c.ws, Name: name, CreatedAt: c.now, UpdatedAt: c.now}
		if err := c.tx.CreateTag(&tg); err != nil {
			return err
		}
		return c.emit(EventTagCreated, 0, 0, map[string]any{"tag": tg})
	})
	return tg, err
}

// UpdateTag changes a tag and emits tag.updated. Entries keep the names
// they were tagged with.
func (s *Service) UpdateTag(ctx context.Context, actor Actor, id ID, patch TagPatch) (Tag, error) {
	var tg Tag
	err := s.write(ctx, actor, "update tag", func(c *change) error {
		var err error
		if tg, err = c.tx.Tag(c.ws, id); err != nil {
			return notFound(err, "tag", id)
		}
		if patch.Name != nil {
			name, err := cleanName("tag", strings.TrimPrefix(strings.TrimSpace(*patch.Name), "#"))
			if err != nil {
				return err
			}
			if old, err := c.tx.TagByName(c.ws, name); err == nil && old.ID != tg.ID {
				return Errorf(ECONFLICT, "tag %q already exists", old.Name)
			}
			tg.Name = name
		}
		tg.UpdatedAt = c.now
		if err := c.tx.UpdateTag(&tg); err != nil {
			return err
		}
		return c.emit(EventTagUpdated, 0, 0, map[string]any{"tag": tg})
	})
	return tg, err
}

// DeleteTag deletes a tag and emits tag.deleted. Admins only. Entries keep
// the names they were tagged with.
func (s *Service) DeleteTag(ctx context.Context, actor Actor, id ID) error {
	return s.write(ctx, actor, "delete tag", func(c *change) error {
		if err := requireAdmin(actor, "delete tags"); err != nil {
			return err
		}
		tg, err := c.tx.Tag(c.ws, id)
		if err != nil {
			return notFound(err, "tag", id)
		}
		if err := c.tx.DeleteTag(c.ws, tg.ID); err != nil {
			return err
		}
		return c.emit(EventTagDeleted, 0, 0, map[string]any{"tag": tg})
	})
}

// ---- users

// normalUser makes a user's lists non-nil, so they encode as [].
func normalUser(u User) User {
	if u.Identities == nil {
		u.Identities = []Identity{}
	}
	return u
}

// ListUsers returns a page of users and the cursor of the next page.
func (s *Service) ListUsers(ctx context.Context, actor Actor, p Page) ([]User, ID, error) {
	var out []User
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		out, next, err = Paged(p, func(u User) ID { return u.ID }, func(p Page) ([]User, error) { return tx.ListUsers(ws, p) })
		return err
	})
	for i := range out {
		out[i] = normalUser(out[i])
	}
	return out, next, err
}

// GetUser returns a user with their identities; not_found if there is none
// with the id.
func (s *Service) GetUser(ctx context.Context, actor Actor, id ID) (User, error) {
	var u User
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		u, err = tx.User(ws, id)
		return notFound(err, "user", id)
	})
	return normalUser(u), err
}

// CreateUser adds a user (role member when empty) and emits
// workspace_user.created. Admins only; conflict if the name is taken.
func (s *Service) CreateUser(ctx context.Context, actor Actor, name string, role Role) (User, error) {
	var u User
	err := s.write(ctx, actor, "create user", func(c *change) error {
		if err := requireAdmin(actor, "create users"); err != nil {
			return err
		}
		if role == "" {
			role = RoleMember
		}
		if !role.Valid() {
			return Errorf(EINVALID, "role must be admin or member, not %q", role)
		}
		name, err := cleanName("user", name)
		if err != nil {
			return err
		}
		if old, err := c.tx.UserByName(c.ws, name); err == nil {
			return Errorf(ECONFLICT, "user %q already exists", old.Name)
		}
		u = User{WorkspaceID: c.ws, Name: name, Role: role, TimeZone: "UTC", Identities: []Identity{}, CreatedAt: c.now, UpdatedAt: c.now}
		if err := c.tx.CreateUser(&u); err != nil {
			return err
		}
		return c.emit(EventWorkspaceUserCreated, u.ID, 0, map[string]any{"user": u})
	})
	return u, err
}

// checkTimeZone reports whether tz is an IANA time zone name.
func checkTimeZone(tz string) error {
	if tz == "" || tz == "Local" {
		return Errorf(EINVALID, "time zone %q is not an IANA name such as Europe/Berlin", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return Errorf(EINVALID, "unknown time zone %q", tz)
	}
	return nil
}

// UpdateUser changes a user and emits workspace_user.updated. A member may
// change only their own time zone (forbidden otherwise); an admin may change
// anyone's name, role and time zone, except their own role.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, id ID, patch UserPatch) (User, error) {
	var u User
	defer s.idents.forget()
	err := s.write(ctx, actor, "update user", func(c *change) error {
		admin := actor.User.Role == RoleAdmin
		if !admin && (id != actor.User.ID || patch.Name != nil || patch.Role != nil) {
			return Errorf(EFORBIDDEN, "members can change only their own time zone")
		}
		var err error
		if u, err = c.tx.User(c.ws, id); err != nil {
			return notFound(err, "user", id)
		}
		if patch.Name != nil {
			name, err := cleanName("user", *patch.Name)
			if err != nil {
				return err
			}
			if old, err := c.tx.UserByName(c.ws, name); err == nil && old.ID != u.ID {
				return Errorf(ECONFLICT, "user %q already exists", old.Name)
			}
			u.Name = name
		}
		if patch.Role != nil && *patch.Role != u.Role {
			if !patch.Role.Valid() {
				return Errorf(EINVALID, "role must be admin or member, not %q", *patch.Role)
			}
			if u.ID == actor.User.ID {
				return Errorf(EINVALID, "you cannot change your own role")
			}
			u.Role = *patch.Role
		}
		if patch.TimeZone != nil {
			tz := strings.TrimSpace(*patch.TimeZone)
			if err := checkTimeZone(tz); err != nil {
				return err
			}
			u.TimeZone = tz
		}
		u.UpdatedAt = c.now
		if err := c.tx.UpdateUser(&u); err != nil {
			return err
		}
		u = normalUser(u)
		return c.emit(EventWorkspaceUserUpdated, u.ID, 0, map[string]any{"user": u})
	})
	return u, err
}

// DeleteUser deletes a user with their tokens and identities and emits
// workspace_user.deleted. Admins only; nobody deletes themselves (invalid),
// and a user with time entries stays (conflict).
func (s *Service) DeleteUser(ctx context.Context, actor Actor, id ID) error {
	defer s.idents.forget()
	return s.write(ctx, actor, "delete user", func(c *change) error {
		if err := requireAdmin(actor, "delete users"); err != nil {
			return err
		}
		u, err := c.tx.User(c.ws, id)
		if err != nil {
			return notFound(err, "user", id)
		}
		if u.ID == actor.User.ID {
			return Errorf(EINVALID, "you cannot delete yourself")
		}
		entries, err := c.tx.ListEntries(c.ws, EntryFilter{UserID: u.ID}, Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(entries) > 0 {
			return Errorf(ECONFLICT, "user %q has time entries", u.Name)
		}
		if err := c.tx.DeleteUser(c.ws, u.ID); err != nil {
			return err
		}
		return c.emit(EventWorkspaceUserDeleted, u.ID, 0, map[string]any{"user": normalUser(u)})
	})
}

// LinkIdentity links an identity (a Slack or Mattermost "TEAM:USER", a
// GitHub login, an email address) to a user and emits
// workspace_user.updated with the user as they are now. Admins only;
// invalid for an unknown provider or an empty subject, conflict when another
// user has the identity. Linking one the user already has changes nothing
// but still answers the user.
func (s *Service) LinkIdentity(ctx context.Context, actor Actor, userID ID, ident Identity) (User, error) {
	var u User
	defer s.idents.forget()
	err := s.write(ctx, actor, "link identity", func(c *change) error {
		if err := requireAdmin(actor, "link identities"); err != nil {
			return err
		}
		ident.Provider = strings.TrimSpace(ident.Provider)
		ident.Subject = strings.TrimSpace(ident.Subject)
		if !ValidProvider(ident.Provider) {
			return Errorf(EINVALID, "provider must be slack, mattermost, github or email, not %q", ident.Provider)
		}
		if ident.Subject == "" {
			return Errorf(EINVALID, "subject missing")
		}
		if len(ident.Subject) > 320 {
			return Errorf(EINVALID, "subject is longer than 320 characters")
		}
		var err error
		if u, err = c.tx.User(c.ws, userID); err != nil {
			return notFound(err, "user", userID)
		}
		owner, err := c.tx.UserByIdentity(c.ws, ident.Provider, ident.Subject)
		switch {
		case err == nil && owner.ID != u.ID:
			return Errorf(ECONFLICT, "%s %q is linked to user %q", ident.Provider, ident.Subject, owner.Name)
		case err == nil:
			// Already linked to this user.
		case ErrorCode(err) != ENOTFOUND:
			return err
		default:
			if err := c.tx.AddIdentity(c.ws, u.ID, ident); err != nil {
				return err
			}
		}
		if u, err = c.tx.User(c.ws, userID); err != nil {
			return err
		}
		if !slices.Contains(u.Identities, ident) {
			u.Identities = append(u.Identities, ident)
		}
		u = normalUser(u)
		return c.emit(EventWorkspaceUserUpdated, u.ID, 0, map[string]any{"user": u})
	})
	return u, err
}

// ---- time entries

// normalEntry makes an entry's lists non-nil, so they encode as [].
func normalEntry(e TimeEntry) TimeEntry {
	if e.Tags == nil {
		e.Tags = []string{}
	}
	return e
}

// visible reports whether actor may see e: admins see every entry, members
// their own.
func visible(actor Actor, e TimeEntry) bool {
	return actor.User.Role == RoleAdmin || e.UserID == actor.User.ID
}

// ListEntries returns a page of time entries that match f, and the cursor of
// the next page. A member sees only their own entries: f.UserID is theirs
// when zero, and another user's id finds nothing.
func (s *Service) ListEntries(ctx context.Context, actor Actor, f EntryFilter, p Page) ([]TimeEntry, ID, error) {
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return nil, 0, Errorf(EINVALID, "to must be after from")
	}
	out := []TimeEntry{}
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		if actor.User.Role != RoleAdmin {
			if f.UserID != 0 && f.UserID != actor.User.ID {
				return nil
			}
			f.UserID = actor.User.ID
		}
		out, next, err = Paged(p, func(e TimeEntry) ID { return e.ID }, func(p Page) ([]TimeEntry, error) { return tx.ListEntries(ws, f, p) })
		return err
	})
	for i := range out {
		out[i] = normalEntry(out[i])
	}
	return out, next, err
}

// GetEntry returns a time entry; not_found if there is none with the id or
// it is another user's and the actor is a member.
func (s *Service) GetEntry(ctx context.Context, actor Actor, id ID) (TimeEntry, error) {
	var e TimeEntry
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		var err error
		e, err = visibleEntry(tx, ws, actor, id)
		return err
	})
	return normalEntry(e), err
}

func visibleEntry(tx Tx, ws ID, actor Actor, id ID) (TimeEntry, error) {
	e, err := tx.Entry(ws, id)
	if err == nil && !visible(actor, e) {
		err = Errorf(ENOTFOUND, "not yours")
	}
	return e, notFound(err, "time entry", id)
}

// checkSpan applies the rules of an entry's times: a start, an end after it
// at most MaxEntryDuration later, neither in the future.
func (c *change) checkSpan(start time.Time, end *time.Time) error {
	if start.IsZero() {
		return Errorf(EINVALID, "start is required")
	}
	if start.After(c.now.Add(futureSlack)) {
		return Errorf(EINVALID, "start is in the future")
	}
	if end == nil {
		return nil
	}
	if !end.After(start) {
		return Errorf(EINVALID, "end must be after start")
	}
	if end.Sub(start) > MaxEntryDuration {
		return Errorf(EINVALID, "an entry may last at most 24 hours; log it day by day")
	}
	if end.After(c.now.Add(futureSlack)) {
		return Errorf(EINVALID, "end is in the future")
	}
	return nil
}

// entryTarget resolves an entry's task and project ids: the task must exist
// and, when projectID is zero, gives its project; a project given must exist
// and match the task's. With open set, neither may be closed.
func (c *change) entryTarget(taskID, projectID ID, open bool) (ID, ID, error) {
	if taskID != 0 {
		t, err := c.tx.Task(c.ws, taskID)
		if err != nil {
			return 0, 0, missingRef(err, "task", taskID)
		}
		if open && t.Status == StatusClosed {
			return 0, 0, Errorf(EINVALID, "task %q is closed", t.Name)
		}
		switch {
		case projectID == 0:
			projectID = t.ProjectID
		case projectID != t.ProjectID:
			return 0, 0, Errorf(EINVALID, "task %d is not in project %d", taskID, projectID)
		}
	}
	if projectID != 0 {
		p, err := c.tx.Project(c.ws, projectID)
		if err != nil {
			return 0, 0, missingRef(err, "project", projectID)
		}
		if open && p.Status == StatusClosed {
			return 0, 0, Errorf(EINVALID, "project %q is closed", p.Name)
		}
	}
	return taskID, projectID, nil
}

// entryTags checks that every tag exists and returns their stored names,
// without duplicates.
func (c *change) entryTags(names []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimPrefix(strings.TrimSpace(n), "#")
		if seen[NameKey(n)] {
			continue
		}
		seen[NameKey(n)] = true
		tg, err := c.tx.TagByName(c.ws, n)
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(EINVALID, "tag %q does not exist; create it first", n)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tg.Name)
	}
	return out, nil
}

// CreateEntry adds a time entry. A finished entry emits time_entry.created,
// a running timer (End nil) tracker.started; conflict when the user already
// has a running timer. Only admins give another user's UserID (forbidden
// otherwise); invalid when a rule of the times is broken, a referenced
// task, project or tag does not exist, or the task is not in the project.
func (s *Service) CreateEntry(ctx context.Context, actor Actor, in NewEntry) (TimeEntry, error) {
	var e TimeEntry
	err := s.write(ctx, actor, "create time entry", func(c *change) error {
		uid := in.UserID
		if uid == 0 {
			uid = actor.User.ID
		}
		if uid != actor.User.ID {
			if err := requireAdmin(actor, "add entries for other users"); err != nil {
				return err
			}
			if _, err := c.tx.User(c.ws, uid); err != nil {
				return missingRef(err, "user", uid)
			}
		}
		var end *time.Time
		if in.End != nil {
			t := in.End.UTC()
			end = &t
		}
		start := in.Start.UTC()
		if err := c.checkSpan(start, end); err != nil {
			return err
		}
		taskID, projectID, err := c.entryTarget(in.TaskID, in.ProjectID, true)
		if err != nil {
			return err
		}
		tags, err := c.entryTags(in.Tags)
		if err != nil {
			return err
		}
		if end == nil {
			_, err := c.tx.RunningEntry(c.ws, uid)
			if err == nil {
				return Errorf(ECONFLICT, "a timer is already running; stop it first")
			}
			if ErrorCode(err) != ENOTFOUND {
				return err
			}
		}
		e = TimeEntry{WorkspaceID: c.ws, UserID: uid, TaskID: taskID, ProjectID: projectID,
			Start: start, End: end, Note: strings.TrimSpace(in.Note), Billable: in.Billable,
			Tags: tags, Source: actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
		if end != nil {
			e.DurationSeconds = int64(end.Sub(start) / time.Second)
		}
		if err := c.tx.CreateEntry(&e); err != nil {
			return err
		}
		if end == nil {
			return c.emitEntry(EventTrackerStarted, e)
		}
		return c.emitEntry(EventTimeEntryCreated, e)
	})
	return normalEntry(e), err
}

// UpdateEntry changes a time entry. Setting the end of a running timer
// stops it and emits tracker.stopped; any other change emits
// time_entry.updated. The same rules as CreateEntry apply to the result;
// not_found for another user's entry when the actor is a member.
func (s *Service) UpdateEntry(ctx context.Context, actor Actor, id ID, patch EntryPatch) (TimeEntry, error) {
	var e TimeEntry
	err := s.write(ctx, actor, "update time entry", func(c *change) error {
		var err error
		if e, err = visibleEntry(c.tx, c.ws, actor, id); err != nil {
			return err
		}
		wasRunning := e.Running()
		if patch.Start != nil {
			e.Start = patch.Start.UTC()
		}
		if patch.End != nil {
			t := patch.End.UTC()
			e.End = &t
		}
		if err := c.checkSpan(e.Start, e.End); err != nil {
			return err
		}
		if patch.TaskID != nil || patch.ProjectID != nil {
			taskID, projectID := e.TaskID, e.ProjectID
			if patch.TaskID != nil {
				taskID = *patch.TaskID
				if patch.ProjectID == nil && taskID != 0 {
					projectID = 0 // the task's project
				}
			}
			if patch.ProjectID != nil {
				projectID = *patch.ProjectID
			}
			open := taskID != e.TaskID || projectID != e.ProjectID
			if e.TaskID, e.ProjectID, err = c.entryTarget(taskID, projectID, open); err != nil {
				return err
			}
		}
		if patch.Note != nil {
			e.Note = strings.TrimSpace(*patch.Note)
		}
		if patch.Billable != nil {
			e.Billable = *patch.Billable
		}
		if patch.Tags != nil {
			if e.Tags, err = c.entryTags(*patch.Tags); err != nil {
				return err
			}
		}
		e.DurationSeconds = 0
		if e.End != nil {
			e.DurationSeconds = int64(e.End.Sub(e.Start) / time.Second)
		}
		e.UpdatedAt = c.now
		e = normalEntry(e)
		if err := c.tx.UpdateEntry(&e); err != nil {
			return err
		}
		if wasRunning && !e.Running() {
			return c.emitEntry(EventTrackerStopped, e)
		}
		return c.emitEntry(EventTimeEntryUpdated, e)
	})
	return normalEntry(e), err
}

// DeleteEntry deletes a time entry (a running timer too) and emits
// time_entry.deleted; not_found for another user's entry when the actor is a
// member.
func (s *Service) DeleteEntry(ctx context.Context, actor Actor, id ID) error {
	return s.write(ctx, actor, "delete time entry", func(c *change) error {
		e, err := visibleEntry(c.tx, c.ws, actor, id)
		if err != nil {
			return err
		}
		data, err := c.entryData(normalEntry(e))
		if err != nil {
			return err
		}
		if err := c.tx.DeleteEntry(c.ws, e.ID); err != nil {
			return err
		}
		return c.emit(EventTimeEntryDeleted, e.UserID, e.ProjectID, data)
	})
}
