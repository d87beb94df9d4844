package api

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/webhooks"
)

// Register adds every route of the API to r: /healthz and /readyz for
// operators, under /api/v1 the management API, where each request needs
// "Authorization: Bearer TOKEN", under /ui/ the admin web page, and under
// /rest-api/v1 the WebWork-compatible webhooks API. Unless r already has
// them, it also gives r JSON answers for an unknown path (404) and a wrong
// method (405).
//
// Each route names how it is served; all of them go through Server.serve,
// which logs a failure once and renders it:
//
//	s.handle         anyone; failures as {"error": {"code", "message"}}
//	s.authed         a bearer token; failures as s.handle's
//	s.webworkHandle  a bearer token; failures as {"error", "success": false}
//	ui.page          anyone; the page's headers; failures as an HTML page
//	ui.authed        a session cookie, and its CSRF token on a POST; as ui.page
func (s *Server) Register(r *mux.Router) {
	const (
		get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
		put, patch, del = http.MethodPut, http.MethodPatch, http.MethodDelete
	)
	if r.NotFoundHandler == nil {
		r.NotFoundHandler = s.handle(s.notFound)
	}
	if r.MethodNotAllowedHandler == nil {
		r.MethodNotAllowedHandler = s.handle(s.methodNotAllowed)
	}
	r.Handle("/healthz", s.handle(s.healthz)).Methods(get, head)
	r.Handle("/readyz", s.handle(s.readyz)).Methods(get, head)

	// Full paths rather than a mux subrouter: a subrouter's routes lose
	// the "wrong method" of an earlier route and answer 404 for it.
	v1 := prefixed{r, "/api/v1"}

	v1.Handle("/tokens", s.authed(s.createToken)).Methods(post)     // admins
	v1.Handle("/tokens", s.authed(s.listTokens)).Methods(get)       // admins: all; members: own
	v1.Handle("/tokens/{id}", s.authed(s.revokeToken)).Methods(del) // admins: any; members: own

	v1.Handle("/users", s.authed(s.listUsers)).Methods(get)
	v1.Handle("/users", s.authed(s.createUser)).Methods(post) // admins
	v1.Handle("/users/{id}", s.authed(s.getUser)).Methods(get)
	v1.Handle("/users/{id}", s.authed(s.updateUser)).Methods(patch)             // members: own time_zone
	v1.Handle("/users/{id}", s.authed(s.deleteUser)).Methods(del)               // admins
	v1.Handle("/users/{id}/identities", s.authed(s.linkIdentity)).Methods(post) // admins

	v1.Handle("/schedules", s.authed(s.listSchedules)).Methods(get)       // admins: all; members: own
	v1.Handle("/schedules/{id}", s.authed(s.deleteSchedule)).Methods(del) // admins: any; members: own

	v1.Handle("/clients", s.authed(s.listClients)).Methods(get)
	v1.Handle("/clients", s.authed(s.createClient)).Methods(post)
	v1.Handle("/clients/{id}", s.authed(s.getClient)).Methods(get)
	v1.Handle("/clients/{id}", s.authed(s.updateClient)).Methods(patch)
	v1.Handle("/clients/{id}", s.authed(s.deleteClient)).Methods(del) // admins

	v1.Handle("/projects", s.authed(s.listProjects)).Methods(get)
	v1.Handle("/projects", s.authed(s.createProject)).Methods(post)
	v1.Handle("/projects/{id}", s.authed(s.getProject)).Methods(get)
	v1.Handle("/projects/{id}", s.authed(s.updateProject)).Methods(patch)
	v1.Handle("/projects/{id}", s.authed(s.deleteProject)).Methods(del) // admins

	v1.Handle("/tasks", s.authed(s.listTasks)).Methods(get) // ?project_id=
	v1.Handle("/tasks", s.authed(s.createTask)).Methods(post)
	v1.Handle("/tasks/{id}", s.authed(s.getTask)).Methods(get)
	v1.Handle("/tasks/{id}", s.authed(s.updateTask)).Methods(patch)
	v1.Handle("/tasks/{id}", s.authed(s.deleteTask)).Methods(del) // admins

	v1.Handle("/tags", s.authed(s.listTags)).Methods(get)
	v1.Handle("/tags", s.authed(s.createTag)).Methods(post)
	v1.Handle("/tags/{id}", s.authed(s.getTag)).Methods(get)
	v1.Handle("/tags/{id}", s.authed(s.updateTag)).Methods(patch)
	v1.Handle("/tags/{id}", s.authed(s.deleteTag)).Methods(del) // admins

	// Members see and change only their own entries.
	v1.Handle("/time-entries", s.authed(s.listEntries)).Methods(get) // ?user_id= ?project_id= ?task_id= ?from= ?to=
	v1.Handle("/time-entries", s.authed(s.createEntry)).Methods(post)
	v1.Handle("/time-entries/{id}", s.authed(s.getEntry)).Methods(get)
	v1.Handle("/time-entries/{id}", s.authed(s.updateEntry)).Methods(patch)
	v1.Handle("/time-entries/{id}", s.authed(s.deleteEntry)).Methods(del)

	// Reports: a member's own time, an admin's everyone's; a signed link
	// from chat's report … csv opens one report without a token.
	v1.Handle("/reports", s.handle(s.reports)).Methods(get) // ?from= ?to= ?group_by= ?format=json|csv

	// Incoming hook URLs: admins see and delete all, members their own.
	v1.Handle("/incoming", s.authed(s.listIncoming)).Methods(get)
	v1.Handle("/incoming", s.authed(s.createIncoming)).Methods(post) // answers the URL once
	v1.Handle("/incoming/{id}", s.authed(s.deleteIncoming)).Methods(del)
	v1.Handle("/github/repositories/{owner}/{name}", s.authed(s.getRepository)).Methods(get)
	v1.Handle("/github/repositories/{owner}/{name}", s.authed(s.putRepository)).Methods(put) // admins: {"project": NAME}

	// Outgoing webhooks: admins see and manage all, members their own.
	v1.Handle("/event-types", s.authed(s.eventTypes)).Methods(get)
	v1.Handle("/webhooks", s.authed(s.listWebhooks)).Methods(get)
	v1.Handle("/webhooks", s.authed(s.createWebhook)).Methods(post)
	v1.Handle("/webhooks/{id}", s.authed(s.subscriptionAction((*webhooks.Service).Get))).Methods(get)
	v1.Handle("/webhooks/{id}", s.authed(s.replaceWebhook)).Methods(put)
	v1.Handle("/webhooks/{id}", s.authed(s.patchWebhook)).Methods(patch)
	v1.Handle("/webhooks/{id}", s.authed(s.deleteWebhook)).Methods(del)
	v1.Handle("/webhooks/{id}/test", s.authed(s.throttled(s.subscriptionAction((*webhooks.Service).Test)))).Methods(post)
	v1.Handle("/webhooks/{id}/enable", s.authed(s.subscriptionAction((*webhooks.Service).Enable))).Methods(post)
	v1.Handle("/webhooks/{id}/disable", s.authed(s.subscriptionAction((*webhooks.Service).Disable))).Methods(post)
	v1.Handle("/webhooks/{id}/rotate-secret", s.authed(s.subscriptionAction((*webhooks.Service).RotateSecret))).Methods(post)
	v1.Handle("/webhooks/{id}/deliveries", s.authed(s.webhookDeliveries)).Methods(get)
	v1.Handle("/webhooks/{id}/replay", s.authed(s.throttled(s.replayWebhook))).Methods(post)
	v1.Handle("/webhooks/{id}/deliveries/{delivery_id}/resend", s.authed(s.throttled(s.resendWebhook))).Methods(post)
	v1.Handle("/webhooks/{id}/validate/{code}", s.handle(s.validateWebhook)).Methods(get) // the code authenticates
	v1.Handle("/openapi.json", s.handle(s.openAPI)).Methods(get)                          // no token (openapi.go)

	// The admin web page (ui*.go): server-rendered HTML, no script. A cookie
	// holds the API token a person logged in with; every POST but the login
	// carries a CSRF token, and none may come from another site.
	ui := s.newUI()
	r.Handle("/ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently)).Methods(get, head)
	r.Handle("/ui/", ui.authed(ui.dashboard)).Methods(get, head) // the login form without a session
	r.Handle("/ui/login", ui.page(ui.loginPage)).Methods(get, head)
	r.Handle("/ui/login", ui.page(ui.login)).Methods(post)
	r.Handle("/ui/logout", ui.authed(ui.logout)).Methods(post)
	r.Handle("/ui/webhooks/new", ui.authed(ui.newWebhook)).Methods(get, head) // before {id}
	r.Handle("/ui/webhooks/{id}", ui.authed(ui.webhookLog)).Methods(get, head)
	r.Handle("/ui/webhooks/{id}/{action:test|enable|disable}", ui.authed(ui.webhookAction)).Methods(post)
	r.Handle("/ui/webhooks", ui.authed(ui.createWebhook)).Methods(post)
	r.Handle("/ui/webhooks/{id}/edit", ui.authed(ui.editWebhook)).Methods(get, head)
	r.Handle("/ui/webhooks/{id}/edit", ui.authed(ui.updateWebhook)).Methods(post)
	r.Handle("/ui/webhooks/{id}/delete", ui.authed(ui.confirmDeleteWebhook)).Methods(get, head)
	r.Handle("/ui/webhooks/{id}/delete", ui.authed(ui.deleteWebhook)).Methods(post)
	r.Handle("/ui/webhooks/{id}/reveal", ui.authed(ui.revealSecret)).Methods(post)
	r.Handle("/ui/webhooks/{id}/rotate-secret", ui.authed(ui.rotateSecret)).Methods(post)
	r.Handle("/ui/webhooks/{id}/replay", ui.authed(ui.replayWindow)).Methods(post)
	r.Handle("/ui/webhooks/{id}/deliveries/{delivery_id}/resend", ui.authed(ui.resendDelivery)).Methods(post)
	r.Handle("/ui/incoming", ui.authed(ui.listIncoming)).Methods(get, head)
	r.Handle("/ui/incoming", ui.authed(ui.createIncoming)).Methods(post)
	r.Handle("/ui/incoming/{id}/delete", ui.authed(ui.deleteIncoming)).Methods(post)
	r.Handle("/ui/tokens", ui.authed(ui.listTokens)).Methods(get, head)
	r.Handle("/ui/tokens", ui.authed(ui.createToken)).Methods(post) // admins
	r.Handle("/ui/tokens/{id}/revoke", ui.authed(ui.revokeToken)).Methods(post)
	r.Handle("/ui/users", ui.authed(ui.listUsers)).Methods(get, head)
	r.Handle("/ui/users", ui.authed(ui.createUser)).Methods(post)                         // admins
	r.Handle("/ui/users/{id}", ui.authed(ui.updateUser)).Methods(post)                    // members: own time zone
	r.Handle("/ui/users/{id}/identities", ui.authed(ui.linkIdentity)).Methods(post)       // admins
	r.Handle("/ui/users/{id}/delete", ui.authed(ui.confirmDeleteUser)).Methods(get, head) // admins
	r.Handle("/ui/users/{id}/delete", ui.authed(ui.deleteUser)).Methods(post)             // admins
	r.Handle("/ui/repositories", ui.authed(ui.listRepositories)).Methods(get, head)
	r.Handle("/ui/repositories", ui.authed(ui.mapRepository)).Methods(post) // admins
	r.Handle("/ui/reports", ui.authed(ui.reports)).Methods(get, head)
	r.Handle("/ui/reports/csv", ui.authed(ui.reportCSV)).Methods(get, head)
	r.Handle("/ui/reports/entries/csv", ui.authed(ui.entriesCSV)).Methods(get, head)
	r.Handle("/ui/schedules", ui.authed(ui.listSchedules)).Methods(get, head)
	r.Handle("/ui/schedules/{id}/delete", ui.authed(ui.confirmDeleteSchedule)).Methods(get, head)
	r.Handle("/ui/schedules/{id}/delete", ui.authed(ui.deleteSchedule)).Methods(post)
	r.Handle("/ui/reminder/off", ui.authed(ui.reminderOff)).Methods(post)
	r.Handle("/ui/static/{file}", ui.page(ui.static)).Methods(get, head)
	r.PathPrefix("/ui/").Handler(ui.page(ui.noSuchPage)) // an HTML 404 or 405, with the page's headers

	// WebWork-compatible webhooks API.
	r.Handle("/rest-api/v1/webhooks", s.webworkHandle(s.webworkList)).Methods(get)
	r.Handle("/rest-api/v1/webhooks", s.webworkHandle(s.webworkCreate)).Methods(post)
	r.Handle("/rest-api/v1/webhooks/{id}", s.webworkHandle(s.webworkGet)).Methods(get)
	r.Handle("/rest-api/v1/webhooks/{id}", s.webworkHandle(s.webworkUpdate)).Methods(put)
	r.Handle("/rest-api/v1/webhooks/{id}", s.webworkHandle(s.webworkDelete)).Methods(del)
}

// prefixed registers routes under a path prefix.
type prefixed struct {
	r      *mux.Router
	prefix string
}

func (v prefixed) Handle(path string, h http.Handler) *mux.Route {
	return v.r.Handle(v.prefix+path, h)
}
