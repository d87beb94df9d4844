package httpx_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsCoreAndStandardLibraryOnly keeps httpx at the bottom of the
// HTTP edge: the API and the adapters import it, and it imports nothing of
// theirs.
func TestImportsCoreAndStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/chatops/gateway/internal/httpx" && p != "github.com/chatops/gateway/core" {
			t.Errorf("httpx imports %s; it may import core and the standard library only", p)
		}
	}
}
