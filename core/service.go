package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options configure a Service. The zero value is useful: real time, random
// event ids, a discarding logger, a 10-minute undo window.
type Options struct {
	// Now returns the current time.
	Now func() time.Time
	// NewEventID returns a new, unique event id ("evt_…").
	NewEventID func() string
	// Logger receives one line per command.
	Logger *slog.Logger
	// UndoWindow is how far back undo reaches.
	UndoWindow time.Duration
	// WorkspaceName names the default workspace when it is created.
	WorkspaceName string
	// IdentityCacheTTL is how long the user of a chat identity is kept in
	// memory between commands; default DefaultIdentityCacheTTL, negative
	// for no cache. Changes to users made through this Service are seen at
	// once; changes made by another instance, after at most this long.
	IdentityCacheTTL time.Duration
	// OnCommand, when set, is told of every command Execute ran: its way in
	// (Actor.Source), its name, "" or the error code it failed with, and
	// how long it took. It must be quick and safe for concurrent use
	// (metrics).
	OnCommand func(source, command, errCode string, took time.Duration)
	// KeyRetention is how long Prune keeps remembered request keys, so
	// that a retried request still applies once; default
	// DefaultKeyRetention.
	KeyRetention time.Duration
	// Retention is how long Prune keeps events, deliveries and attempts
	// once nobody is owed them (GATEWAY_RETENTION); default
	// DefaultRetention.
	Retention time.Duration
	// SessionTTL is how long a web page's session lasts
	// (GATEWAY_SESSION_TTL); default DefaultSessionTTL.
	SessionTTL time.Duration
	// PublicURL is the base of the links the service hands out (report
	// links; GATEWAY_PUBLIC_URL); empty: the links are paths alone.
	PublicURL string
	// ReportLinkKey, when set, signs report links (derived from
	// GATEWAY_ENCRYPTION_KEY); otherwise a key made once and kept in the
	// store does.
	ReportLinkKey []byte
	// Limits are the sizes of names, notes, tags, filters, URLs and chat
	// text (GATEWAY_LIMIT_*); a zero field is its default.
	Limits Limits
}

// Actor is who gives a command, and through which way in ("slack",
// "mattermost", "github", "generic", "api", "cli").
type Actor struct {
	User   User
	Source string
	// DedupeKey, when set, makes a change apply at most once: the key is
	// remembered in the change's transaction, and a second change with the
	// same key fails with ErrDuplicate and changes nothing.
	DedupeKey string
	// Channel is the chat channel the command comes from, if any.
	Channel *Channel
	// Identity, when set and User is zero, names the actor by an identity
	// of a chat provider: Execute finds the user (creating a member named
	// Identity.Name on first sight) in the command's own transaction.
	Identity *ChatIdentity
	// Confirmed are the new names the actor confirmed (a Create button):
	// keys made by ConfirmProject and ConfirmTask. Such a name is created
	// even when a close one exists.
	Confirmed []string
}

// ChatIdentity is who a chat message comes from.
type ChatIdentity struct {
	Provider, Subject, Name string
	// TimeZone, when an IANA name, is the zone a user made on first sight
	// gets (Slack's users.info); UTC otherwise.
	TimeZone string
}

// ErrDuplicate is returned for a change whose Actor.DedupeKey was seen before.
var ErrDuplicate = &Error{Code: ECONFLICT, Message: "this request was already handled"}

// Service runs commands: every rule of the domain lives here. It is safe for
// concurrent use.
//
// The Service's files follow the things it keeps: clients.go, projects.go,
// tasks.go, tags.go, users.go (and tokens.go), entries.go (and timers.go)
// hold each operation's rules once, for the chat commands that Execute runs
// and for the API's methods alike; tx.go is the one transaction runner,
// undo.go the undo operations, report.go the reports.
type Service struct {
	store Store
	opts  Options

	wsOnce sync.Mutex
	ws     Workspace

	channels Channels
	dm       DirectMessages

	idents identityCache

	linkKeyMu sync.Mutex
	linkKey   []byte // the stored report link key, once read
}

