package reply_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsCoreOnly keeps the renderer a leaf: reply may import core and
// the standard library, nothing else.
func TestImportsCoreOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/chatops/gateway/reply" && p != "github.com/chatops/gateway/core" {
			t.Errorf("reply imports %s; it may import core and the standard library only", p)
		}
	}
}
