package sqltx

import "testing"

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"UPDATE t SET a = ?1 WHERE b = ?2 OR c = ?1", "UPDATE t SET a = $1 WHERE b = $2 OR c = $1"},
		{"SELECT CAST(?12 AS text), ?3", "SELECT CAST($12 AS text), $3"},
		{"SELECT '?', \"a?\", ? FROM t", "SELECT '?', \"a?\", $1 FROM t"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
	} {
		if got := Rebind(tc.in); got != tc.want {
			t.Errorf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRebinderCaches(t *testing.T) {
	var r Rebinder
	q := "SELECT ? + ?"
	if a, b := r.Rebind(q), r.Rebind(q); a != "SELECT $1 + $2" || a != b {
		t.Fatalf("Rebind = %q then %q", a, b)
	}
	if n := testing.AllocsPerRun(100, func() { r.Rebind(q) }); n != 0 {
		t.Errorf("a cached Rebind allocates %v times", n)
	}
}
