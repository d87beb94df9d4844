package core

import "context"

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

// projectNameFree checks that no other project than self has the name.
func (c *change) projectNameFree(name string, self ID) error {
	if old, err := c.tx.ProjectByName(c.ws, name); err == nil && old.ID != self {
		return Errorf(ECONFLICT, "project %q already exists", old.Name)
	}
	return nil
}

// insertProject stores a new open project of a clean name; undo deletes
// it. The caller emits project.created.
func (c *change) insertProject(name string, clientID ID) (Project, error) {
	p := Project{WorkspaceID: c.ws, ClientID: clientID, Name: name, Status: StatusOpen,
		CreatedBy: c.actor.User.ID, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateProject(&p); err != nil {
		return Project{}, err
	}
	c.pushUndo(deleteProjectUndo(p.ID))
	return p, nil
}

// createProject adds a project asked for by name (add project, the API)
// for client (nil for none) and emits project.created with the client.
func (c *change) createProject(name string, client *Client) (Project, error) {
	var clientID ID
	if client != nil {
		clientID = client.ID
	}
	p, err := c.insertProject(name, clientID)
	if err != nil {
		return Project{}, err
	}
	return p, c.emit(EventProjectCreated, 0, p.ID, map[string]any{"project": p, "client": client})
}

// ensureProject finds an open project or creates it on the way (track,
// log, add task, a repository's work).
func (c *change) ensureProject(name string) (Project, error) {
	name, err := c.s.Limits().cleanName("project", name)
	if err != nil {
		return Project{}, err
	}
	p, err := c.tx.ProjectByName(c.ws, name)
	return c.foundOrNewProject(name, p, err)
}

// foundOrNewProject goes on from the lookup of a clean project name (p and
// err are what ProjectByName returned): an open project found is returned,
// a closed one refused, a missing one created and project.created emitted.
func (c *change) foundOrNewProject(name string, p Project, err error) (Project, error) {
	switch {
	case err == nil:
		if p.Status == StatusClosed {
			return Project{}, Errorf(EINVALID, "project %q is closed", p.Name)
		}
		return p, nil
	case ErrorCode(err) != ENOTFOUND:
		return Project{}, err
	}
	if p, err = c.insertProject(name, 0); err != nil {
		return Project{}, err
	}
	return p, c.emit(EventProjectCreated, 0, p.ID, map[string]any{"project": p})
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

// saveProject stores a changed project and emits typ.
func (c *change) saveProject(p *Project, typ string, data map[string]any) error {
	p.UpdatedAt = c.now
	if err := c.tx.UpdateProject(p); err != nil {
		return err
	}
	data["project"] = *p
	return c.emit(typ, 0, p.ID, data)
}

// addProject runs `add project`.
func (c *change) addProject(cmd AddProject) error {
	name, err := c.s.Limits().cleanName("project", cmd.Project)
	if err != nil {
		return err
	}
	if err := c.projectNameFree(name, 0); err != nil {
		return err
	}
	var client *Client
	if cmd.Client != "" {
		cl, err := c.ensureClient(cmd.Client)
		if err != nil {
			return err
		}
		client = &cl
	}
	p, err := c.createProject(name, client)
	if err != nil {
		return err
	}
	c.res.Project, c.res.Client = &p, client
	return nil
}

// closeProject runs `close project`.
func (c *change) closeProject(cmd CloseProject) error {
	name, err := c.s.Limits().cleanName("project", cmd.Project)
	if err != nil {
		return err
	}
	p, err := c.tx.ProjectByName(c.ws, name)
	if err != nil {
		return c.missingProject(err, name)
	}
	if p.Status == StatusClosed {
		return Errorf(EINVALID, "project %q is already closed", p.Name)
	}
	p.Status = StatusClosed
	c.pushUndo(reopenProjectUndo(p.ID))
	if err := c.saveProject(&p, EventProjectClosed, map[string]any{}); err != nil {
		return err
	}
	c.res.Project = &p
	return nil
}

// ListProjects returns a page of projects and the cursor of the next page.
func (s *Service) ListProjects(ctx context.Context, actor Actor, p Page) ([]Project, ID, error) {
	return listPage(s, ctx, actor, p, func(p Project) ID { return p.ID }, Tx.ListProjects)
}

// GetProject returns a project; not_found if there is none with the id.
func (s *Service) GetProject(ctx context.Context, actor Actor, id ID) (Project, error) {
	return getOne(s, ctx, actor, "project", id, Tx.Project)
}

// CreateProject adds an open project and emits project.created; conflict if
// the name is taken, invalid if the client does not exist.
func (s *Service) CreateProject(ctx context.Context, actor Actor, in NewProject) (Project, error) {
	var p Project
	err := s.write(ctx, actor, "create project", func(c *change) error {
		name, err := s.Limits().cleanName("project", in.Name)
		if err != nil {
			return err
		}
		if err := c.projectNameFree(name, 0); err != nil {
			return err
		}
		client, err := c.projectClient(Project{ClientID: in.ClientID})
		if err != nil {
			return err
		}
		p, err = c.createProject(name, client)
		return err
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
			name, err := s.Limits().cleanName("project", *patch.Name)
			if err != nil {
				return err
			}
			if err := c.projectNameFree(name, p.ID); err != nil {
				return err
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
		return c.saveProject(&p, typ, map[string]any{"client": client})
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
