package github

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/reply"
)

// MaxBodyBytes is the largest webhook body the adapter reads (413 beyond),
// 1 MiB like every other way in. GitHub caps its payloads at 25 MB, but a
// push of 20 commits is some 50 KB.
const MaxBodyBytes = 1 << 20

// Options configure a Handler.
type Options struct {
	// Secret is the webhook's secret, which signs every delivery
	// (X-Hub-Signature-256). Required.
	Secret string
	// Logger receives a line for each rejected request and each skipped
	// commit author; nil discards.
	Logger *slog.Logger
}

// Handler serves POST /github/webhook.
type Handler struct {
	svc    *core.Service
	secret []byte
	log    *slog.Logger
}

// NewHandler returns a Handler that applies GitHub events through svc. It
// refuses an empty secret: go-github accepts unsigned bodies without one.
func NewHandler(svc *core.Service, opts Options) (*Handler, error) {
	if opts.Secret == "" {
		return nil, errors.New("github: a webhook secret is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, secret: []byte(opts.Secret), log: opts.Logger}, nil
}

// deliveryKey is the dedupe key of a delivery id: forgotten after a week (see
// core.TransientKeyPrefixes), unlike the keys of commit directives.
func deliveryKey(id string) string { return "github:delivery:" + id }

// ServeHTTP handles one webhook delivery: it checks the signature, skips a
// delivery seen before, applies the event and then remembers the delivery.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, body, err := h.serve(w, r)
	if err != nil {
		he, ok := errors.AsType[*httpx.Error](err)
		if !ok {
			h.log.ErrorContext(r.Context(), "github webhook failed", "err", err, "delivery", gh.DeliveryID(r))
			he = httpx.Internal()
		} else {
			h.log.WarnContext(r.Context(), "github webhook rejected", "status", he.Status, "reason", he.Message,
				"delivery", gh.DeliveryID(r), "event", gh.WebHookType(r), "remote", r.RemoteAddr)
		}
		_ = httpx.AdapterJSON.Error(w, he)
		return
	}
	_ = httpx.AdapterJSON.Write(w, status, body)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if r.Method != http.MethodPost {
		return 0, nil, httpx.Errorf(http.StatusMethodNotAllowed, core.EINVALID, "use POST")
	}
	// go-github reads only these two; anything else is malformed input.
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (ct != "application/json" && ct != "application/x-www-form-urlencoded") {
		return 0, nil, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "Content-Type must be application/json or application/x-www-form-urlencoded")
	}
	if r.Header.Get(gh.SHA256SignatureHeader) == "" {
		return 0, nil, httpx.Errorf(http.StatusUnauthorized, core.EUNAUTHORIZED, "missing %s", gh.SHA256SignatureHeader)
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	payload, err := gh.ValidatePayload(r, h.secret)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return 0, nil, httpx.Errorf(http.StatusRequestEntityTooLarge, core.ELIMIT, "request body is larger than %d bytes", MaxBodyBytes)
		}
		return 0, nil, httpx.Errorf(http.StatusUnauthorized, core.EUNAUTHORIZED, "wrong %s", gh.SHA256SignatureHeader)
	}
	typ, delivery := gh.WebHookType(r), gh.DeliveryID(r)
	if len(delivery) > 200 {
		return 0, nil, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "X-GitHub-Delivery is too long")
	}
	if delivery != "" {
		seen, err := h.svc.SeenKey(r.Context(), deliveryKey(delivery))
		if err != nil {
			return 0, nil, err
		}
		if seen {
			return http.StatusOK, map[string]any{"ok": true, "event": typ, "duplicate": true, "message": "delivery " + delivery + " was handled before"}, nil
		}
	}
	var status int
	var body any
	switch typ {
	case "ping":
		ev, err := parse[*gh.PingEvent](typ, payload)
		if err != nil {
			return 0, nil, err
		}
		status, body = http.StatusOK, map[string]any{"ok": true, "event": typ, "zen": ev.GetZen()}
	case "push":
		ev, err := parse[*gh.PushEvent](typ, payload)
		if err != nil {
			return 0, nil, err
		}
		rep, err := h.push(r.Context(), ev)
		if err != nil {
			return 0, nil, err
		}
		status, body = http.StatusOK, rep
	case "issues":
		ev, err := parse[*gh.IssuesEvent](typ, payload)
		if err != nil {
			return 0, nil, err
		}
		if status, body, err = h.issues(r.Context(), ev, delivery); err != nil {
			return 0, nil, err
		}
	case "":
		return 0, nil, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "missing %s", gh.EventTypeHeader)
	default:
		return http.StatusAccepted, map[string]any{"ok": true, "event": typ, "ignored": true, "message": "event " + typ + " is ignored; send push and issues"}, nil
	}
	if delivery != "" {
		if _, err := h.svc.RememberKey(r.Context(), deliveryKey(delivery)); err != nil {
			return 0, nil, err
		}
	}
	return status, body, nil
}

