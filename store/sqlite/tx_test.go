package sqlite

import "testing"

// Insert leaves out only a final RETURNING of the rowid; any other query
// runs as written.
func TestWithoutReturningKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"INSERT INTO t (a) VALUES (?) RETURNING id", "INSERT INTO t (a) VALUES (?)"},
		{"INSERT INTO outbox (a)\n\tVALUES (?) RETURNING seq", "INSERT INTO outbox (a)\n\tVALUES (?)"},
		{"INSERT INTO t (a) SELECT s.id FROM s WHERE s.id = ?2\n\t\tRETURNING id", "INSERT INTO t (a) SELECT s.id FROM s WHERE s.id = ?2"},
		{"INSERT INTO t (a) VALUES (?) RETURNING id, a", "INSERT INTO t (a) VALUES (?) RETURNING id, a"},
		{"INSERT INTO t (a) VALUES (?) RETURNING " + "seq_no", "INSERT INTO t (a) VALUES (?) RETURNING seq_no"},
		{"INSERT INTO t (a) VALUES (?)", "INSERT INTO t (a) VALUES (?)"},
	} {
		if got := withoutReturningKey(c.in); got != c.want {
			t.Errorf("withoutReturningKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
