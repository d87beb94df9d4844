// Package core is the domain of the gateway: workspaces, users and their
// identities, clients, projects, tasks, tags and time entries; the commands a
// person can give (one type per action); the events every change emits; and
// Service, which holds every rule and runs each command in one store
// transaction together with the events it causes.
//
// Every way into the gateway (Slack, Mattermost, GitHub, generic hooks, the
// API) ends at Service, and every way out starts at the outbox the store keeps.
// The package imports the standard library only.
package core
