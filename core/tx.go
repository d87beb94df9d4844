package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// txOptions say what the transaction runner does around a change.
type txOptions struct {
	// op names the change: the Result's Command, the undo record's action.
	op string
	// dedupeKey, when set, is remembered in the change's transaction: a
	// second change with the same key fails with ErrDuplicate.
	dedupeKey string
	// undo keeps the undo steps the change pushed as the actor's undo
	// record, newest first.
	undo bool
	// emits requires the change to emit at least one event (the API's
	// writes: every write emits its event).
	emits bool
	// cmd is the chat command the change runs, if any.
	cmd Command
}

// change is the state of one change inside its transaction.
type change struct {
	s     *Service
	tx    Tx
	ws    ID
	actor Actor
	now   time.Time
	cmd   Command
	res   *Result
	undo  []UndoStep
}

// update is the transaction runner: it runs fn as one change in one
// read-write transaction, with what o asks for around it. An actor known
// only by a chat identity is resolved (or created) first, in the same
// transaction.
func (s *Service) update(ctx context.Context, ws ID, actor Actor, o txOptions, fn func(*change) error) (*Result, error) {
	var res *Result
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.Now()
		c := &change{s: s, tx: tx, ws: ws, actor: actor, now: now, cmd: o.cmd, res: &Result{Command: o.op, At: now}}
		if c.actor.User.ID == 0 && c.actor.Identity != nil {
			if err := c.resolveActor(); err != nil {
				return err
			}
		}
		c.res.User = c.actor.User
		if o.dedupeKey != "" {
			fresh, err := tx.Remember(ws, o.dedupeKey, now)
			if err != nil {
				return err
			}
			if !fresh {
				return ErrDuplicate
			}
		}
		if err := fn(c); err != nil {
			return err
		}
		if o.emits && len(c.res.Events) == 0 {
			return fmt.Errorf("%s: emitted no event", o.op)
		}
		if o.undo && len(c.undo) > 0 {
			steps := make([]UndoStep, len(c.undo))
			for i, st := range c.undo {
				steps[len(c.undo)-1-i] = st
			}
			if err := tx.PushUndo(&UndoRecord{WorkspaceID: ws, UserID: c.actor.User.ID, Action: o.op, Steps: steps, CreatedAt: now}); err != nil {
				return err
			}
		}
		res = c.res
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
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

// listPage reads one page of a list for an authenticated actor, and the
// cursor of the next page (zero on the last).
func listPage[T any](s *Service, ctx context.Context, actor Actor, p Page, id func(T) ID, list func(tx Tx, ws ID, p Page) ([]T, error)) ([]T, ID, error) {
	var out []T
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		out, next, err = Paged(p, id, func(p Page) ([]T, error) { return list(tx, ws, p) })
		return err
	})
	return out, next, err
}

// getOne reads one thing by id for an authenticated actor; not_found names
// it by kind.
func getOne[T any](s *Service, ctx context.Context, actor Actor, kind string, id ID, get func(tx Tx, ws, id ID) (T, error)) (T, error) {
	var v T
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		v, err = get(tx, ws, id)
		return notFound(err, kind, id)
	})
	return v, err
}

// write runs fn as one change of the management API for an authenticated
// actor; the change must emit its event.
func (s *Service) write(ctx context.Context, actor Actor, op string, fn func(c *change) error) error {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return err
	}
	if actor.User.ID == 0 {
		return Errorf(EUNAUTHORIZED, "no user")
	}
	_, err = s.update(ctx, ws.ID, actor, txOptions{op: op, emits: true}, fn)
	return err
}