// parse decodes an event's payload with go-github.
func parse[T any](typ string, payload []byte) (T, error) {
	var zero T
	v, err := gh.ParseWebHook(typ, payload)
	if err != nil {
		return zero, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "malformed %s payload: %v", typ, err)
	}
	ev, ok := v.(T)
	if !ok {
		return zero, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "malformed %s payload", typ)
	}
	return ev, nil
}

// Outcome is what one directive did.
type Outcome struct {
	Commit    string `json:"commit"`
	Position  int    `json:"position"`
	Directive string `json:"directive"`
	// Result is the change made, as a sentence; Error why none was made.
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	// Events are the events the change wrote.
	Events []string `json:"events,omitempty"`
}

// SkippedCommit is a commit whose directives were not read.
type SkippedCommit struct {
	Commit string `json:"commit"`
	Reason string `json:"reason"`
}

// PushReport is the answer to a push: what each directive did, and what
// was skipped.
type PushReport struct {
	OK         bool   `json:"ok"`
	Event      string `json:"event"`
	Repository string `json:"repository"`
	Ref        string `json:"ref"`
	Commits    int    `json:"commits"`
	// Applied lists the changes made; Duplicates counts directives applied
	// before (a redelivery, or the same commit pushed again).
	Applied    []Outcome `json:"applied"`
	Duplicates int       `json:"duplicates"`
	// Failed lists directives that broke a rule (a closed project, an
	// amount over 24 hours); the others still apply.
	Failed  []Outcome       `json:"failed"`
	Skipped []SkippedCommit `json:"skipped"`
	// UnknownAuthors lists authors with directives whom no user's github
	// or email identity matches; their commits are skipped.
	UnknownAuthors []string `json:"unknown_authors"`
}

// push applies the directives of a push's commits.
func (h *Handler) push(ctx context.Context, ev *gh.PushEvent) (*PushReport, error) {
	repo := ev.GetRepo().GetFullName()
	if !core.ValidRepo(repo) {
		return nil, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "push payload has no repository full_name")
	}
	rep := &PushReport{OK: true, Event: "push", Repository: repo, Ref: ev.GetRef(), Commits: len(ev.Commits),
		Applied: []Outcome{}, Failed: []Outcome{}, Skipped: []SkippedCommit{}, UnknownAuthors: []string{}}
	def := ev.GetRepo().GetDefaultBranch()
	if def == "" {
		def = ev.GetRepo().GetMasterBranch()
	}
	closing := def != "" && ev.GetRef() == "refs/heads/"+def
	authors := map[string]*core.User{} // by author key; nil: unknown
	for _, c := range ev.Commits {
		if c == nil {
			continue
		}
		id, msg := c.GetID(), c.GetMessage()
		switch {
		case id == "":
			rep.Skipped = append(rep.Skipped, SkippedCommit{Commit: "", Reason: "no commit id"})
			continue
		case c.Distinct != nil && !*c.Distinct:
			rep.Skipped = append(rep.Skipped, SkippedCommit{Commit: id, Reason: "not distinct (pushed before)"})
			continue
		case IsMerge(msg):
			rep.Skipped = append(rep.Skipped, SkippedCommit{Commit: id, Reason: "merge commit"})
			continue
		}
		directives := ParseMessage(msg, closing)
		if len(directives) == 0 {
			continue
		}
		user, err := h.author(ctx, c.GetAuthor(), authors)
		if err != nil {
			return nil, err
		}
		if user == nil {
			who := authorName(c.GetAuthor())
			if !containsString(rep.UnknownAuthors, who) {
				rep.UnknownAuthors = append(rep.UnknownAuthors, who)
			}
			rep.Skipped = append(rep.Skipped, SkippedCommit{Commit: id, Reason: "unknown author " + who})
			h.log.InfoContext(ctx, "github: commit of an unknown author skipped", "repository", repo, "commit", id,
				"username", c.GetAuthor().GetLogin(), "email", c.GetAuthor().GetEmail())
			continue
		}
		for _, d := range directives {
			o, err := h.apply(ctx, repo, c, *user, d)
			if err != nil {
				return nil, err
			}
			switch {
			case o == nil:
				rep.Duplicates++
			case o.Error != "":
				rep.Failed = append(rep.Failed, *o)
			default:
				rep.Applied = append(rep.Applied, *o)
			}
		}
	}
	return rep, nil
}