// NewService returns a Service on store.
func NewService(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewEventID == nil {
		opts.NewEventID = NewEventID
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.UndoWindow <= 0 {
		opts.UndoWindow = 10 * time.Minute
	}
	if opts.WorkspaceName == "" {
		opts.WorkspaceName = "Default"
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.KeyRetention <= 0 {
		opts.KeyRetention = DefaultKeyRetention
	}
	if opts.IdentityCacheTTL == 0 {
		opts.IdentityCacheTTL = DefaultIdentityCacheTTL
	}
	return &Service{store: store, opts: opts, idents: identityCache{ttl: opts.IdentityCacheTTL}}
}

// NewEventID returns "evt_" and 24 hex digits: 6 bytes of milliseconds since
// the epoch (so ids sort by time) and 6 random bytes.
func NewEventID() string {
	var b [12]byte
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	_, _ = rand.Read(b[6:])
	return "evt_" + hex.EncodeToString(b[:])
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Now returns the service's current time.
func (s *Service) Now() time.Time { return s.opts.Now().UTC() }

// Workspace returns the default workspace, creating it on first use.
func (s *Service) Workspace(ctx context.Context) (Workspace, error) {
	s.wsOnce.Lock()
	defer s.wsOnce.Unlock()
	if s.ws.ID != 0 {
		return s.ws, nil
	}
	var ws Workspace
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		ws, err = tx.EnsureWorkspace(s.opts.WorkspaceName, s.Now())
		return err
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("workspace: %w", err)
	}
	s.ws = ws
	return ws, nil
}

// Execute runs cmd for actor: one transaction that changes the state and
// writes the events, or nothing at all.
func (s *Service) Execute(ctx context.Context, actor Actor, cmd Command) (*Result, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var res *Result
	readOnly := false
	switch cmd.(type) {
	case Help, Status, Report, Notify, NotifyList, NotifyOff, Entries, Who:
		readOnly = true // for the store: notify changes subscriptions through Channels
	case Remind, RemindOff, RemindShow, ScheduleReport, Schedules, SchedulesOff:
		readOnly = true // they write in transactions of their own
	}
	if id := actor.Identity; actor.User.ID == 0 && id != nil {
		if readOnly {
			if actor.User, err = s.resolveChat(ctx, *id, actor.Source); err != nil {
				return nil, err
			}
		} else {
			// Known users are looked up on the read side, off the store's
			// single writer; a new one is made in the change's own
			// transaction.
			actor.User, err = s.userByIdentity(ctx, ws.ID, id.Provider, id.Subject)
			if err != nil && ErrorCode(err) != ENOTFOUND {
				return nil, err
			}
			err = nil
		}
	}
	if actor.User.ID == 0 && actor.Identity == nil {
		return nil, Errorf(EUNAUTHORIZED, "no user")
	}
	if _, ok := cmd.(TimeZone); ok {
		defer s.idents.forget() // the user changed
	}
	switch c := cmd.(type) {
	case Status:
		res, err = s.report(ctx, ws, actor, Report{}, true)
	case Report:
		if c.CSV {
			res, err = s.reportCSV(ctx, actor, c)
			break
		}
		res, err = s.report(ctx, ws, actor, c, false)
	case Entries:
		res, err = s.entries(ctx, ws, actor, c)
	case Who:
		res, err = s.who(ctx, ws, actor)
	case Help:
		res = &Result{Command: "help", Topic: c.Topic}
	case Notify, NotifyList, NotifyOff:
		res, err = s.notify(ctx, actor, c)
	case Remind, RemindOff, RemindShow:
		res, err = s.remindCommand(ctx, ws, actor, c)
	case ScheduleReport, Schedules, SchedulesOff:
		res, err = s.scheduleCommand(ctx, ws, actor, c)
	case nil:
		err = Errorf(EINVALID, "no command")
	default:
		res, err = s.update(ctx, ws.ID, actor, txOptions{op: cmd.CommandName(), dedupeKey: actor.DedupeKey, undo: true, cmd: cmd}, (*change).runCommand)
	}
	if err == nil {
		s.quietInChannel(ctx, actor, res)
	}
	s.ran(ctx, actor, commandName(cmd), err, time.Since(start))
	return res, err
}

// runCommand runs the change's chat command.
func (c *change) runCommand() error {
	switch cmd := c.cmd.(type) {
	case Track:
		return c.track(cmd)
	case Stop:
		return c.stop(cmd)
	case AddTask:
		return c.addTask(cmd)
	case CloseTask:
		return c.closeTask(cmd)
	case AddProject:
		return c.addProject(cmd)
	case CloseProject:
		return c.closeProject(cmd)
	case Log:
		return c.log(cmd)
	case DeleteEntry:
		return c.deleteEntry(cmd)
	case Undo:
		return c.undoLast()
	case TimeZone:
		return c.timeZone(cmd)
	case EditEntry:
		return c.editEntry(cmd)
	case Continue:
		return c.continueEntry(cmd)
	case ReopenTask:
		return c.reopenTask(cmd)
	case ReopenProject:
		return c.reopenProject(cmd)
	}
	return Errorf(EINVALID, "unknown command %q", c.cmd.CommandName())
}

// ran logs a command that ran and tells Options.OnCommand of it.
func (s *Service) ran(ctx context.Context, actor Actor, command string, err error, took time.Duration) {
	s.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "command",
		slog.String("command", command),
		slog.String("source", actor.Source),
		slog.Int64("user_id", int64(actor.User.ID)),
		slog.String("error", ErrorMessage(err)),
		slog.Duration("took", took))
	if s.opts.OnCommand != nil {
		s.opts.OnCommand(actor.Source, command, ErrorCode(err), took)
	}
}

func commandName(cmd Command) string {
	if cmd == nil {
		return ""
	}
	return cmd.CommandName()
}
