package core

import "context"

// ClientPatch changes a client; nil fields are left as they are.
type ClientPatch struct {
	Name *string
}

// clientNameFree checks that no other client than self has the name.
func (c *change) clientNameFree(name string, self ID) error {
	if old, err := c.tx.ClientByName(c.ws, name); err == nil && old.ID != self {
		return Errorf(ECONFLICT, "client %q already exists", old.Name)
	}
	return nil
}

// createClient adds a client of a clean name and emits client.created.
func (c *change) createClient(name string) (Client, error) {
	cl := Client{WorkspaceID: c.ws, Name: name, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateClient(&cl); err != nil {
		return Client{}, err
	}
	c.pushUndo(deleteClientUndo(cl.ID))
	return cl, c.emit(EventClientCreated, 0, 0, map[string]any{"client": cl})
}

// ensureClient finds or creates a client.
func (c *change) ensureClient(name string) (Client, error) {
	name, err := c.s.Limits().cleanName("client", name)
	if err != nil {
		return Client{}, err
	}
	cl, err := c.tx.ClientByName(c.ws, name)
	if ErrorCode(err) != ENOTFOUND {
		return cl, err
	}
	return c.createClient(name)
}

// ListClients returns a page of clients and the cursor of the next page
// (zero on the last).
func (s *Service) ListClients(ctx context.Context, actor Actor, p Page) ([]Client, ID, error) {
	return listPage(s, ctx, actor, p, func(c Client) ID { return c.ID }, Tx.ListClients)
}

// GetClient returns a client; not_found if there is none with the id.
func (s *Service) GetClient(ctx context.Context, actor Actor, id ID) (Client, error) {
	return getOne(s, ctx, actor, "client", id, Tx.Client)
}

// CreateClient adds a client and emits client.created; conflict if the name
// is taken.
func (s *Service) CreateClient(ctx context.Context, actor Actor, name string) (Client, error) {
	var cl Client
	err := s.write(ctx, actor, "create client", func(c *change) error {
		name, err := s.Limits().cleanName("client", name)
		if err != nil {
			return err
		}
		if err := c.clientNameFree(name, 0); err != nil {
			return err
		}
		cl, err = c.createClient(name)
		return err
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
			name, err := s.Limits().cleanName("client", *patch.Name)
			if err != nil {
				return err
			}
			if err := c.clientNameFree(name, cl.ID); err != nil {
				return err
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
