package core

import "time"

// IncomingHook is an incoming URL (POST /hooks/{token}) that lets any
// program run commands as its owner. Only the SHA-256 hash of its token is
// stored (HashToken); the token itself is shown once, when it is made.
type IncomingHook struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"workspace_id"`
	OwnerID     ID        `json:"owner"`
	Name        string    `json:"name"`
	TokenHash   string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// IncomingTx is the part of Tx that keeps incoming hooks and the GitHub
// repository mappings.
//
// Repositories are named by their full name ("octo/web") and matched
// ignoring case, as GitHub does.
type IncomingTx interface {
	// CreateIncomingHook adds a hook; not_found when the workspace or the
	// owner does not exist, conflict when the token hash is taken.
	CreateIncomingHook(h *IncomingHook) error
	// IncomingHook returns a hook of the workspace.
	IncomingHook(ws, id ID) (IncomingHook, error)
	// IncomingHookByHash finds a hook by its token's hash, in any workspace.
	IncomingHookByHash(hash string) (IncomingHook, error)
	// ListIncomingHooks lists a workspace's hooks by id; with owner set,
	// that user's only.
	ListIncomingHooks(ws, owner ID, p Page) ([]IncomingHook, error)
	// DeleteIncomingHook removes a hook.
	DeleteIncomingHook(ws, id ID) error

	// SetRepoProject maps a repository to a project, replacing an earlier
	// mapping; not_found when the project does not exist. Deleting the
	// project removes the mapping.
	SetRepoProject(ws ID, repo string, project ID) error
	// RepoProject returns the project a repository is mapped to;
	// not_found when it is not mapped.
	RepoProject(ws ID, repo string) (ID, error)

	// SetIssueTask links issue number of a repository to a task, replacing
	// an earlier link; not_found when the task does not exist. Deleting the
	// task removes the link.
	SetIssueTask(ws ID, repo string, number int, task ID) error
	// IssueTask returns the task linked to an issue; not_found when there
	// is none.
	IssueTask(ws ID, repo string, number int) (ID, error)

	// Remembered reports whether Remember has recorded key, without
	// recording it.
	Remembered(ws ID, key string) (bool, error)
}
