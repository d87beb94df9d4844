package api

import (
	"net/http"
	"strings"

	"github.com/chatops/gateway/core"
)

// The console's pages of incoming URLs, API tokens, users and GitHub
// repository mappings. Each calls the core.Service method the API calls,
// so members see and change what the API lets them: their own incoming
// URLs and tokens, their own time zone.

// --- Incoming URLs ---

type incomingRow struct {
	ID, Name, Owner string
	Created         stamp
}

type incomingView struct {
	uiView
	Notice string
	Admin  bool
	Hooks  []incomingRow
	Form   *form
	// NewURL is the URL of the hook just made, shown this once.
	NewURL, NewName string
}

func (u *webUI) incomingPage(w http.ResponseWriter, r *http.Request, sess session, status int, v incomingView) error {
	ctx := r.Context()
	hooks, err := allPages(func(p core.Page) ([]core.IncomingHook, core.ID, error) {
		return u.s.svc.ListIncomingHooks(ctx, sess.actor, p)
	})
	if err != nil {
		return err
	}
	nm := u.names(ctx, sess)
	for _, h := range hooks {
		owner, err := nm.user(h.OwnerID)
		if err != nil {
			return err
		}
		v.Hooks = append(v.Hooks, incomingRow{ID: h.ID.String(), Name: h.Name, Owner: owner,
			Created: stampOf(h.CreatedAt, sess.actor.User.Location())})
	}
	v.uiView, v.Admin = sectionView(sess, "Incoming URLs", "incoming"), sess.actor.User.Role == core.RoleAdmin
	if v.Notice == "" {
		v.Notice = noticeOf(r)
	}
	return u.render(w, status, "incoming", v)
}

func (u *webUI) listIncoming(w http.ResponseWriter, r *http.Request, sess session) error {
	return u.incomingPage(w, r, sess, http.StatusOK, incomingView{})
}

// createIncoming makes an incoming URL owned by the viewer and shows it
// once.
func (u *webUI) createIncoming(w http.ResponseWriter, r *http.Request, sess session) error {
	f := formOf(r)
	name := f.Val("name")
	token, h, err := u.s.svc.CreateIncomingHook(r.Context(), sess.actor, name)
	if err != nil {
		if !f.refused(err, "name", map[string][]string{"name": {"name", "hook name"}}) {
			return err
		}
		return u.incomingPage(w, r, sess, http.StatusUnprocessableEntity, incomingView{Form: f})
	}
	return u.incomingPage(w, r, sess, http.StatusOK, incomingView{NewURL: u.s.hookURL(r, token), NewName: h.Name})
}

func (u *webUI) deleteIncoming(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "incoming URL")
	if err != nil {
		return err
	}
	if err := u.s.svc.DeleteIncomingHook(r.Context(), sess.actor, id); err != nil {
		return err
	}
	return seeOther(w, r, "/ui/incoming?done=removed")
}

// --- API tokens ---

type tokenRow struct {
	ID, User string
	Created  stamp
	// Yours marks a token of the viewer.
	Yours bool
}

type tokensView struct {
	uiView
	Notice string
	Admin  bool
	Tokens []tokenRow
	Users  []core.User
	Form   *form
	// NewToken is the token just made, shown this once, for NewUser.
	NewToken, NewUser string
}

func (u *webUI) tokensPage(w http.ResponseWriter, r *http.Request, sess session, status int, v tokensView) error {
	ctx := r.Context()
	tokens, err := allPages(func(p core.Page) ([]core.Token, core.ID, error) { return u.s.svc.ListTokens(ctx, sess.actor, p) })
	if err != nil {
		return err
	}
	nm := u.names(ctx, sess)
	for _, k := range tokens {
		user, err := nm.user(k.UserID)
		if err != nil {
			return err
		}
		v.Tokens = append(v.Tokens, tokenRow{ID: k.ID.String(), User: user, Yours: k.UserID == sess.actor.User.ID,
			Created: stampOf(k.CreatedAt, sess.actor.User.Location())})
	}
	v.uiView, v.Admin = sectionView(sess, "API tokens", "tokens"), sess.actor.User.Role == core.RoleAdmin
	if v.Admin {
		if v.Users, err = allPages(func(p core.Page) ([]core.User, core.ID, error) { return u.s.svc.ListUsers(ctx, sess.actor, p) }); err != nil {
			return err
		}
	}
	if v.Notice == "" {
		v.Notice = noticeOf(r)
	}
	return u.render(w, status, "tokens", v)
}

func (u *webUI) listTokens(w http.ResponseWriter, r *http.Request, sess session) error {
	return u.tokensPage(w, r, sess, http.StatusOK, tokensView{})
}