// apply runs one directive as the commit's author. It returns nil for a
// directive applied before, an Outcome with Error for one that broke a
// rule, and an error only for a failure of the gateway itself.
func (h *Handler) apply(ctx context.Context, repo string, c *gh.HeadCommit, user core.User, d Directive) (*Outcome, error) {
	id := c.GetID()
	o := &Outcome{Commit: id, Position: d.Pos, Directive: d.Text}
	if d.Err != nil {
		o.Error = core.ErrorMessage(d.Err)
		if _, ok := errors.AsType[*core.Error](d.Err); !ok {
			o.Error = d.Err.Error()
		}
		return o, nil
	}
	actor := core.Actor{User: user, Source: "github", DedupeKey: fmt.Sprintf("github:%s:%s:%d", repo, id, d.Pos)}
	end := c.GetTimestamp().Time
	issueRepo := repo
	if d.Issue.Repo != "" {
		issueRepo = d.Issue.Repo
	}
	var res *core.Result
	var err error
	switch d.Kind {
	case KindTime:
		if end.IsZero() {
			o.Error = "the commit has no timestamp"
			return o, nil
		}
		ct := core.CommitTime{Repo: repo, Duration: d.Duration, End: end, Note: commitNote(id, c.GetMessage())}
		if d.Issue.Number > 0 {
			ct.Repo, ct.Issue = issueRepo, d.Issue.Number
		}
		res, err = h.svc.LogCommitTime(ctx, actor, ct)
	case KindClose:
		res, err = h.svc.HandleIssue(ctx, actor, core.IssueEvent{Repo: issueRepo, Number: d.Issue.Number, Action: core.IssueClosed})
	case KindLog:
		cmd := d.Log
		if !cmd.Amount.IsRange && cmd.When.Kind == core.DayToday && !end.IsZero() {
			cmd.End = &end
		}
		if cmd.Note == "" {
			cmd.Note = commitNote(id, c.GetMessage())
		}
		res, err = h.svc.CommitLog(ctx, actor, repo, cmd)
	default:
		return nil, fmt.Errorf("github: unknown directive kind %q", d.Kind)
	}
	switch {
	case errors.Is(err, core.ErrDuplicate):
		return nil, nil
	case core.ErrorCode(err) == core.EINTERNAL:
		return nil, err
	case err != nil:
		o.Error = core.ErrorMessage(err)
		return o, nil
	}
	o.Result, o.Events = reply.Text(res), res.Events
	return o, nil
}

