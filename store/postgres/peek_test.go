package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/postgres/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// In an Update, Subscription locks the subscription's row until the
// transaction ends and PeekSubscription does not: another connection can
// lock the row (NOWAIT) while a transaction holds it peeked, not while it
// holds it read. The delivery engine records each outcome after a peek, so
// the workers of one subscription no longer wait for each other's commits.
func TestPeekSubscriptionTakesNoLock(t *testing.T) {
	url := pgtest.Schema(t)
	s := openTest(t, url, Options{})
	ws, user := fixture(t, s)
	sub := subscription(t, s, ws, user, true, core.SubActive)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// lockable tries to lock the row from another transaction, without
	// waiting: "" when it could, else the error's SQLSTATE.
	lockable := func() string {
		tx, err := conn.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(context.Background())
		_, err = tx.Exec(t.Context(), "SELECT 1 FROM subscriptions WHERE id = $1 FOR UPDATE NOWAIT", int64(sub.ID))
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return pe.Code
		}
		if err != nil {
			t.Fatal(err)
		}
		return ""
	}
	for _, c := range []struct {
		name string
		read func(core.Tx) (core.Subscription, error)
		want string // 55P03: lock_not_available
	}{
		{"PeekSubscription", func(tx core.Tx) (core.Subscription, error) { return tx.PeekSubscription(ws, sub.ID) }, ""},
		{"Subscription", func(tx core.Tx) (core.Subscription, error) { return tx.Subscription(ws, sub.ID) }, "55P03"},
	} {
		update(t, s, func(tx core.Tx) error {
			got, err := c.read(tx)
			if err != nil {
				return err
			}
			if got.ID != sub.ID || got.Name != "hook" || got.Status != core.SubActive {
				t.Errorf("%s read %+v", c.name, got)
			}
			if code := lockable(); code != c.want {
				t.Errorf("after %s, another transaction's FOR UPDATE NOWAIT: %q, want %q", c.name, code, c.want)
			}
			return nil
		})
	}
	update(t, s, func(tx core.Tx) error {
		if _, err := tx.PeekSubscription(ws, sub.ID+1000); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("PeekSubscription of a missing one: %v, want not_found", err)
		}
		return nil
	})
}
