package postgres

import (
	"fmt"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
)

// Clients.

const clientCols = "id, workspace_id, name, created_at, updated_at"

func scanClient(s pgx.Row, c *core.Client) error {
	return s.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.CreatedAt, &c.UpdatedAt)
}

func clientConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "client %q already exists", name)
}

// CreateClient adds a client; conflict when the name is taken.
func (t *tx) CreateClient(c *core.Client) error {
	var id core.ID
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&id) }, "INSERT INTO clients (workspace_id, name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		int64(c.WorkspaceID), c.Name, core.NameKey(c.Name), c.CreatedAt, c.UpdatedAt)
	switch {
	case isUnique(err):
		return clientConflict(c.Name)
	case isForeignKey(err):
		return notFound("workspace", c.WorkspaceID)
	case err != nil:
		return wrap("create client", err)
	}
	c.ID = id
	return nil
}

// UpdateClient writes the client's name.
func (t *tx) UpdateClient(c *core.Client) error {
	tag, err := t.guard(nil, "UPDATE clients SET name = $1, name_key = $2, updated_at = $3 WHERE workspace_id = $4 AND id = $5",
		c.Name, core.NameKey(c.Name), c.UpdatedAt, int64(c.WorkspaceID), int64(c.ID))
	switch {
	case isUnique(err):
		return clientConflict(c.Name)
	case err != nil:
		return wrap("update client", err)
	case tag.RowsAffected() == 0:
		return notFound("client", c.ID)
	}
	return nil
}

// DeleteClient deletes a client; conflict when it has projects.
func (t *tx) DeleteClient(ws, id core.ID) error {
	tag, err := t.guard(nil, "DELETE FROM clients WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case isForeignKey(err):
		return core.Errorf(core.ECONFLICT, "client %d has projects", id)
	case err != nil:
		return wrap("delete client", err)
	case tag.RowsAffected() == 0:
		return notFound("client", id)
	}
	return nil
}