// author returns the user who wrote a commit: by GitHub login, then by
// e-mail address; nil when neither is linked to a user.
func (h *Handler) author(ctx context.Context, a *gh.CommitAuthor, cache map[string]*core.User) (*core.User, error) {
	key := a.GetLogin() + "\x00" + a.GetEmail()
	if u, ok := cache[key]; ok {
		return u, nil
	}
	var found *core.User
	try := []core.Identity{}
	if l := strings.TrimSpace(a.GetLogin()); l != "" {
		try = append(try, core.Identity{Provider: core.ProviderGitHub, Subject: l})
	}
	if e := strings.TrimSpace(a.GetEmail()); e != "" {
		try = append(try, core.Identity{Provider: core.ProviderEmail, Subject: e})
		if low := strings.ToLower(e); low != e {
			try = append(try, core.Identity{Provider: core.ProviderEmail, Subject: low})
		}
	}
	for _, id := range try {
		u, err := h.svc.LookupIdentity(ctx, id.Provider, id.Subject)
		if err == nil {
			found = &u
			break
		}
		if core.ErrorCode(err) != core.ENOTFOUND {
			return nil, err
		}
	}
	cache[key] = found
	return found, nil
}

// authorName names a commit author in a report: "login", or
// "Name <email>".
func authorName(a *gh.CommitAuthor) string {
	if a.GetLogin() != "" {
		return a.GetLogin()
	}
	if a.GetName() != "" && a.GetEmail() != "" {
		return a.GetName() + " <" + a.GetEmail() + ">"
	}
	if a.GetEmail() != "" {
		return a.GetEmail()
	}
	if a.GetName() != "" {
		return a.GetName()
	}
	return "(no author)"
}

// commitNote is a time entry's note for a commit: its short id and subject.
func commitNote(id, message string) string {
	subject, _, _ := strings.Cut(message, "\n")
	subject = strings.TrimSpace(subject)
	if len(subject) > 200 {
		cut := 200
		for cut > 0 && subject[cut]&0xC0 == 0x80 {
			cut--
		}
		subject = subject[:cut] + "…"
	}
	if len(id) > 7 {
		id = id[:7]
	}
	return strings.TrimSpace(id + " " + subject)
}

// listOf returns list, or an empty list for nil: lists in answers are
// never null.
func listOf(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// issues applies an issues event: opened, closed and reopened change the
// issue's task; other actions are ignored.
func (h *Handler) issues(ctx context.Context, ev *gh.IssuesEvent, delivery string) (int, any, error) {
	action := ev.GetAction()
	switch action {
	case core.IssueOpened, core.IssueClosed, core.IssueReopened:
	default:
		return http.StatusAccepted, map[string]any{"ok": true, "event": "issues", "ignored": true, "message": "issue action " + action + " is ignored"}, nil
	}
	repo, n := ev.GetRepo().GetFullName(), ev.GetIssue().GetNumber()
	if !core.ValidRepo(repo) || n <= 0 {
		return 0, nil, httpx.Errorf(http.StatusBadRequest, core.EINVALID, "issues payload has no repository full_name or issue number")
	}
	user, err := h.svc.IssueActor(ctx, ev.GetSender().GetLogin())
	if err != nil {
		return 0, nil, err
	}
	actor := core.Actor{User: user, Source: "github"}
	if delivery != "" {
		actor.DedupeKey = fmt.Sprintf("github:%s:issue:%d:%s:%s", repo, n, action, delivery)
	}
	res, err := h.svc.HandleIssue(ctx, actor, core.IssueEvent{Repo: repo, Number: n, Title: ev.GetIssue().GetTitle(), Action: action})
	switch {
	case errors.Is(err, core.ErrDuplicate):
		return http.StatusOK, map[string]any{"ok": true, "event": "issues", "duplicate": true}, nil
	case core.ErrorCode(err) == core.EINTERNAL:
		return 0, nil, err
	case err != nil:
		return 0, nil, httpx.Errorf(http.StatusUnprocessableEntity, core.ErrorCode(err), "%s", core.ErrorMessage(err))
	}
	return http.StatusOK, map[string]any{"ok": true, "event": "issues", "action": action, "actor": user.Name,
		"result": reply.Text(res), "task": res.Task, "events": listOf(res.Events)}, nil
}
