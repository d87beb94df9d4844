package core

import (
	"strings"
	"testing"
)

// Repository names hold only what GitHub allows, so a path such as
// ..\..\x or one with SQL in it is never mapped.
func TestValidRepo(t *testing.T) {
	for repo, want := range map[string]bool{
		"octo/web": true, "Octo-Org/my_repo.js": true, "a/b": true,
		"octo": false, "/web": false, "octo/": false, "octo/a/b": false, "octo/..": false, "./web": false,
		`..\..\windows/win.ini`: false, "octo/web' OR 1=1": false, "octo/wéb": false, "octo/we b": false,
		"o/" + strings.Repeat("x", 199): false,
	} {
		if got := ValidRepo(repo); got != want {
			t.Errorf("ValidRepo(%q) = %v, want %v", repo, got, want)
		}
	}
}
