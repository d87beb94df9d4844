package core

import "time"

// ConsoleTx is the part of Tx that the web console (/ui/) reads besides
// what the API does: the figures of its dashboard and the list of GitHub
// repository mappings.
type ConsoleTx interface {
	// DeliveryStats counts a workspace's deliveries (with owner set, those
	// of that user's subscriptions only): by outcome those that changed at
	// or after since, and every pending one (the queue depth) with the
	// oldest of them by event.
	DeliveryStats(ws, owner ID, since time.Time) (DeliveryStats, error)
	// ListRepoProjects lists a workspace's repository mappings ordered by
	// repository (ignoring case).
	ListRepoProjects(ws ID) ([]RepoProject, error)
}

// DeliveryStats are the delivery figures of the console's dashboard.
type DeliveryStats struct {
	// Delivered, Retrying (pending after a failed attempt) and Failed
	// (every attempt of the schedule failed) count the deliveries that
	// changed since the time asked for.
	Delivered, Retrying, Failed int
	// Pending counts every pending delivery, due or not: the queue depth.
	Pending int
	// Oldest is the pending delivery of the oldest event, nil when none is
	// pending.
	Oldest *Delivery
}

// RepoProject is a GitHub repository mapped to a project.
type RepoProject struct {
	Repo      string
	ProjectID ID
}