// Client returns a client.
func (t *tx) Client(ws, id core.ID) (core.Client, error) {
	var c core.Client
	err := scanClient(t.row("SELECT "+clientCols+" FROM clients WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id)), &c)
	if err != nil {
		return core.Client{}, lookup(err, "get client", fmt.Sprintf("client %d not found", id))
	}
	return c, nil
}

// ClientByName finds a client by name, ignoring case.
func (t *tx) ClientByName(ws core.ID, name string) (core.Client, error) {
	var c core.Client
	err := scanClient(t.row("SELECT "+clientCols+" FROM clients WHERE workspace_id = $1 AND name_key = $2", int64(ws), core.NameKey(name)), &c)
	if err != nil {
		return core.Client{}, lookup(err, "get client", fmt.Sprintf("client %q not found", name))
	}
	return c, nil
}

// ListClients returns a page of clients, by id.
func (t *tx) ListClients(ws core.ID, p core.Page) ([]core.Client, error) {
	p = p.Normalize()
	cs, err := list(t, scanClient, "SELECT "+clientCols+" FROM clients WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, wrap("list clients", err)
	}
	return cs, nil
}

// Projects.

const projectCols = "id, workspace_id, coalesce(client_id, 0), name, status, coalesce(created_by, 0), created_at, updated_at"

func scanProject(s pgx.Row, p *core.Project) error {
	return s.Scan(&p.ID, &p.WorkspaceID, &p.ClientID, &p.Name, &p.Status, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
}

func projectConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "project %q already exists", name)
}

// projectRefs tells which reference of a project row is missing.
func (t *tx) projectRefs(p *core.Project) error {
	if err := t.checkWorkspace(p.WorkspaceID); err != nil {
		return err
	}
	if p.ClientID != 0 {
		if err := t.exists("client", "SELECT 1 FROM clients WHERE id = $1 AND workspace_id = $2", p.ClientID, int64(p.WorkspaceID)); err != nil {
			return err
		}
	}
	return notFound("user", p.CreatedBy)
}

// CreateProject adds a project; conflict when the name is taken, not_found
// when its client is missing.
func (t *tx) CreateProject(p *core.Project) error {
	var id core.ID
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&id) }, `INSERT INTO projects (workspace_id, client_id, name, name_key, status, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		int64(p.WorkspaceID), idOrNil(p.ClientID), p.Name, core.NameKey(p.Name), p.Status, idOrNil(p.CreatedBy),
		(p.CreatedAt), p.UpdatedAt)
	switch {
	case isUnique(err):
		return projectConflict(p.Name)
	case isForeignKey(err):
		return t.projectRefs(p)
	case err != nil:
		return wrap("create project", err)
	}
	p.ID = id
	return nil
}

// UpdateProject writes the project's client, name and status.
func (t *tx) UpdateProject(p *core.Project) error {
	tag, err := t.guard(nil, `UPDATE projects SET client_id = $1, name = $2, name_key = $3, status = $4, updated_at = $5
		WHERE workspace_id = $6 AND id = $7`,
		idOrNil(p.ClientID), p.Name, core.NameKey(p.Name), p.Status, p.UpdatedAt, int64(p.WorkspaceID), int64(p.ID))
	switch {
	case isUnique(err):
		return projectConflict(p.Name)
	case isForeignKey(err):
		return notFound("client", p.ClientID)
	case err != nil:
		return wrap("update project", err)
	case tag.RowsAffected() == 0:
		return notFound("project", p.ID)
	}
	return nil
}

// DeleteProject deletes a project; conflict when it has tasks or time
// entries.
func (t *tx) DeleteProject(ws, id core.ID) error {
	tag, err := t.guard(nil, "DELETE FROM projects WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case isForeignKey(err):
		return core.Errorf(core.ECONFLICT, "project %d has tasks or time entries", id)
	case err != nil:
		return wrap("delete project", err)
	case tag.RowsAffected() == 0:
		return notFound("project", id)
	}
	return nil
}

// Project returns a project.
func (t *tx) Project(ws, id core.ID) (core.Project, error) {
	var p core.Project
	err := scanProject(t.row("SELECT "+projectCols+" FROM projects WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id)), &p)
	if err != nil {
		return core.Project{}, lookup(err, "get project", fmt.Sprintf("project %d not found", id))
	}
	return p, nil
}

// ProjectByName finds a project by name, ignoring case.
func (t *tx) ProjectByName(ws core.ID, name string) (core.Project, error) {
	var p core.Project
	err := scanProject(t.row("SELECT "+projectCols+" FROM projects WHERE workspace_id = $1 AND name_key = $2", int64(ws), core.NameKey(name)), &p)
	if err != nil {
		return core.Project{}, lookup(err, "get project", fmt.Sprintf("project %q not found", name))
	}
	return p, nil
}

// ListProjects returns a page of projects, by id.
func (t *tx) ListProjects(ws core.ID, p core.Page) ([]core.Project, error) {
	p = p.Normalize()
	ps, err := list(t, scanProject, "SELECT "+projectCols+" FROM projects WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, wrap("list projects", err)
	}
	return ps, nil
}

// Tasks.

const taskCols = "id, workspace_id, project_id, name, status, coalesce(created_by, 0), created_at, updated_at"

func scanTask(s pgx.Row, k *core.Task) error {
	return s.Scan(&k.ID, &k.WorkspaceID, &k.ProjectID, &k.Name, &k.Status, &k.CreatedBy, &k.CreatedAt, &k.UpdatedAt)
}

func taskConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "task %q already exists in the project", name)
}

// taskRefs tells which reference of a task row is missing.
func (t *tx) taskRefs(k *core.Task) error {
	if err := t.checkWorkspace(k.WorkspaceID); err != nil {
		return err
	}
	if err := t.exists("project", "SELECT 1 FROM projects WHERE id = $1 AND workspace_id = $2", k.ProjectID, int64(k.WorkspaceID)); err != nil {
		return err
	}
	return notFound("user", k.CreatedBy)
}

// CreateTask adds a task to a project; conflict when the project has a task
// of that name, not_found when the project is missing.
func (t *tx) CreateTask(k *core.Task) error {
	if k.ProjectID == 0 {
		return core.Errorf(core.EINVALID, "a task needs a project")
	}
	var id core.ID
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&id) }, `INSERT INTO tasks (workspace_id, project_id, name, name_key, status, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		int64(k.WorkspaceID), int64(k.ProjectID), k.Name, core.NameKey(k.Name), k.Status, idOrNil(k.CreatedBy),
		(k.CreatedAt), k.UpdatedAt)
	switch {
	case isUnique(err):
		return taskConflict(k.Name)
	case isForeignKey(err):
		return t.taskRefs(k)
	case err != nil:
		return wrap("create task", err)
	}
	k.ID = id
	return nil
}

