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

// An issue's task name fits GATEWAY_LIMIT_NAME, so a lowered limit never
// refuses a long title; at the default it is cut as before (200 bytes).
func TestIssueTaskNameFitsTheNameLimit(t *testing.T) {
	title := strings.Repeat("ü", 300)
	if got := issueTaskName(7, title, 20); len([]rune(got)) != 20 || !strings.HasPrefix(got, "#7 üü") || !strings.HasSuffix(got, "…") {
		t.Fatalf("cut to 20: %q (%d characters)", got, len([]rune(got)))
	}
	if got := issueTaskName(7, title, MaxNameChars); len(got) > 200 || !strings.HasSuffix(got, "…") {
		t.Fatalf("default: %d bytes", len(got))
	}
	if got := issueTaskName(7, "Short", 20); got != "#7 Short" {
		t.Fatalf("short title: %q", got)
	}
}
