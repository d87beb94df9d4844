//go:build ignore

// vulndb.go turns the OSV files of a golang.org/x/vulndb module (data/osv)
// into the layout govulncheck reads with -db file://DIR: index/db.json,
// index/modules.json and ID/GO-….json. .ci/run uses it when vuln.go.dev
// cannot be reached, so the check still runs, on the snapshot of the
// database that the module proxy serves.
//
//	go run .ci/vulndb.go SRC_DIR/data/osv OUT_DIR
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type vuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Fixed    string    `json:"fixed,omitempty"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run .ci/vulndb.go OSV_DIR OUT_DIR")
		os.Exit(2)
	}
	src, out := os.Args[1], os.Args[2]
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(files) == 0 {
		fail(fmt.Errorf("no OSV files in %s (%v)", src, err))
	}
	for _, d := range []string{"index", "ID"} {
		fail(os.MkdirAll(filepath.Join(out, d), 0o755))
	}
	mods := map[string][]vuln{}
	var latest time.Time
	for _, f := range files {
		raw, err := os.ReadFile(f)
		fail(err)
		var e entry
		fail(json.Unmarshal(raw, &e))
		if e.Modified.After(latest) {
			latest = e.Modified
		}
		fail(os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), raw, 0o644))
		seen := map[string]bool{}
		for _, a := range e.Affected {
			if seen[a.Package.Name] {
				continue
			}
			seen[a.Package.Name] = true
			v := vuln{ID: e.ID, Modified: e.Modified}
			for _, r := range a.Ranges {
				for _, ev := range r.Events {
					if ev["fixed"] != "" {
						v.Fixed = ev["fixed"]
					}
				}
			}
			mods[a.Package.Name] = append(mods[a.Package.Name], v)
		}
	}
	type module struct {
		Path  string `json:"path"`
		Vulns []vuln `json:"vulns"`
	}
	var list []module
	for p, vs := range mods {
		sort.Slice(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
		list = append(list, module{p, vs})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	write(filepath.Join(out, "index", "modules.json"), list)
	write(filepath.Join(out, "index", "db.json"), map[string]time.Time{"modified": latest})
}

func write(path string, v any) {
	b, err := json.Marshal(v)
	fail(err)
	fail(os.WriteFile(path, b, 0o644))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}
