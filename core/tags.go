package core

import (
	"context"
	"strings"
)

// TagPatch changes a tag; nil fields are left as they are.
type TagPatch struct {
	Name *string
}

// cleanTag returns a tag's name without a leading '#', checked like any
// name.
func (l Limits) cleanTag(name string) (string, error) {
	return l.cleanName("tag", strings.TrimPrefix(strings.TrimSpace(name), "#"))
}

// tagNameFree checks that no other tag than self has the name.
func (c *change) tagNameFree(name string, self ID) error {
	if old, err := c.tx.TagByName(c.ws, name); err == nil && old.ID != self {
		return Errorf(ECONFLICT, "tag %q already exists", old.Name)
	}
	return nil
}

// createTag adds a tag of a clean name and emits tag.created; undo deletes
// it.
func (c *change) createTag(name string) (Tag, error) {
	tg := Tag{WorkspaceID: c.ws, Name: name, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateTag(&tg); err != nil {
		return Tag{}, err
	}
	c.pushUndo(deleteTagUndo(tg.ID))
	return tg, c.emit(EventTagCreated, 0, 0, map[string]any{"tag": tg})
}

// entryTags returns the names of an entry's tags as stored, without
// duplicates. A missing tag is created when create is set (chat), else it
// is invalid (the API).
func (c *change) entryTags(names []string, create bool) ([]string, error) {
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		n, err := c.s.Limits().cleanTag(n)
		if err != nil {
			return nil, err
		}
		if seen[NameKey(n)] {
			continue
		}
		seen[NameKey(n)] = true
		if max := c.s.Limits().Tags; len(out) == max {
			return nil, Errorf(EINVALID, "an entry may have at most %d tags", max)
		}
		tg, err := c.tx.TagByName(c.ws, n)
		switch {
		case ErrorCode(err) == ENOTFOUND && create:
			tg, err = c.createTag(n)
		case ErrorCode(err) == ENOTFOUND:
			err = Errorf(EINVALID, "tag %q does not exist; create it first", n)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tg.Name)
	}
	return out, nil
}

// ListTags returns a page of tags and the cursor of the next page.
func (s *Service) ListTags(ctx context.Context, actor Actor, p Page) ([]Tag, ID, error) {
	return listPage(s, ctx, actor, p, func(t Tag) ID { return t.ID }, Tx.ListTags)
}

// GetTag returns a tag; not_found if there is none with the id.
func (s *Service) GetTag(ctx context.Context, actor Actor, id ID) (Tag, error) {
	return getOne(s, ctx, actor, "tag", id, Tx.Tag)
}

// CreateTag adds a tag and emits tag.created; conflict if the name is taken.
// A leading '#' is dropped.
func (s *Service) CreateTag(ctx context.Context, actor Actor, name string) (Tag, error) {
	var tg Tag
	err := s.write(ctx, actor, "create tag", func(c *change) error {
		name, err := s.Limits().cleanTag(name)
		if err != nil {
			return err
		}
		if err := c.tagNameFree(name, 0); err != nil {
			return err
		}
		tg, err = c.createTag(name)
		return err
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
			name, err := s.Limits().cleanTag(*patch.Name)
			if err != nil {
				return err
			}
			if err := c.tagNameFree(name, tg.ID); err != nil {
				return err
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