// createToken issues a token (admins) for a user by name, creating the
// user with the role when there is none of that name, and shows it once.
func (u *webUI) createToken(w http.ResponseWriter, r *http.Request, sess session) error {
	if sess.actor.User.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins can create tokens")
	}
	f := formOf(r)
	f.require(map[string]string{"user": "Enter the name of the user the token is for (a new name makes a new user)."})
	role := core.Role(f.Val("role"))
	if role != "" && !role.Valid() {
		f.fail("role", "Choose admin or member.")
	}
	if !f.Failed() {
		token, user, err := u.s.svc.IssueToken(r.Context(), sess.actor, core.TokenRequest{User: f.Val("user"), Role: role})
		if err == nil {
			return u.tokensPage(w, r, sess, http.StatusOK, tokensView{NewToken: token, NewUser: user.Name})
		}
		if !f.refused(err, "user", map[string][]string{"user": {"user", "name"}, "role": {"role"}}) {
			return err
		}
	}
	return u.tokensPage(w, r, sess, http.StatusUnprocessableEntity, tokensView{Form: f})
}

func (u *webUI) revokeToken(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := u.s.svc.RevokeToken(r.Context(), sess.actor, id); err != nil {
		return err
	}
	return seeOther(w, r, "/ui/tokens?done=revoked")
}

// --- Users ---

type userRow struct {
	ID, Name, Role, TimeZone string
	Identities               []core.Identity
	You                      bool
}

type usersView struct {
	uiView
	Notice string
	Admin  bool
	Users  []userRow
	// Forms are the forms posted with errors: "create", "user-ID",
	// "ident-ID".
	Forms     map[string]*form
	Zones     []string
	Providers []string
	Roles     []string
}

// Form is the posted form of that key, nil when none.
func (v usersView) Form(key string) *form { return v.Forms[key] }

func (u *webUI) usersPage(w http.ResponseWriter, r *http.Request, sess session, status int, forms map[string]*form) error {
	ctx := r.Context()
	users, err := allPages(func(p core.Page) ([]core.User, core.ID, error) { return u.s.svc.ListUsers(ctx, sess.actor, p) })
	if err != nil {
		return err
	}
	v := usersView{uiView: sectionView(sess, "Users", "users"), Notice: noticeOf(r), Admin: sess.actor.User.Role == core.RoleAdmin,
		Forms: forms, Zones: core.ZoneNames(), Providers: []string{"slack", "github", "mattermost", "email"},
		Roles: []string{string(core.RoleMember), string(core.RoleAdmin)}}
	for _, us := range users {
		tz := us.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		v.Users = append(v.Users, userRow{ID: us.ID.String(), Name: us.Name, Role: string(us.Role), TimeZone: tz,
			Identities: us.Identities, You: us.ID == sess.actor.User.ID})
	}
	return u.render(w, status, "users", v)
}

func (u *webUI) listUsers(w http.ResponseWriter, r *http.Request, sess session) error {
	return u.usersPage(w, r, sess, http.StatusOK, nil)
}

// createUser adds a user (admins).
func (u *webUI) createUser(w http.ResponseWriter, r *http.Request, sess session) error {
	if sess.actor.User.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins can create users")
	}
	f := formOf(r)
	f.require(map[string]string{"name": "Enter the user's name."})
	if !f.Failed() {
		_, err := u.s.svc.CreateUser(r.Context(), sess.actor, f.Val("name"), core.Role(f.Val("role")))
		if err == nil {
			return seeOther(w, r, "/ui/users?done=usernew")
		}
		if !f.refused(err, "name", map[string][]string{"name": {"user", "name"}, "role": {"role"}}) {
			return err
		}
	}
	return u.usersPage(w, r, sess, http.StatusUnprocessableEntity, map[string]*form{"create": f})
}

