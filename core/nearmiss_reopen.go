package core

// Near misses of reopen (COMMANDS.md, second edition): reopen names a
// closed project or task, so a name that is not found is compared with the
// closed ones (a task's project with every project). Reopen makes nothing,
// so the only way out is the existing name.

// missingClosedProject turns a project that reopen project did not find
// into a near miss when a closed project's name is close; other errors
// pass.
func (c *change) missingClosedProject(err error, name string) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	names, lerr := c.projectNames(isClosed)
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
			names, lerr := c.projectNames(anyStatus)
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
	names, lerr := c.taskNames(pid, isClosed)
	if lerr != nil {
		return lerr
	}
	if near := closest(task, names); near != "" {
		return &NearMiss{Kind: "task", Name: task, Existing: near, Project: project, Use: withName(c.cmd, "task", near), Again: c.cmd}
	}
	return err
}
