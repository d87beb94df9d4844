package storetest

import (
	"testing"

	"github.com/chatops/gateway/core"
)

// Server secrets (Tx.Secret).

var secretTests = []test{
	{"Secret/FirstOneStays", func(t *testing.T, s core.Store) {
		first := write(t, s, func(tx core.Tx) (string, error) { return tx.Secret("report_links", "aaa", t0) })
		if first != "aaa" {
			t.Fatalf("first Secret = %q, want the fresh one", first)
		}
		again := write(t, s, func(tx core.Tx) (string, error) { return tx.Secret("report_links", "bbb", at(1)) })
		if again != "aaa" {
			t.Fatalf("second Secret = %q, want the stored one", again)
		}
		other := write(t, s, func(tx core.Tx) (string, error) { return tx.Secret("other", "ccc", t0) })
		if other != "ccc" {
			t.Fatalf("another name's Secret = %q, want its own", other)
		}
	}},
	{"Secret/RolledBackIsNotKept", func(t *testing.T, s core.Store) {
		err := s.Update(t.Context(), func(tx core.Tx) error {
			if _, err := tx.Secret("k", "lost", t0); err != nil {
				return err
			}
			return core.Errorf(core.EINVALID, "roll back")
		})
		if core.ErrorCode(err) != core.EINVALID {
			t.Fatalf("Update: %v", err)
		}
		if got := write(t, s, func(tx core.Tx) (string, error) { return tx.Secret("k", "kept", t0) }); got != "kept" {
			t.Fatalf("Secret after a rollback = %q, want %q", got, "kept")
		}
	}},
}
