// Package api is the gateway's management REST API under /api/v1: API
// tokens, users and their identities, clients, projects, tasks, tags and
// time entries, plus the operators' /healthz and /readyz.
//
// Every request to /api/v1 carries "Authorization: Bearer TOKEN". Handlers
// return an error; one wrapper renders it as
// {"error": {"code": …, "message": …}} with the HTTP status that the core
// error code maps to (statusOf), and logs the failure. Every write goes
// through core.Service, which changes the state and appends its event in one
// transaction. All routes are registered in routes.go.
package api
