package core_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStandardLibraryOnly keeps the domain free of dependencies:
// core may import the standard library and nothing else.
func TestImportsStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/chatops/gateway/core" {
			t.Errorf("core imports %s; it may import the standard library only", p)
		}
	}
}
