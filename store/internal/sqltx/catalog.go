package sqltx

import (
	"fmt"

	"github.com/chatops/gateway/core"
)

// Clients.

const clientCols = "id, workspace_id, name, created_at, updated_at"

func scanClient(s Row, c *core.Client) error {
	return s.Scan((*idCol)(&c.ID), (*idCol)(&c.WorkspaceID), &c.Name, (*timeCol)(&c.CreatedAt), (*timeCol)(&c.UpdatedAt))
}

func clientConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "client %q already exists", name)
}

// CreateClient adds a client; conflict when the name is taken.
func (t *Tx) CreateClient(c *core.Client) error {
	id, err := t.c.Insert("INSERT INTO clients (workspace_id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		int64(c.WorkspaceID), c.Name, core.NameKey(c.Name), t.ts(c.CreatedAt), t.ts(c.UpdatedAt))
	switch {
	case t.d.IsUnique(err):
		return clientConflict(c.Name)
	case t.d.IsForeignKey(err):
		return NotFound("workspace", c.WorkspaceID)
	case err != nil:
		return t.Wrap("create client", err)
	}
	c.ID = core.ID(id)
	return nil
}

// UpdateClient writes the client's name.
func (t *Tx) UpdateClient(c *core.Client) error {
	n, err := t.c.Guard("UPDATE clients SET name = ?, name_key = ?, updated_at = ? WHERE workspace_id = ? AND id = ?",
		c.Name, core.NameKey(c.Name), t.ts(c.UpdatedAt), int64(c.WorkspaceID), int64(c.ID))
	switch {
	case t.d.IsUnique(err):
		return clientConflict(c.Name)
	case err != nil:
		return t.Wrap("update client", err)
	case n == 0:
		return NotFound("client", c.ID)
	}
	return nil
}

// DeleteClient deletes a client; conflict when it has projects.
func (t *Tx) DeleteClient(ws, id core.ID) error {
	n, err := t.c.Guard("DELETE FROM clients WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case t.d.IsForeignKey(err):
		return core.Errorf(core.ECONFLICT, "client %d has projects", id)
	case err != nil:
		return t.Wrap("delete client", err)
	case n == 0:
		return NotFound("client", id)
	}
	return nil
}

// Client returns a client.
func (t *Tx) Client(ws, id core.ID) (core.Client, error) {
	var c core.Client
	err := scanClient(t.c.QueryRow("SELECT "+clientCols+" FROM clients WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &c)
	if err != nil {
		return core.Client{}, t.Lookup(err, "get client", fmt.Sprintf("client %d not found", id))
	}
	return c, nil
}

// ClientByName finds a client by name, ignoring case.
func (t *Tx) ClientByName(ws core.ID, name string) (core.Client, error) {
	var c core.Client
	err := scanClient(t.c.QueryRow("SELECT "+clientCols+" FROM clients WHERE workspace_id = ? AND name_key = ?", int64(ws), core.NameKey(name)), &c)
	if err != nil {
		return core.Client{}, t.Lookup(err, "get client", fmt.Sprintf("client %q not found", name))
	}
	return c, nil
}

// ListClients returns a page of clients, by id.
func (t *Tx) ListClients(ws core.ID, p core.Page) ([]core.Client, error) {
	p = p.Normalize()
	cs, err := List(t, scanClient, "SELECT "+clientCols+" FROM clients WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, t.Wrap("list clients", err)
	}
	return cs, nil
}

// Projects.

const projectCols = "id, workspace_id, client_id, name, status, created_by, created_at, updated_at"

func scanProject(s Row, p *core.Project) error {
	return s.Scan((*idCol)(&p.ID), (*idCol)(&p.WorkspaceID), (*idCol)(&p.ClientID), &p.Name, &p.Status,
		(*idCol)(&p.CreatedBy), (*timeCol)(&p.CreatedAt), (*timeCol)(&p.UpdatedAt))
}

func projectConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "project %q already exists", name)
}

// projectRefs tells which reference of a project row is missing.
func (t *Tx) projectRefs(p *core.Project) error {
	if err := t.checkWorkspace(p.WorkspaceID); err != nil {
		return err
	}
	if p.ClientID != 0 {
		if err := t.inWorkspace("client", p.ClientID, p.WorkspaceID); err != nil {
			return err
		}
	}
	return NotFound("user", p.CreatedBy)
}

// CreateProject adds a project; conflict when the name is taken, not_found
// when its client is missing.
func (t *Tx) CreateProject(p *core.Project) error {
	id, err := t.c.Insert(`INSERT INTO projects (workspace_id, client_id, name, name_key, status, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		int64(p.WorkspaceID), IDOrNil(p.ClientID), p.Name, core.NameKey(p.Name), p.Status, IDOrNil(p.CreatedBy),
		t.ts(p.CreatedAt), t.ts(p.UpdatedAt))
	switch {
	case t.d.IsUnique(err):
		return projectConflict(p.Name)
	case t.d.IsForeignKey(err):
		return t.projectRefs(p)
	case err != nil:
		return t.Wrap("create project", err)
	}
	p.ID = core.ID(id)
	return nil
}

// UpdateProject writes the project's client, name and status.
func (t *Tx) UpdateProject(p *core.Project) error {
	n, err := t.c.Guard(`UPDATE projects SET client_id = ?, name = ?, name_key = ?, status = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		IDOrNil(p.ClientID), p.Name, core.NameKey(p.Name), p.Status, t.ts(p.UpdatedAt), int64(p.WorkspaceID), int64(p.ID))
	switch {
	case t.d.IsUnique(err):
		return projectConflict(p.Name)
	case t.d.IsForeignKey(err):
		return NotFound("client", p.ClientID)
	case err != nil:
		return t.Wrap("update project", err)
	case n == 0:
		return NotFound("project", p.ID)
	}
	return nil
}

// DeleteProject deletes a project; conflict when it has tasks or time
// entries.
func (t *Tx) DeleteProject(ws, id core.ID) error {
	n, err := t.c.Guard("DELETE FROM projects WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case t.d.IsForeignKey(err):
		return core.Errorf(core.ECONFLICT, "project %d has tasks or time entries", id)
	case err != nil:
		return t.Wrap("delete project", err)
	case n == 0:
		return NotFound("project", id)
	}
	return nil
}

// Project returns a project.
func (t *Tx) Project(ws, id core.ID) (core.Project, error) {
	var p core.Project
	err := scanProject(t.c.QueryRow("SELECT "+projectCols+" FROM projects WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &p)
	if err != nil {
		return core.Project{}, t.Lookup(err, "get project", fmt.Sprintf("project %d not found", id))
	}
	return p, nil
}

// ProjectByName finds a project by name, ignoring case.
func (t *Tx) ProjectByName(ws core.ID, name string) (core.Project, error) {
	var p core.Project
	err := scanProject(t.c.QueryRow("SELECT "+projectCols+" FROM projects WHERE workspace_id = ? AND name_key = ?", int64(ws), core.NameKey(name)), &p)
	if err != nil {
		return core.Project{}, t.Lookup(err, "get project", fmt.Sprintf("project %q not found", name))
	}
	return p, nil
}

// ListProjects returns a page of projects, by id.
func (t *Tx) ListProjects(ws core.ID, p core.Page) ([]core.Project, error) {
	p = p.Normalize()
	ps, err := List(t, scanProject, "SELECT "+projectCols+" FROM projects WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, t.Wrap("list projects", err)
	}
	return ps, nil
}

// Tasks.

const taskCols = "id, workspace_id, project_id, name, status, created_by, created_at, updated_at"

func scanTask(s Row, k *core.Task) error {
	return s.Scan((*idCol)(&k.ID), (*idCol)(&k.WorkspaceID), (*idCol)(&k.ProjectID), &k.Name, &k.Status,
		(*idCol)(&k.CreatedBy), (*timeCol)(&k.CreatedAt), (*timeCol)(&k.UpdatedAt))
}

func taskConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "task %q already exists in the project", name)
}

// taskRefs tells which reference of a task row is missing.
func (t *Tx) taskRefs(k *core.Task) error {
	if err := t.checkWorkspace(k.WorkspaceID); err != nil {
		return err
	}
	if err := t.inWorkspace("project", k.ProjectID, k.WorkspaceID); err != nil {
		return err
	}
	return NotFound("user", k.CreatedBy)
}

// CreateTask adds a task to a project; conflict when the project has a task
// of that name, not_found when the project is missing.
func (t *Tx) CreateTask(k *core.Task) error {
	if k.ProjectID == 0 {
		return core.Errorf(core.EINVALID, "a task needs a project")
	}
	id, err := t.c.Insert(`INSERT INTO tasks (workspace_id, project_id, name, name_key, status, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		int64(k.WorkspaceID), int64(k.ProjectID), k.Name, core.NameKey(k.Name), k.Status, IDOrNil(k.CreatedBy),
		t.ts(k.CreatedAt), t.ts(k.UpdatedAt))
	switch {
	case t.d.IsUnique(err):
		return taskConflict(k.Name)
	case t.d.IsForeignKey(err):
		return t.taskRefs(k)
	case err != nil:
		return t.Wrap("create task", err)
	}
	k.ID = core.ID(id)
	return nil
}

// UpdateTask writes the task's project, name and status.
func (t *Tx) UpdateTask(k *core.Task) error {
	n, err := t.c.Guard(`UPDATE tasks SET project_id = ?, name = ?, name_key = ?, status = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		int64(k.ProjectID), k.Name, core.NameKey(k.Name), k.Status, t.ts(k.UpdatedAt), int64(k.WorkspaceID), int64(k.ID))
	switch {
	case t.d.IsUnique(err):
		return taskConflict(k.Name)
	case t.d.IsForeignKey(err):
		return NotFound("project", k.ProjectID)
	case err != nil:
		return t.Wrap("update task", err)
	case n == 0:
		return NotFound("task", k.ID)
	}
	return nil
}

// DeleteTask deletes a task; conflict when it has time entries.
func (t *Tx) DeleteTask(ws, id core.ID) error {
	n, err := t.c.Guard("DELETE FROM tasks WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case t.d.IsForeignKey(err):
		return core.Errorf(core.ECONFLICT, "task %d has time entries", id)
	case err != nil:
		return t.Wrap("delete task", err)
	case n == 0:
		return NotFound("task", id)
	}
	return nil
}

// Task returns a task.
func (t *Tx) Task(ws, id core.ID) (core.Task, error) {
	var k core.Task
	err := scanTask(t.c.QueryRow("SELECT "+taskCols+" FROM tasks WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &k)
	if err != nil {
		return core.Task{}, t.Lookup(err, "get task", fmt.Sprintf("task %d not found", id))
	}
	return k, nil
}

// TaskByName finds a task by name, ignoring case, in a project; with project
// 0 in any project, conflict when several projects have one of that name.
func (t *Tx) TaskByName(ws, project core.ID, name string) (core.Task, error) {
	key := core.NameKey(name)
	if project != 0 {
		var k core.Task
		err := scanTask(t.c.QueryRow("SELECT "+taskCols+" FROM tasks WHERE project_id = ? AND name_key = ? AND workspace_id = ?",
			int64(project), key, int64(ws)), &k)
		if err != nil {
			return core.Task{}, t.Lookup(err, "get task", fmt.Sprintf("task %q not found in project %d", name, project))
		}
		return k, nil
	}
	ks, err := List(t, scanTask, "SELECT "+taskCols+" FROM tasks WHERE workspace_id = ? AND name_key = ? ORDER BY id LIMIT 2",
		int64(ws), key)
	switch {
	case err != nil:
		return core.Task{}, t.Wrap("get task", err)
	case len(ks) == 0:
		return core.Task{}, core.Errorf(core.ENOTFOUND, "task %q not found", name)
	case len(ks) > 1:
		return core.Task{}, core.Errorf(core.ECONFLICT, "task %q is in several projects: name the project", name)
	}
	return ks[0], nil
}

// ListTasks returns a page of tasks, by id, of one project when the filter
// names it.
func (t *Tx) ListTasks(ws core.ID, f core.TaskFilter, p core.Page) ([]core.Task, error) {
	p = p.Normalize()
	var ks []core.Task
	var err error
	if f.ProjectID != 0 {
		ks, err = List(t, scanTask, "SELECT "+taskCols+" FROM tasks WHERE workspace_id = ? AND project_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(f.ProjectID), int64(p.After), p.Limit)
	} else {
		ks, err = List(t, scanTask, "SELECT "+taskCols+" FROM tasks WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, t.Wrap("list tasks", err)
	}
	return ks, nil
}

// Tags.

const tagCols = "id, workspace_id, name, created_at, updated_at"

func scanTag(s Row, g *core.Tag) error {
	return s.Scan((*idCol)(&g.ID), (*idCol)(&g.WorkspaceID), &g.Name, (*timeCol)(&g.CreatedAt), (*timeCol)(&g.UpdatedAt))
}

func tagConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "tag %q already exists", name)
}

// CreateTag adds a tag; conflict when the name is taken.
func (t *Tx) CreateTag(g *core.Tag) error {
	id, err := t.c.Insert("INSERT INTO tags (workspace_id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		int64(g.WorkspaceID), g.Name, core.NameKey(g.Name), t.ts(g.CreatedAt), t.ts(g.UpdatedAt))
	switch {
	case t.d.IsUnique(err):
		return tagConflict(g.Name)
	case t.d.IsForeignKey(err):
		return NotFound("workspace", g.WorkspaceID)
	case err != nil:
		return t.Wrap("create tag", err)
	}
	g.ID = core.ID(id)
	return nil
}

// UpdateTag writes the tag's name.
func (t *Tx) UpdateTag(g *core.Tag) error {
	n, err := t.c.Guard("UPDATE tags SET name = ?, name_key = ?, updated_at = ? WHERE workspace_id = ? AND id = ?",
		g.Name, core.NameKey(g.Name), t.ts(g.UpdatedAt), int64(g.WorkspaceID), int64(g.ID))
	switch {
	case t.d.IsUnique(err):
		return tagConflict(g.Name)
	case err != nil:
		return t.Wrap("update tag", err)
	case n == 0:
		return NotFound("tag", g.ID)
	}
	return nil
}

// DeleteTag deletes a tag. Time entries keep their tags: they are names.
func (t *Tx) DeleteTag(ws, id core.ID) error {
	n, err := t.c.Guard("DELETE FROM tags WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case err != nil:
		return t.Wrap("delete tag", err)
	case n == 0:
		return NotFound("tag", id)
	}
	return nil
}

// Tag returns a tag.
func (t *Tx) Tag(ws, id core.ID) (core.Tag, error) {
	var g core.Tag
	err := scanTag(t.c.QueryRow("SELECT "+tagCols+" FROM tags WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &g)
	if err != nil {
		return core.Tag{}, t.Lookup(err, "get tag", fmt.Sprintf("tag %d not found", id))
	}
	return g, nil
}

// TagByName finds a tag by name, ignoring case.
func (t *Tx) TagByName(ws core.ID, name string) (core.Tag, error) {
	var g core.Tag
	err := scanTag(t.c.QueryRow("SELECT "+tagCols+" FROM tags WHERE workspace_id = ? AND name_key = ?", int64(ws), core.NameKey(name)), &g)
	if err != nil {
		return core.Tag{}, t.Lookup(err, "get tag", fmt.Sprintf("tag %q not found", name))
	}
	return g, nil
}

// ListTags returns a page of tags, by id.
func (t *Tx) ListTags(ws core.ID, p core.Page) ([]core.Tag, error) {
	p = p.Normalize()
	gs, err := List(t, scanTag, "SELECT "+tagCols+" FROM tags WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, t.Wrap("list tags", err)
	}
	return gs, nil
}
