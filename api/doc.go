// Package api is the gateway's management REST API under /api/v1: API
// tokens, users and their identities, clients, projects, tasks, tags and
// time entries, plus the operators' /healthz and /readyz, and the admin web
// page under /ui/ (ui.go).
//
// Every request to /api/v1 carries "Authorization: Bearer TOKEN". Handlers
// return an error; one wrapper renders it as
// {"error": {"code": …, "message": …}} with the HTTP status that the core
// error code maps to (statusOf), and logs the failure. Every write goes
// through core.Service, which changes the state and appends its event in one
// transaction. All routes are registered in routes.go.
//
// The web page is server-rendered HTML from embedded templates
// (ui_templates, ui_static), with no script. A person logs in with an API
// token, which a cookie (HttpOnly, SameSite=Strict, Path=/ui/) then holds,
// so no session lives in memory and any instance serves any request. It
// shows who is logged in, the webhooks they may see with buttons to test,
// enable and disable them, each webhook's delivery log, and the newest time
// entries, through the same core.Service and webhooks.Service calls as the
// API. Its forms carry the session's random CSRF token, and are refused
// from another site.
package api
