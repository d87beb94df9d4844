package core

// Near misses of reopen (COMMANDS.md, second edition): reopen names a
// closed project or task, so a name that is not found is compared with the
// closed ones (a task's project with every project). Reopen makes nothing,
// so the only way out is the existing name.

// projectNamesWhere lists the names of the workspace's projects that keep
// says to keep.
func (c *change) projectNamesWhere(keep func(Project) bool) ([]string, error) {
	var out []string
	p := Page{Limit: MaxPageLimit}
	for {
		ps, err := c.tx.ListProjects(c.ws, p)
		if err != nil {
			return nil, err
		}
		for _, pr := range ps {
			if keep(pr) {
				out = append(out, pr.Name)
			}
		}
		if len(ps) < p.Limit {
			return out, nil
		}
		p.After = ps[len(ps)-1].ID
	}
}

// missingClosedProject turns a project that reopen project did not find
// into a near miss when a closed project's name is close; other errors
// pass.
func (c *change) missingClosedProject(err error, name string) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	names, lerr := c.projectNamesWhere(func(p Project) bool { return p.Status == StatusClosed })
	if lerr != nil {
		return lerr
	}
	if near := closest(name, names); near != "" {
		return &NearMiss{Kind: "project", Name: name, Existing: near, Use: withName(c.cmd, "project", near), Again: c.cmd}
	}
	return err
}

// missingClosedTask turns the project or task that reopen task did not
// find into a near miss: the project compared with every project, the task
// with the closed tasks of its project (of every project without one).
func (c *change) missingClosedTask(err error, task, project string) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	var pid ID
	if project != "" {
		p, perr := c.tx.ProjectByName(c.ws, project)
		if ErrorCode(perr) == ENOTFOUND {
			names, lerr := c.projectNamesWhere(func(Project) bool { return true })
			if lerr != nil {
				return lerr
			}
			if near := closest(project, names); near != "" {
				return &NearMiss{Kind: "project", Name: project, Existing: near, Use: withName(c.cmd, "project", near), Again: c.cmd}
			}
			return err
		}
		if perr != nil {
			return perr
		}
		pid, project = p.ID, p.Name
	}
	var names []string
	page := Page{Limit: MaxPageLimit}
	for {
		ts, lerr := c.tx.ListTasks(c.ws, TaskFilter{ProjectID: pid}, page)
		if lerr != nil {
			return lerr
		}
		for _, t := range ts {
			if t.Status == StatusClosed {
				names = append(names, t.Name)
			}
		}
		if len(ts) < page.Limit {
			break
		}
		page.After = ts[len(ts)-1].ID
	}
	if near := closest(task, names); near != "" {
		return &NearMiss{Kind: "task", Name: task, Existing: near, Project: project, Use: withName(c.cmd, "task", near), Again: c.cmd}
	}
	return err
}