// apply runs fn as one change for an authenticated actor, like a command:
// the actor's DedupeKey is remembered in it (ErrDuplicate when seen
// before), with undoable the steps fn pushed make an undo record, and the
// command is logged and counted.
func (s *Service) apply(ctx context.Context, actor Actor, op string, undoable bool, fn func(c *change) error) (*Result, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return nil, err
	}
	if actor.User.ID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "no user")
	}
	start := time.Now()
	res, err := s.update(ctx, ws.ID, actor, txOptions{op: op, dedupeKey: actor.DedupeKey, undo: undoable}, fn)
	s.ran(ctx, actor, op, err, time.Since(start))
	return res, err
}

// resolveActor finds the user of the actor's chat identity, or creates a
// member for it.
func (c *change) resolveActor() error {
	id := c.actor.Identity
	if !ValidProvider(id.Provider) || strings.TrimSpace(id.Subject) == "" {
		return Errorf(EINVALID, "identity %s %q is not valid", id.Provider, id.Subject)
	}
	// A chat's team and user ids are each held to a name's size.
	for part := range strings.SplitSeq(id.Subject, ":") {
		if err := CheckLength(id.Provider+" id", part, c.s.Limits().Name); err != nil {
			return err
		}
	}
	u, err := c.tx.UserByIdentity(c.ws, id.Provider, id.Subject)
	if ErrorCode(err) == ENOTFOUND {
		name, nerr := c.s.Limits().cleanName("user", id.Name)
		if nerr != nil {
			name = id.Provider + " user"
		}
		u, err = c.createUser(uniqueUserName(c.tx, c.ws, name), RoleMember, Identity{Provider: id.Provider, Subject: id.Subject})
	}
	if err != nil {
		return err
	}
	c.actor.User = u
	return nil
}

// emit appends one event to the outbox.
func (c *change) emit(typ string, user, project ID, data map[string]any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s: %w", typ, err)
	}
	e := &Event{
		ID:          c.s.opts.NewEventID(),
		Type:        typ,
		Timestamp:   c.now,
		WorkspaceID: c.ws,
		Actor:       EventActor{ID: c.actor.User.ID, Name: c.actor.User.Name, Source: c.actor.Source},
		Data:        b,
		UserID:      user,
		ProjectID:   project,
	}
	if err := c.tx.AppendEvent(e); err != nil {
		return err
	}
	c.res.Events = append(c.res.Events, typ)
	return nil
}

// cleanName trims a name and checks it is usable.
func (l Limits) cleanName(kind, name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", Errorf(EINVALID, "%s name missing", kind)
	}
	if err := CheckLength(kind+" name", name, l.Name); err != nil {
		return "", err
	}
	return name, nil
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
// into an invalid one: the request is at fault, not its URL. Its error is
// errMissingRef to errors.Is, so that a caller can tell a thing gone from
// other invalid errors without reading the message.
func missingRef(err error, kind string, id ID) error {
	if ErrorCode(err) == ENOTFOUND {
		return &refError{Errorf(EINVALID, "%s %d does not exist", kind, id)}
	}
	return err
}

// errMissingRef is in the chain of missingRef's errors: a thing named by
// id does not exist.
var errMissingRef = errors.New("missing reference")

// refError is missingRef's error: the invalid *Error a person reads (its
// text and what ErrorCode and ErrorMessage give), with errMissingRef under
// it.
type refError struct{ err *Error }

func (e *refError) Error() string   { return e.err.Error() }
func (e *refError) Unwrap() []error { return []error{e.err, errMissingRef} }

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

// listAll reads every page of a list, in order: list gives the page after
// a cursor, id an item's id (the next page's cursor).
func listAll[T any](list func(Page) ([]T, error), id func(T) ID) ([]T, error) {
	var out []T
	p := Page{Limit: MaxPageLimit}
	for {
		items, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) < p.Limit {
			return out, nil
		}
		p.After = id(items[len(items)-1])
	}
}

func checkStatus(status string) error {
	if status != StatusOpen && status != StatusClosed {
		return Errorf(EINVALID, "status must be %q or %q, not %q", StatusOpen, StatusClosed, status)
	}
	return nil
}
