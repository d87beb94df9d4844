// Package api is the gateway's management REST API under /api/v1: API
// tokens, users and their identities, clients, projects, tasks, tags and
// time entries, plus the operators' /healthz and /readyz, the admin web
// page under /ui/ (ui*.go) and the WebWork-compatible webhooks API under
// /rest-api/v1 (webwork.go).
//
// Every request to /api/v1 carries "Authorization: Bearer TOKEN". Handlers
// return an error; one wrapper (Server.serve) logs it once and renders it:
// as {"error": {"code": …, "message": …}} under /api/v1, as WebWork's
// {"error": …, "success": false}, or as an HTML page under /ui/, each with
// the HTTP status that internal/httpx classifies it to (an *httpx.Error's
// own, else the core error code's, httpx.StatusOf). Every write goes through
// core.Service, which changes the state and appends its event in one
// transaction. All routes are registered in routes.go, the route table.
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
