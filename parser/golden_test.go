package parser

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json from the parser's output")

// goldenCase is what Parse made of one line of testdata/golden.txt: a
// command by name with its arguments, or an error.
type goldenCase struct {
	Input   string `json:"input"`
	Command string `json:"command,omitempty"`
	Args    any    `json:"args,omitempty"`
	Error   *Error `json:"error,omitempty"`
}

// TestGolden parses every line of testdata/golden.txt and compares the
// results with testdata/golden.json, a JSON array with one case a line;
// -update rewrites the latter.
func TestGolden(t *testing.T) {
	in, err := os.Open(filepath.Join("testdata", "golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var cases []goldenCase
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		line := lines.Text()
		if line == "" {
			continue
		}
		gc := goldenCase{Input: line}
		cmd, err := Parse(line)
		if err != nil {
			if !errors.As(err, &gc.Error) {
				t.Fatalf("Parse(%q) error %v is not a *Error", line, err)
			}
		} else {
			gc.Command, gc.Args = cmd.CommandName(), cmd
		}
		cases = append(cases, gc)
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, gc := range cases {
		if i > 0 {
			b.WriteString(",\n")
		}
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(gc); err != nil {
			t.Fatal(err)
		}
		b.Write(bytes.TrimSuffix(line.Bytes(), []byte("\n")))
	}
	b.WriteString("\n]\n")
	got := b.Bytes()
	path := filepath.Join("testdata", "golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("parser output differs from %s (run go test -run TestGolden -update and review the diff):\n%s", path, firstDiff(got, want))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) && i < len(w); i++ {
		if !bytes.Equal(g[i], w[i]) {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, g[i], w[i])
		}
	}
	return "the files differ in length"
}
