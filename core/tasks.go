package core

import (
	"context"
	"strings"
)

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

// otherTaskNamed returns another task than self of the project that has the
// name, if there is one.
func (c *change) otherTaskNamed(projectID ID, name string, self ID) (Task, bool) {
	old, err := c.tx.TaskByName(c.ws, projectID, name)
	return old, err == nil && old.ID != self && old.ProjectID == projectID
}

// insertTask stores a new open task of a clean name in a project. The
// caller emits task.created.
func (c *change) insertTask(name string, projectID ID) (Task, error) {
	t := Task{WorkspaceID: c.ws, ProjectID: projectID, Name: name, Status: StatusOpen,
		CreatedBy: c.actor.User.ID, CreatedAt: c.now, UpdatedAt: c.now}
	return t, c.tx.CreateTask(&t)
}

// createTask adds an open task of a clean name to project and emits
// task.created; undo deletes it.
func (c *change) createTask(name string, project *Project) (Task, error) {
	t, err := c.insertTask(name, project.ID)
	if err != nil {
		return Task{}, err
	}
	c.pushUndo(deleteTaskUndo(t.ID))
	return t, c.emit(EventTaskCreated, 0, project.ID, map[string]any{"task": t, "project": project})
}

// ensureTask finds an open task, in project when it is set, else in any
// project; a missing task is created in project. Tasks always belong to a
// project, so a missing task without one is not found.
func (c *change) ensureTask(name string, project *Project) (Task, error) {
	name, err := c.s.Limits().cleanName("task", name)
	if err != nil {
		return Task{}, err
	}
	var pid ID
	if project != nil {
		pid = project.ID
	}
	t, err := c.tx.TaskByName(c.ws, pid, name)
	return c.foundOrNewTask(name, project, t, err)
}

// foundOrNewTask goes on from the lookup of a clean task name in project
// (t and err are what TaskByName returned): an open task found is
// returned, a closed one refused, a missing one created in project, or
// not found without a project.
func (c *change) foundOrNewTask(name string, project *Project, t Task, err error) (Task, error) {
	switch {
	case err == nil:
		if t.Status == StatusClosed {
			return Task{}, Errorf(EINVALID, "task %q is closed", t.Name)
		}
		return t, nil
	case ErrorCode(err) != ENOTFOUND:
		return Task{}, err
	case project == nil:
		example := "track " + name + " in PROJECT"
		if l, ok := c.cmd.(Log); ok {
			example = "log " + l.Amount.String() + " on " + name + " in PROJECT"
		}
		return Task{}, Errorf(ENOTFOUND, "there is no task %q yet; name its project to create it: %q", name, example)
	}
	return c.createTask(name, project)
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

// saveTask stores a changed task and emits typ.
func (c *change) saveTask(t *Task, typ string, project *Project) error {
	t.UpdatedAt = c.now
	if err := c.tx.UpdateTask(t); err != nil {
		return err
	}
	return c.emit(typ, 0, t.ProjectID, map[string]any{"task": *t, "project": project})
}

// addTask runs `add task`.
func (c *change) addTask(cmd AddTask) error {
	name, err := c.s.Limits().cleanName("task", cmd.Task)
	if err != nil {
		return err
	}
	if strings.TrimSpace(cmd.Project) == "" {
		return Errorf(EINVALID, "project missing: add task %s in PROJECT", name)
	}
	project, err := c.ensureProject(cmd.Project)
	if err != nil {
		return err
	}
	if t, taken := c.otherTaskNamed(project.ID, name, 0); taken {
		return Errorf(ECONFLICT, "task %q already exists in %s", t.Name, project.Name)
	}
	t, err := c.createTask(name, &project)
	if err != nil {
		return err
	}
	c.res.Task, c.res.Project = &t, &project
	return nil
}

// findTask finds a task by name, in the named project when one is named.
func (c *change) findTask(name, projectName string) (Task, *Project, error) {
	name, err := c.s.Limits().cleanName("task", name)
	if err != nil {
		return Task{}, nil, err
	}
	var pid ID
	var project *Project
	if projectName != "" {
		p, err := c.tx.ProjectByName(c.ws, projectName)
		if err != nil {
			return Task{}, nil, err
		}
		pid, project = p.ID, &p
	}
	t, err := c.tx.TaskByName(c.ws, pid, name)
	if err != nil {
		return Task{}, nil, err
	}
	if project == nil && t.ProjectID != 0 {
		p, err := c.tx.Project(c.ws, t.ProjectID)
		if err != nil {
			return Task{}, nil, err
		}
		project = &p
	}
	return t, project, nil
}

// closeTask runs `close task`.
func (c *change) closeTask(cmd CloseTask) error {
	t, project, err := c.findTask(cmd.Task, cmd.Project)
	if err != nil {
		return c.missingTask(err, cmd.Task, cmd.Project)
	}
	if t.Status == StatusClosed {
		return Errorf(EINVALID, "task %q is already closed", t.Name)
	}
	t.Status = StatusClosed
	c.pushUndo(reopenTaskUndo(t.ID))
	if err := c.saveTask(&t, EventTaskClosed, project); err != nil {
		return err
	}
	c.res.Task, c.res.Project = &t, project
	return nil
}

// ListTasks returns a page of tasks (of one project when f.ProjectID is set)
// and the cursor of the next page.
func (s *Service) ListTasks(ctx context.Context, actor Actor, f TaskFilter, p Page) ([]Task, ID, error) {
	return listPage(s, ctx, actor, p, func(t Task) ID { return t.ID }, func(tx Tx, ws ID, p Page) ([]Task, error) { return tx.ListTasks(ws, f, p) })
}

// GetTask returns a task; not_found if there is none with the id.
func (s *Service) GetTask(ctx context.Context, actor Actor, id ID) (Task, error) {
	return getOne(s, ctx, actor, "task", id, Tx.Task)
}

// CreateTask adds an open task to an open project and emits task.created;
// conflict if the project has a task of that name.
func (s *Service) CreateTask(ctx context.Context, actor Actor, in NewTask) (Task, error) {
	var t Task
	err := s.write(ctx, actor, "create task", func(c *change) error {
		name, err := s.Limits().cleanName("task", in.Name)
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
		if old, taken := c.otherTaskNamed(p.ID, name, 0); taken {
			return Errorf(ECONFLICT, "task %q already exists in %s", old.Name, p.Name)
		}
		t, err = c.createTask(name, &p)
		return err
	})
	return t, err
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
			name, err := s.Limits().cleanName("task", *patch.Name)
			if err != nil {
				return err
			}
			if old, taken := c.otherTaskNamed(t.ProjectID, name, t.ID); taken {
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
		return c.saveTask(&t, typ, p)
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