// UpdateTask writes the task's project, name and status.
func (t *tx) UpdateTask(k *core.Task) error {
	tag, err := t.guard(nil, `UPDATE tasks SET project_id = $1, name = $2, name_key = $3, status = $4, updated_at = $5
		WHERE workspace_id = $6 AND id = $7`,
		int64(k.ProjectID), k.Name, core.NameKey(k.Name), k.Status, k.UpdatedAt, int64(k.WorkspaceID), int64(k.ID))
	switch {
	case isUnique(err):
		return taskConflict(k.Name)
	case isForeignKey(err):
		return notFound("project", k.ProjectID)
	case err != nil:
		return wrap("update task", err)
	case tag.RowsAffected() == 0:
		return notFound("task", k.ID)
	}
	return nil
}

// DeleteTask deletes a task; conflict when it has time entries.
func (t *tx) DeleteTask(ws, id core.ID) error {
	tag, err := t.guard(nil, "DELETE FROM tasks WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case isForeignKey(err):
		return core.Errorf(core.ECONFLICT, "task %d has time entries", id)
	case err != nil:
		return wrap("delete task", err)
	case tag.RowsAffected() == 0:
		return notFound("task", id)
	}
	return nil
}

// Task returns a task.
func (t *tx) Task(ws, id core.ID) (core.Task, error) {
	var k core.Task
	err := scanTask(t.row("SELECT "+taskCols+" FROM tasks WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id)), &k)
	if err != nil {
		return core.Task{}, lookup(err, "get task", fmt.Sprintf("task %d not found", id))
	}
	return k, nil
}

// TaskByName finds a task by name, ignoring case, in a project; with project
// 0 in any project, conflict when several projects have one of that name.
func (t *tx) TaskByName(ws, project core.ID, name string) (core.Task, error) {
	key := core.NameKey(name)
	if project != 0 {
		var k core.Task
		err := scanTask(t.row("SELECT "+taskCols+" FROM tasks WHERE project_id = $1 AND name_key = $2 AND workspace_id = $3",
			int64(project), key, int64(ws)), &k)
		if err != nil {
			return core.Task{}, lookup(err, "get task", fmt.Sprintf("task %q not found in project %d", name, project))
		}
		return k, nil
	}
	ks, err := list(t, scanTask, "SELECT "+taskCols+" FROM tasks WHERE workspace_id = $1 AND name_key = $2 ORDER BY id LIMIT 2",
		int64(ws), key)
	switch {
	case err != nil:
		return core.Task{}, wrap("get task", err)
	case len(ks) == 0:
		return core.Task{}, core.Errorf(core.ENOTFOUND, "task %q not found", name)
	case len(ks) > 1:
		return core.Task{}, core.Errorf(core.ECONFLICT, "task %q is in several projects: name the project", name)
	}
	return ks[0], nil
}

// ListTasks returns a page of tasks, by id, of one project when the filter
// names it.
func (t *tx) ListTasks(ws core.ID, f core.TaskFilter, p core.Page) ([]core.Task, error) {
	p = p.Normalize()
	var ks []core.Task
	var err error
	if f.ProjectID != 0 {
		ks, err = list(t, scanTask, "SELECT "+taskCols+" FROM tasks WHERE workspace_id = $1 AND project_id = $2 AND id > $3 ORDER BY id LIMIT $4",
			int64(ws), int64(f.ProjectID), int64(p.After), p.Limit)
	} else {
		ks, err = list(t, scanTask, "SELECT "+taskCols+" FROM tasks WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
			int64(ws), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, wrap("list tasks", err)
	}
	return ks, nil
}

// Tags.

const tagCols = "id, workspace_id, name, created_at, updated_at"

func scanTag(s pgx.Row, g *core.Tag) error {
	return s.Scan(&g.ID, &g.WorkspaceID, &g.Name, &g.CreatedAt, &g.UpdatedAt)
}

func tagConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "tag %q already exists", name)
}

// CreateTag adds a tag; conflict when the name is taken.
func (t *tx) CreateTag(g *core.Tag) error {
	var id core.ID
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&id) }, "INSERT INTO tags (workspace_id, name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		int64(g.WorkspaceID), g.Name, core.NameKey(g.Name), g.CreatedAt, g.UpdatedAt)
	switch {
	case isUnique(err):
		return tagConflict(g.Name)
	case isForeignKey(err):
		return notFound("workspace", g.WorkspaceID)
	case err != nil:
		return wrap("create tag", err)
	}
	g.ID = id
	return nil
}