// updateUser saves a user's role (admins) and time zone (admins, or a
// member their own); the zone may be a city, as the tz command takes it.
func (u *webUI) updateUser(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	target, err := u.s.svc.GetUser(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	f := formOf(r)
	var patch core.UserPatch
	if f.Val("time_zone") == "" {
		f.fail("time_zone", "Enter a time zone such as Europe/Berlin, or a city.")
	} else if tz, err := core.FindZone(f.Val("time_zone")); err != nil {
		f.fail("time_zone", core.ErrorMessage(err))
	} else if tz != target.TimeZone {
		patch.TimeZone = &tz
	}
	if role := core.Role(f.Val("role")); role != "" && role != target.Role {
		if !role.Valid() {
			f.fail("role", "Choose admin or member.")
		}
		patch.Role = &role
	}
	if !f.Failed() {
		if patch.Role == nil && patch.TimeZone == nil {
			return seeOther(w, r, "/ui/users?done=user")
		}
		_, err := u.s.svc.UpdateUser(r.Context(), sess.actor, id, patch)
		if err == nil {
			return seeOther(w, r, "/ui/users?done=user")
		}
		if !f.refused(err, "", map[string][]string{"time_zone": {"time zone", "unknown time zone"}, "role": {"role"}}) {
			return err
		}
	}
	return u.usersPage(w, r, sess, http.StatusUnprocessableEntity, map[string]*form{"user-" + id.String(): f})
}

// linkIdentity links a chat, GitHub or email identity to a user (admins).
func (u *webUI) linkIdentity(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if sess.actor.User.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins can link identities")
	}
	if _, err := u.s.svc.GetUser(r.Context(), sess.actor, id); err != nil {
		return err
	}
	f := formOf(r)
	f.require(map[string]string{"subject": "Enter the identity: a Slack or Mattermost user id, a GitHub login or an email address."})
	if f.Val("provider") == "" {
		f.fail("provider", "Choose where the identity is from.")
	}
	if !f.Failed() {
		_, err := u.s.svc.LinkIdentity(r.Context(), sess.actor, id, core.Identity{Provider: f.Val("provider"), Subject: f.Val("subject")})
		if err == nil {
			return seeOther(w, r, "/ui/users?done=identity")
		}
		if !f.refused(err, "subject", map[string][]string{"provider": {"provider"}, "subject": {"subject", "identity", "email"}}) {
			return err
		}
	}
	return u.usersPage(w, r, sess, http.StatusUnprocessableEntity, map[string]*form{"ident-" + id.String(): f})
}

// confirmDeleteUser asks before deleting a user.
func (u *webUI) confirmDeleteUser(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if sess.actor.User.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins can delete users")
	}
	target, err := u.s.svc.GetUser(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	return u.render(w, http.StatusOK, "confirm", confirmView{uiView: sectionView(sess, "Delete "+target.Name, "users"),
		Heading: "Delete the user “" + target.Name + "”?",
		Message: "Their tokens and identities are deleted with them, and their sessions end. A user with time entries cannot be deleted.",
		Action:  "/ui/users/" + id.String() + "/delete", Button: "Delete user", Cancel: "/ui/users"})
}

func (u *webUI) deleteUser(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := u.s.svc.DeleteUser(r.Context(), sess.actor, id); err != nil {
		return err
	}
	return seeOther(w, r, "/ui/users?done=userdel")
}

// --- GitHub repository mappings ---

type repositoriesView struct {
	uiView
	Notice   string
	Admin    bool
	Mappings []core.RepositoryMapping
	Projects []string
	Form     *form
}

func (u *webUI) repositoriesPage(w http.ResponseWriter, r *http.Request, sess session, status int, f *form) error {
	ctx := r.Context()
	ms, err := u.s.svc.RepositoryMappings(ctx, sess.actor)
	if err != nil {
		return err
	}
	v := repositoriesView{uiView: sectionView(sess, "GitHub repositories", "repositories"), Notice: noticeOf(r),
		Admin: sess.actor.User.Role == core.RoleAdmin, Mappings: ms, Form: f}
	if v.Admin {
		ps, err := allPages(func(p core.Page) ([]core.Project, core.ID, error) { return u.s.svc.ListProjects(ctx, sess.actor, p) })
		if err != nil {
			return err
		}
		for _, p := range ps {
			v.Projects = append(v.Projects, p.Name)
		}
	}
	return u.render(w, status, "repositories", v)
}

func (u *webUI) listRepositories(w http.ResponseWriter, r *http.Request, sess session) error {
	return u.repositoriesPage(w, r, sess, http.StatusOK, nil)
}

// mapRepository maps a repository to a project by name (admins), creating
// the project when missing, as PUT /github/repositories/{owner}/{name}.
func (u *webUI) mapRepository(w http.ResponseWriter, r *http.Request, sess session) error {
	if sess.actor.User.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins can map repositories")
	}
	f := formOf(r)
	repo := strings.Trim(f.Val("repo"), "/")
	if repo == "" {
		f.fail("repo", "Enter the repository's full name, such as octo/web.")
	} else if !core.ValidRepo(repo) {
		f.fail("repo", "“"+repo+"” is not a repository's full name such as octo/web.")
	}
	f.require(map[string]string{"project": "Enter the project its commits and issues go to."})
	if !f.Failed() {
		_, err := u.s.svc.MapRepository(r.Context(), sess.actor, repo, f.Val("project"))
		if err == nil {
			return seeOther(w, r, "/ui/repositories?done=mapped")
		}
		if !f.refused(err, "project", map[string][]string{"repo": {"\"", "repository"}, "project": {"project", "name"}}) {
			return err
		}
	}
	return u.repositoriesPage(w, r, sess, http.StatusUnprocessableEntity, f)
}
