package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
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
}

// ChatIdentity is who a chat message comes from.
type ChatIdentity struct {
	Provider, Subject, Name string
}

// ErrDuplicate is returned for a change whose Actor.DedupeKey was seen before.
var ErrDuplicate = &Error{Code: ECONFLICT, Message: "this request was already handled"}

// Service runs commands: every rule of the domain lives here. It is safe for
// concurrent use.
type Service struct {
	store Store
	opts  Options

	wsOnce sync.Mutex
	ws     Workspace

	channels Channels

	idents identityCache
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

// Result is what a command did, for a transport to render.
type Result struct {
	// Command is the verb that ran.
	Command string `json:"command"`
	// Text is a one-paragraph human answer (Slack mrkdwn: *bold*).
	Text string `json:"text"`
	// Public says the answer is meant for the whole channel (track, stop).
	Public bool `json:"public"`

	Entry   *TimeEntry `json:"time_entry,omitempty"`
	Stopped *TimeEntry `json:"stopped,omitempty"`
	Task    *Task      `json:"task,omitempty"`
	Project *Project   `json:"project,omitempty"`
	Client  *Client    `json:"client,omitempty"`
	Report  *Summary   `json:"report,omitempty"`
	// Events are the types of the events the command wrote, in order.
	Events []string `json:"events,omitempty"`
}

// Summary is a report: the running timer and time per project.
type Summary struct {
	Title   string        `json:"title"`
	From    time.Time     `json:"from"`
	To      time.Time     `json:"to"`
	Running *RunningTimer `json:"running,omitempty"`
	Rows    []SummaryRow  `json:"rows"`
	Total   int64         `json:"total_seconds"`
}

// RunningTimer describes a running timer by name.
type RunningTimer struct {
	Entry   TimeEntry `json:"time_entry"`
	Task    string    `json:"task"`
	Project string    `json:"project"`
	Seconds int64     `json:"seconds"`
}

// SummaryRow is one project's total in a Summary.
type SummaryRow struct {
	Project string `json:"project"`
	Seconds int64  `json:"seconds"`
	Entries int    `json:"entries"`
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
	_, readOnly := cmd.(Help)
	switch cmd.(type) {
	case Status, Report, Notify, NotifyList, NotifyOff:
		readOnly = true // for the store: notify changes subscriptions through Channels
	}
	if id := actor.Identity; actor.User.ID == 0 && id != nil {
		if readOnly {
			if actor.User, err = s.ResolveIdentity(ctx, id.Provider, id.Subject, id.Name, actor.Source); err != nil {
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
	switch c := cmd.(type) {
	case Status:
		res, err = s.report(ctx, ws, actor, Period{}, true)
	case Report:
		res, err = s.report(ctx, ws, actor, c.Period, false)
	case Help:
		res = &Result{Command: "help", Text: HelpText(c.Topic)}
	case Notify, NotifyList, NotifyOff:
		res, err = s.notify(ctx, actor, c)
	case nil:
		err = Errorf(EINVALID, "no command")
	default:
		res, err = s.change(ctx, ws, actor, cmd)
	}
	s.ran(ctx, actor, commandName(cmd), err, time.Since(start))
	return res, err
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

// change runs a state-changing command in one Update.
func (s *Service) change(ctx context.Context, ws Workspace, actor Actor, cmd Command) (*Result, error) {
	var res *Result
	err := s.store.Update(ctx, func(tx Tx) error {
		c := &change{s: s, tx: tx, ws: ws.ID, actor: actor, now: s.Now(), res: &Result{Command: cmd.CommandName()}}
		if c.actor.User.ID == 0 {
			if err := c.resolveActor(); err != nil {
				return err
			}
		}
		if actor.DedupeKey != "" {
			fresh, err := tx.Remember(ws.ID, actor.DedupeKey, c.now)
			if err != nil {
				return err
			}
			if !fresh {
				return ErrDuplicate
			}
		}
		if err := c.run(cmd); err != nil {
			return err
		}
		if len(c.undo) > 0 {
			steps := make([]UndoStep, len(c.undo))
			for i, st := range c.undo {
				steps[len(c.undo)-1-i] = st
			}
			if err := tx.PushUndo(&UndoRecord{WorkspaceID: ws.ID, UserID: c.actor.User.ID, Action: cmd.CommandName(), Steps: steps, CreatedAt: c.now}); err != nil {
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

// change is the state of one state-changing command inside its transaction.
type change struct {
	s     *Service
	tx    Tx
	ws    ID
	actor Actor
	now   time.Time
	res   *Result
	undo  []UndoStep
}

func (c *change) run(cmd Command) error {
	switch cmd := cmd.(type) {
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
	}
	return Errorf(EINVALID, "unknown command %q", cmd.CommandName())
}

// resolveActor finds the user of the actor's chat identity, or creates a
// member for it.
func (c *change) resolveActor() error {
	id := c.actor.Identity
	if !ValidProvider(id.Provider) || strings.TrimSpace(id.Subject) == "" {
		return Errorf(EINVALID, "identity %s %q is not valid", id.Provider, id.Subject)
	}
	u, err := c.tx.UserByIdentity(c.ws, id.Provider, id.Subject)
	if ErrorCode(err) == ENOTFOUND {
		name, nerr := cleanName("user", id.Name)
		if nerr != nil {
			name = id.Provider + " user"
		}
		actor := c.actor
		u, err = c.s.createUser(c.tx, c.ws, actor, uniqueUserName(c.tx, c.ws, name), RoleMember, Identity{Provider: id.Provider, Subject: id.Subject})
		if err == nil {
			c.res.Events = append(c.res.Events, EventWorkspaceUserCreated)
		}
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

func (c *change) pushUndo(op string, id ID) { c.undo = append(c.undo, UndoStep{Op: op, ID: id}) }

// cleanName trims a name and checks it is usable.
func cleanName(kind, name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", Errorf(EINVALID, "%s name missing", kind)
	}
	if len(name) > 200 {
		return "", Errorf(EINVALID, "%s name is longer than 200 characters", kind)
	}
	return name, nil
}

// ensureClient finds or creates a client.
func (c *change) ensureClient(name string) (Client, error) {
	name, err := cleanName("client", name)
	if err != nil {
		return Client{}, err
	}
	cl, err := c.tx.ClientByName(c.ws, name)
	if ErrorCode(err) != ENOTFOUND {
		return cl, err
	}
	cl = Client{WorkspaceID: c.ws, Name: name, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateClient(&cl); err != nil {
		return Client{}, err
	}
	c.pushUndo("delete_client", cl.ID)
	return cl, c.emit(EventClientCreated, 0, 0, map[string]any{"client": cl})
}

// ensureProject finds an open project or creates it.
func (c *change) ensureProject(name string) (Project, error) {
	name, err := cleanName("project", name)
	if err != nil {
		return Project{}, err
	}
	p, err := c.tx.ProjectByName(c.ws, name)
	switch {
	case err == nil:
		if p.Status == StatusClosed {
			return Project{}, Errorf(EINVALID, "project %q is closed", p.Name)
		}
		return p, nil
	case ErrorCode(err) != ENOTFOUND:
		return Project{}, err
	}
	p = Project{WorkspaceID: c.ws, Name: name, Status: StatusOpen, CreatedBy: c.actor.User.ID, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateProject(&p); err != nil {
		return Project{}, err
	}
	c.pushUndo("delete_project", p.ID)
	return p, c.emit(EventProjectCreated, 0, p.ID, map[string]any{"project": p})
}

// ensureTask finds an open task, in project when it is set, else in any
// project; a missing task is created in project. Tasks always belong to a
// project, so a missing task without one is not found.
func (c *change) ensureTask(name string, project *Project) (Task, error) {
	name, err := cleanName("task", name)
	if err != nil {
		return Task{}, err
	}
	var pid ID
	if project != nil {
		pid = project.ID
	}
	t, err := c.tx.TaskByName(c.ws, pid, name)
	switch {
	case err == nil:
		if t.Status == StatusClosed {
			return Task{}, Errorf(EINVALID, "task %q is closed", t.Name)
		}
		return t, nil
	case ErrorCode(err) != ENOTFOUND:
		return Task{}, err
	case project == nil:
		return Task{}, Errorf(ENOTFOUND, "there is no task %q yet; name its project to create it: %q", name, "track "+name+" in PROJECT")
	}
	t = Task{WorkspaceID: c.ws, ProjectID: pid, Name: name, Status: StatusOpen, CreatedBy: c.actor.User.ID, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateTask(&t); err != nil {
		return Task{}, err
	}
	c.pushUndo("delete_task", t.ID)
	return t, c.emit(EventTaskCreated, 0, pid, map[string]any{"task": t, "project": project})
}

// ensureTags finds or creates tags and returns their names as stored.
func (c *change) ensureTags(names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		n, err := cleanName("tag", strings.TrimPrefix(n, "#"))
		if err != nil {
			return nil, err
		}
		if seen[NameKey(n)] {
			continue
		}
		seen[NameKey(n)] = true
		tg, err := c.tx.TagByName(c.ws, n)
		if ErrorCode(err) == ENOTFOUND {
			tg = Tag{WorkspaceID: c.ws, Name: n, CreatedAt: c.now, UpdatedAt: c.now}
			if err = c.tx.CreateTag(&tg); err == nil {
				c.pushUndo("delete_tag", tg.ID)
				err = c.emit(EventTagCreated, 0, 0, map[string]any{"tag": tg})
			}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tg.Name)
	}
	return out, nil
}

// target resolves the task and project a track or log names.
func (c *change) target(taskName, projectName string) (*Task, *Project, error) {
	var project *Project
	if projectName != "" {
		p, err := c.ensureProject(projectName)
		if err != nil {
			return nil, nil, err
		}
		project = &p
	}
	if taskName == "" {
		return nil, project, nil
	}
	t, err := c.ensureTask(taskName, project)
	if err != nil {
		return nil, nil, err
	}
	if project == nil && t.ProjectID != 0 {
		p, err := c.tx.Project(c.ws, t.ProjectID)
		if err != nil {
			return nil, nil, err
		}
		if p.Status == StatusClosed {
			return nil, nil, Errorf(EINVALID, "project %q is closed", p.Name)
		}
		project = &p
	}
	return &t, project, nil
}

// entryData is the data of a time entry's events.
func (c *change) entryData(e TimeEntry) (map[string]any, error) {
	data := map[string]any{"time_entry": e, "task": nil, "project": nil}
	if e.TaskID != 0 {
		t, err := c.tx.Task(c.ws, e.TaskID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if err == nil {
			data["task"] = t
		}
	}
	if e.ProjectID != 0 {
		p, err := c.tx.Project(c.ws, e.ProjectID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if err == nil {
			data["project"] = p
		}
	}
	return data, nil
}

func (c *change) emitEntry(typ string, e TimeEntry) error {
	data, err := c.entryData(e)
	if err != nil {
		return err
	}
	return c.emit(typ, e.UserID, e.ProjectID, data)
}

// stopRunning stops the actor's running timer, if any, and returns it.
func (c *change) stopRunning(note string) (*TimeEntry, error) {
	e, err := c.tx.RunningEntry(c.ws, c.actor.User.ID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	end := c.now
	if end.Before(e.Start) {
		end = e.Start
	}
	e.End = &end
	e.DurationSeconds = int64(end.Sub(e.Start) / time.Second)
	if note != "" {
		e.Note = joinNote(e.Note, note)
	}
	e.UpdatedAt = c.now
	if err := c.tx.UpdateEntry(&e); err != nil {
		return nil, err
	}
	c.pushUndo("resume_entry", e.ID)
	return &e, c.emitEntry(EventTrackerStopped, e)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func (c *change) track(cmd Track) error {
	stopped, err := c.stopRunning("")
	if err != nil {
		return err
	}
	task, project, err := c.target(cmd.Task, cmd.Project)
	if err != nil {
		return err
	}
	if task == nil {
		return Errorf(EINVALID, "task name missing")
	}
	tags, err := c.ensureTags(cmd.Tags)
	if err != nil {
		return err
	}
	e := TimeEntry{WorkspaceID: c.ws, UserID: c.actor.User.ID, TaskID: task.ID, ProjectID: task.ProjectID,
		Start: c.now, Note: strings.TrimSpace(cmd.Note), Billable: cmd.Billable, Tags: tags,
		Source: c.actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateEntry(&e); err != nil {
		return err
	}
	c.pushUndo("delete_entry", e.ID)
	if err := c.emit(EventTrackerStarted, e.UserID, e.ProjectID, map[string]any{"time_entry": e, "task": task, "project": project}); err != nil {
		return err
	}
	c.res.Public = true
	c.res.Entry, c.res.Task, c.res.Project, c.res.Stopped = &e, task, project, stopped
	c.res.Text = fmt.Sprintf("⏱ %s started *%s*%s", c.actor.User.Name, task.Name, inProject(project))
	if stopped != nil {
		c.res.Text += fmt.Sprintf(" (stopped the previous timer after %s)", HumanDuration(time.Duration(stopped.DurationSeconds)*time.Second))
	}
	return nil
}

func inProject(p *Project) string {
	if p == nil {
		return ""
	}
	return " in *" + p.Name + "*"
}

func (c *change) stop(cmd Stop) error {
	e, err := c.stopRunning(strings.TrimSpace(cmd.Note))
	if err != nil {
		return err
	}
	if e == nil {
		return Errorf(EINVALID, "no timer is running; start one with: track TASK in PROJECT")
	}
	c.res.Public = true
	c.res.Stopped = e
	name := c.entryName(*e)
	c.res.Text = fmt.Sprintf("⏹ %s stopped %s after %s", c.actor.User.Name, name, HumanDuration(time.Duration(e.DurationSeconds)*time.Second))
	return nil
}

// entryName describes an entry as "*Task* in *Project*".
func (c *change) entryName(e TimeEntry) string {
	var task, project string
	if e.TaskID != 0 {
		if t, err := c.tx.Task(c.ws, e.TaskID); err == nil {
			task = t.Name
		}
	}
	if e.ProjectID != 0 {
		if p, err := c.tx.Project(c.ws, e.ProjectID); err == nil {
			project = p.Name
		}
	}
	return describe(task, project)
}

func describe(task, project string) string {
	switch {
	case task != "" && project != "":
		return "*" + task + "* in *" + project + "*"
	case task != "":
		return "*" + task + "*"
	case project != "":
		return "*" + project + "*"
	}
	return "an entry without a task"
}

func (c *change) addTask(cmd AddTask) error {
	name, err := cleanName("task", cmd.Task)
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
	if t, err := c.tx.TaskByName(c.ws, project.ID, name); err == nil {
		return Errorf(ECONFLICT, "task %q already exists in %s", t.Name, project.Name)
	}
	t, err := c.ensureTask(name, &project)
	if err != nil {
		return err
	}
	c.res.Task, c.res.Project = &t, &project
	c.res.Text = fmt.Sprintf("Added task *%s*%s", t.Name, inProject(&project))
	return nil
}

func (c *change) findTask(name, projectName string) (Task, *Project, error) {
	name, err := cleanName("task", name)
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

func (c *change) closeTask(cmd CloseTask) error {
	t, project, err := c.findTask(cmd.Task, cmd.Project)
	if err != nil {
		return err
	}
	if t.Status == StatusClosed {
		return Errorf(EINVALID, "task %q is already closed", t.Name)
	}
	t.Status, t.UpdatedAt = StatusClosed, c.now
	if err := c.tx.UpdateTask(&t); err != nil {
		return err
	}
	c.pushUndo("reopen_task", t.ID)
	if err := c.emit(EventTaskClosed, 0, t.ProjectID, map[string]any{"task": t, "project": project}); err != nil {
		return err
	}
	c.res.Task, c.res.Project = &t, project
	c.res.Text = fmt.Sprintf("Closed task *%s*%s", t.Name, inProject(project))
	return nil
}

func (c *change) addProject(cmd AddProject) error {
	name, err := cleanName("project", cmd.Project)
	if err != nil {
		return err
	}
	if p, err := c.tx.ProjectByName(c.ws, name); err == nil {
		return Errorf(ECONFLICT, "project %q already exists", p.Name)
	}
	var client *Client
	if cmd.Client != "" {
		cl, err := c.ensureClient(cmd.Client)
		if err != nil {
			return err
		}
		client = &cl
	}
	p := Project{WorkspaceID: c.ws, Name: name, Status: StatusOpen, CreatedBy: c.actor.User.ID, CreatedAt: c.now, UpdatedAt: c.now}
	if client != nil {
		p.ClientID = client.ID
	}
	if err := c.tx.CreateProject(&p); err != nil {
		return err
	}
	c.pushUndo("delete_project", p.ID)
	if err := c.emit(EventProjectCreated, 0, p.ID, map[string]any{"project": p, "client": client}); err != nil {
		return err
	}
	c.res.Project, c.res.Client = &p, client
	c.res.Text = fmt.Sprintf("Added project *%s*", p.Name)
	if client != nil {
		c.res.Text += fmt.Sprintf(" for *%s*", client.Name)
	}
	return nil
}

func (c *change) closeProject(cmd CloseProject) error {
	name, err := cleanName("project", cmd.Project)
	if err != nil {
		return err
	}
	p, err := c.tx.ProjectByName(c.ws, name)
	if err != nil {
		return err
	}
	if p.Status == StatusClosed {
		return Errorf(EINVALID, "project %q is already closed", p.Name)
	}
	p.Status, p.UpdatedAt = StatusClosed, c.now
	if err := c.tx.UpdateProject(&p); err != nil {
		return err
	}
	c.pushUndo("reopen_project", p.ID)
	if err := c.emit(EventProjectClosed, 0, p.ID, map[string]any{"project": p}); err != nil {
		return err
	}
	c.res.Project = &p
	c.res.Text = fmt.Sprintf("Closed project *%s*", p.Name)
	return nil
}

// span computes a Log's start and end.
func (c *change) span(cmd Log) (start, end time.Time, err error) {
	loc := c.actor.User.Location()
	day, err := cmd.When.Resolve(c.now, loc)
	if err != nil {
		return start, end, err
	}
	a := cmd.Amount
	switch {
	case a.IsRange:
		if a.To <= a.From {
			return start, end, Errorf(EINVALID, "the range %s-%s ends before it starts", a.From, a.To)
		}
		// Wall clock on that day, right across a daylight-saving change.
		start = time.Date(day.Year(), day.Month(), day.Day(), int(a.From)/60, int(a.From)%60, 0, 0, loc)
		end = time.Date(day.Year(), day.Month(), day.Day(), int(a.To)/60, int(a.To)%60, 0, 0, loc)
	case a.Duration <= 0:
		return start, end, Errorf(EINVALID, "the amount of time is missing or zero")
	case a.Duration > 24*time.Hour:
		return start, end, Errorf(EINVALID, "%s is more than 24 hours; log it day by day", HumanDuration(a.Duration))
	case cmd.End != nil:
		end = cmd.End.UTC()
		start = end.Add(-a.Duration)
	case cmd.When.Kind == DayToday:
		end = c.now
		start = end.Add(-a.Duration)
	default:
		last, ok, err := c.tx.LastEntryEnd(c.ws, c.actor.User.ID, day.UTC(), day.AddDate(0, 0, 1).UTC())
		if err != nil {
			return start, end, err
		}
		start = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc)
		if ok {
			start = last
		}
		end = start.Add(a.Duration)
	}
	if end.After(c.now.Add(time.Minute)) {
		return start, end, Errorf(EINVALID, "that entry would end in the future (%s)", end.In(loc).Format("Mon 2 Jan 15:04"))
	}
	return start.UTC(), end.UTC(), nil
}

func (c *change) log(cmd Log) error {
	start, end, err := c.span(cmd)
	if err != nil {
		return err
	}
	task, project, err := c.target(cmd.Task, cmd.Project)
	if err != nil {
		return err
	}
	tags, err := c.ensureTags(cmd.Tags)
	if err != nil {
		return err
	}
	e := TimeEntry{WorkspaceID: c.ws, UserID: c.actor.User.ID, Start: start, End: &end,
		DurationSeconds: int64(end.Sub(start) / time.Second), Note: strings.TrimSpace(cmd.Note),
		Billable: cmd.Billable, Tags: tags, Source: c.actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
	if task != nil {
		e.TaskID = task.ID
	}
	if project != nil {
		e.ProjectID = project.ID
	}
	if err := c.tx.CreateEntry(&e); err != nil {
		return err
	}
	c.pushUndo("delete_entry", e.ID)
	if err := c.emit(EventTimeEntryCreated, e.UserID, e.ProjectID, map[string]any{"time_entry": e, "task": task, "project": project}); err != nil {
		return err
	}
	c.res.Entry, c.res.Task, c.res.Project = &e, task, project
	var taskName, projectName string
	if task != nil {
		taskName = task.Name
	}
	if project != nil {
		projectName = project.Name
	}
	loc := c.actor.User.Location()
	c.res.Text = fmt.Sprintf("Logged %s on %s, %s–%s (entry #%d)", HumanDuration(end.Sub(start)), describe(taskName, projectName),
		start.In(loc).Format("Mon 2 Jan 15:04"), end.In(loc).Format("15:04"), e.ID)
	return nil
}

// visibleEntry returns an entry the actor may change: their own, or any
// when they are an admin. Others' entries are not found.
func (c *change) visibleEntry(id ID) (TimeEntry, error) {
	e, err := c.tx.Entry(c.ws, id)
	if err == nil && e.UserID != c.actor.User.ID && c.actor.User.Role != RoleAdmin {
		err = Errorf(ENOTFOUND, "entry #%d not found", id)
	}
	if ErrorCode(err) == ENOTFOUND {
		err = Errorf(ENOTFOUND, "entry #%d not found", id)
	}
	return e, err
}

func (c *change) deleteEntry(cmd DeleteEntry) error {
	e, err := c.visibleEntry(cmd.ID)
	if err != nil {
		return err
	}
	data, err := c.entryData(e)
	if err != nil {
		return err
	}
	if err := c.tx.DeleteEntry(c.ws, e.ID); err != nil {
		return err
	}
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	c.undo = append(c.undo, UndoStep{Op: "restore_entry", ID: e.ID, V: v})
	if err := c.emit(EventTimeEntryDeleted, e.UserID, e.ProjectID, data); err != nil {
		return err
	}
	c.res.Entry = &e
	c.res.Text = fmt.Sprintf("Deleted entry #%d (%s)", e.ID, HumanDuration(e.Duration(c.now)))
	return nil
}

// undoLast reverses the actor's newest change within the undo window.
func (c *change) undoLast() error {
	r, err := c.tx.LastUndo(c.ws, c.actor.User.ID, c.now.Add(-c.s.opts.UndoWindow))
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(EINVALID, "nothing to undo in the last %s", HumanDuration(c.s.opts.UndoWindow))
	}
	if err != nil {
		return err
	}
	for _, st := range r.Steps {
		if err := c.reverse(st); err != nil {
			return err
		}
	}
	if err := c.tx.MarkUndone(r.ID); err != nil {
		return err
	}
	c.res.Text = fmt.Sprintf("Undid your last change (%s)", r.Action)
	return nil
}

// reverse runs one undo step, emitting the reversing event.
func (c *change) reverse(st UndoStep) error {
	switch st.Op {
	case "delete_entry":
		e, err := c.tx.Entry(c.ws, st.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := c.entryData(e)
		if err != nil {
			return err
		}
		if err := c.tx.DeleteEntry(c.ws, e.ID); err != nil {
			return err
		}
		return c.emit(EventTimeEntryDeleted, e.UserID, e.ProjectID, data)
	case "resume_entry":
		e, err := c.tx.Entry(c.ws, st.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := c.tx.RunningEntry(c.ws, e.UserID); err == nil {
			return Errorf(EINVALID, "cannot undo: another timer is running; stop it first")
		}
		e.End, e.DurationSeconds, e.UpdatedAt = nil, 0, c.now
		if err := c.tx.UpdateEntry(&e); err != nil {
			return err
		}
		return c.emitEntry(EventTrackerStarted, e)
	case "restore_entry":
		var e TimeEntry
		if err := json.Unmarshal(st.V, &e); err != nil {
			return fmt.Errorf("undo restore entry: %w", err)
		}
		if err := c.tx.CreateEntry(&e); err != nil {
			return err
		}
		if e.Running() {
			return c.emitEntry(EventTrackerStarted, e)
		}
		return c.emitEntry(EventTimeEntryCreated, e)
	case "delete_task":
		t, err := c.tx.Task(c.ws, st.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if n, err := c.tx.CountEntries(c.ws, 0, t.ID); err != nil || n > 0 {
			return err // still used: keep it
		}
		if err := c.tx.DeleteTask(c.ws, t.ID); err != nil {
			return err
		}
		return c.emit(EventTaskDeleted, 0, t.ProjectID, map[string]any{"task": t})
	case "delete_project":
		p, err := c.tx.Project(c.ws, st.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if n, err := c.tx.CountEntries(c.ws, p.ID, 0); err != nil || n > 0 {
			return err
		}
		if tasks, err := c.tx.ListTasks(c.ws, TaskFilter{ProjectID: p.ID}, Page{Limit: 1}); err != nil || len(tasks) > 0 {
			return err
		}
		if err := c.tx.DeleteProject(c.ws, p.ID); err != nil {
			return err
		}
		return c.emit(EventProjectDeleted, 0, p.ID, map[string]any{"project": p})
	case "delete_client":
		cl, err := c.tx.Client(c.ws, st.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if err := c.tx.DeleteClient(c.ws, cl.ID); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return nil
			}
			return err
		}
		return c.emit(EventClientDeleted, 0, 0, map[string]any{"client": cl})
	case "delete_tag":
		tg, err := c.tx.Tag(c.ws, st.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if err := c.tx.DeleteTag(c.ws, tg.ID); err != nil {
			return err
		}
		return c.emit(EventTagDeleted, 0, 0, map[string]any{"tag": tg})
	case "reopen_task":
		t, err := c.tx.Task(c.ws, st.ID)
		if err != nil {
			return err
		}
		t.Status, t.UpdatedAt = StatusOpen, c.now
		if err := c.tx.UpdateTask(&t); err != nil {
			return err
		}
		return c.emit(EventTaskUpdated, 0, t.ProjectID, map[string]any{"task": t})
	case "reopen_project":
		p, err := c.tx.Project(c.ws, st.ID)
		if err != nil {
			return err
		}
		p.Status, p.UpdatedAt = StatusOpen, c.now
		if err := c.tx.UpdateProject(&p); err != nil {
			return err
		}
		return c.emit(EventProjectUpdated, 0, p.ID, map[string]any{"project": p})
	}
	return fmt.Errorf("undo: unknown step %q", st.Op)
}

// report builds a Summary of the actor's own time.
func (s *Service) report(ctx context.Context, ws Workspace, actor Actor, period Period, status bool) (*Result, error) {
	loc := actor.User.Location()
	now := s.Now()
	from, to, err := period.Resolve(now, loc)
	if err != nil {
		return nil, err
	}
	sum := &Summary{From: from.UTC(), To: to.UTC()}
	err = s.store.View(ctx, func(tx Tx) error {
		names := map[ID]string{}
		projectName := func(id ID) string {
			if id == 0 {
				return "(no project)"
			}
			if n, ok := names[id]; ok {
				return n
			}
			n := fmt.Sprintf("project %d", id)
			if p, err := tx.Project(ws.ID, id); err == nil {
				n = p.Name
			}
			names[id] = n
			return n
		}
		if run, err := tx.RunningEntry(ws.ID, actor.User.ID); err == nil {
			rt := &RunningTimer{Entry: run, Project: projectName(run.ProjectID), Seconds: int64(now.Sub(run.Start) / time.Second)}
			if t, err := tx.Task(ws.ID, run.TaskID); err == nil {
				rt.Task = t.Name
			}
			if run.ProjectID == 0 {
				rt.Project = ""
			}
			sum.Running = rt
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
		rows := map[string]*SummaryRow{}
		var order []string
		page := Page{Limit: MaxPageLimit}
		for {
			entries, err := tx.ListEntries(ws.ID, EntryFilter{UserID: actor.User.ID, From: from.UTC(), To: to.UTC()}, page)
			if err != nil {
				return err
			}
			for _, e := range entries {
				st, en := e.Start, now
				if e.End != nil {
					en = *e.End
				}
				if st.Before(from) {
					st = from
				}
				if en.After(to) {
					en = to
				}
				secs := int64(en.Sub(st) / time.Second)
				if secs < 0 {
					continue
				}
				name := projectName(e.ProjectID)
				r, ok := rows[name]
				if !ok {
					r = &SummaryRow{Project: name}
					rows[name] = r
					order = append(order, name)
				}
				r.Seconds += secs
				r.Entries++
				sum.Total += secs
			}
			if len(entries) < page.Limit {
				break
			}
			page.After = entries[len(entries)-1].ID
		}
		for _, n := range order {
			sum.Rows = append(sum.Rows, *rows[n])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum.Title = periodTitle(period, from, loc)
	res := &Result{Command: "report", Report: sum}
	if status {
		res.Command = "status"
	}
	res.Text = sum.Text()
	return res, nil
}

func periodTitle(p Period, from time.Time, loc *time.Location) string {
	switch p.Kind {
	case PeriodToday:
		return "Today"
	case PeriodYesterday:
		return "Yesterday"
	case PeriodWeek:
		return "This week"
	case PeriodLastWeek:
		return "Last week"
	case PeriodMonth:
		return from.In(loc).Format("January 2006")
	}
	return from.In(loc).Format("Mon 2 Jan 2006")
}

// Text renders the summary as Slack mrkdwn.
func (sum *Summary) Text() string {
	var b strings.Builder
	if sum.Running != nil {
		fmt.Fprintf(&b, "⏱ Running: %s for %s\n", describe(sum.Running.Task, sum.Running.Project), HumanDuration(time.Duration(sum.Running.Seconds)*time.Second))
	} else {
		b.WriteString("No timer running.\n")
	}
	fmt.Fprintf(&b, "*%s*: %s", sum.Title, HumanDuration(time.Duration(sum.Total)*time.Second))
	for _, r := range sum.Rows {
		fmt.Fprintf(&b, "\n• %s: %s", r.Project, HumanDuration(time.Duration(r.Seconds)*time.Second))
	}
	return b.String()
}

// HumanDuration writes d as "1h 30m", "45m" or "20s".
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	case m > 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%ds", s)
}