// UpdateTag writes the tag's name.
func (t *tx) UpdateTag(g *core.Tag) error {
	tag, err := t.guard(nil, "UPDATE tags SET name = $1, name_key = $2, updated_at = $3 WHERE workspace_id = $4 AND id = $5",
		g.Name, core.NameKey(g.Name), g.UpdatedAt, int64(g.WorkspaceID), int64(g.ID))
	switch {
	case isUnique(err):
		return tagConflict(g.Name)
	case err != nil:
		return wrap("update tag", err)
	case tag.RowsAffected() == 0:
		return notFound("tag", g.ID)
	}
	return nil
}

// DeleteTag deletes a tag. Time entries keep their tags: they are names.
func (t *tx) DeleteTag(ws, id core.ID) error {
	tag, err := t.guard(nil, "DELETE FROM tags WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case err != nil:
		return wrap("delete tag", err)
	case tag.RowsAffected() == 0:
		return notFound("tag", id)
	}
	return nil
}

// Tag returns a tag.
func (t *tx) Tag(ws, id core.ID) (core.Tag, error) {
	var g core.Tag
	err := scanTag(t.row("SELECT "+tagCols+" FROM tags WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id)), &g)
	if err != nil {
		return core.Tag{}, lookup(err, "get tag", fmt.Sprintf("tag %d not found", id))
	}
	return g, nil
}

// TagByName finds a tag by name, ignoring case.
func (t *tx) TagByName(ws core.ID, name string) (core.Tag, error) {
	var g core.Tag
	err := scanTag(t.row("SELECT "+tagCols+" FROM tags WHERE workspace_id = $1 AND name_key = $2", int64(ws), core.NameKey(name)), &g)
	if err != nil {
		return core.Tag{}, lookup(err, "get tag", fmt.Sprintf("tag %q not found", name))
	}
	return g, nil
}

// ListTags returns a page of tags, by id.
func (t *tx) ListTags(ws core.ID, p core.Page) ([]core.Tag, error) {
	p = p.Normalize()
	gs, err := list(t, scanTag, "SELECT "+tagCols+" FROM tags WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
		int64(ws), int64(p.After), p.Limit)
	if err != nil {
		return nil, wrap("list tags", err)
	}
	return gs, nil
}
