package core

import (
	"context"
	"time"
)

// DefaultKeyRetention is how long remembered request keys (Slack trigger
// ids, GitHub deliveries, Idempotency-Keys) are kept when
// Options.KeyRetention is zero: longer than any sender retries or lets a
// user redeliver (GitHub: 3 days).
const DefaultKeyRetention = 7 * 24 * time.Hour

// pruneBatch is the most rows of each kind one prune transaction deletes,
// so that pruning never holds the store's writer for long.
const pruneBatch = 1000

// TransientKeyPrefixes start the remembered request keys that are
// forgotten after Options.KeyRetention: chat triggers, incoming-hook
// Idempotency-Keys and GitHub delivery ids. Other keys (a GitHub commit's
// directives, which the same commit pushed to another branch months later
// must not apply again) are kept for good.
var TransientKeyPrefixes = []string{"slack:", "mattermost:", "generic:", "github:delivery:"}

// Pruned counts what one Prune deleted, by kind; it is what `gateway prune`
// prints.
type Pruned struct {
	Events     int `json:"events"`
	Deliveries int `json:"deliveries"`
	Attempts   int `json:"attempts"`
	Keys       int `json:"keys"`
	Undo       int `json:"undo"`
	Sessions   int `json:"sessions"`
}

// Total is how many rows were deleted in all.
func (p Pruned) Total() int {
	return p.Events + p.Deliveries + p.Attempts + p.Keys + p.Undo + p.Sessions
}

// Prune deletes what the gateway keeps only for a while: remembered request
// keys with a TransientKeyPrefixes prefix older than Options.KeyRetention;
// undo records older than the undo window (and an hour more, for the clocks
// of several instances); expired web sessions; and delivery attempts,
// finished deliveries and outbox events older than Options.Retention that no
// subscription is still owed (see RetentionTx). It works in small
// transactions until nothing old is left and returns what it deleted.
func (s *Service) Prune(ctx context.Context) (Pruned, error) {
	now := s.Now()
	var p Pruned
	batches := func(count *int, del func(tx Tx) (int, error)) error {
		for {
			var n int
			err := s.store.Update(ctx, func(tx Tx) error {
				var err error
				n, err = del(tx)
				return err
			})
			if err != nil {
				return err
			}
			*count += n
			if n < pruneBatch {
				return nil
			}
		}
	}
	for _, prefix := range TransientKeyPrefixes {
		before := now.Add(-s.opts.KeyRetention)
		if err := batches(&p.Keys, func(tx Tx) (int, error) { return tx.ForgetKeys(prefix, before, pruneBatch) }); err != nil {
			return p, err
		}
	}
	undoBefore := now.Add(-s.opts.UndoWindow - time.Hour)
	old := now.Add(-s.opts.Retention)
	// Attempts before their deliveries, deliveries before their events: a
	// row is never left pointing at one already gone.
	steps := []struct {
		count *int
		del   func(tx Tx) (int, error)
	}{
		{&p.Undo, func(tx Tx) (int, error) { return tx.PruneUndo(undoBefore, pruneBatch) }},
		{&p.Sessions, func(tx Tx) (int, error) { return tx.PruneSessions(now, pruneBatch) }},
		{&p.Attempts, func(tx Tx) (int, error) { return tx.PruneAttempts(old, pruneBatch) }},
		{&p.Deliveries, func(tx Tx) (int, error) { return tx.PruneDeliveries(old, pruneBatch) }},
		{&p.Events, func(tx Tx) (int, error) { return tx.PruneEvents(old, pruneBatch) }},
	}
	for _, st := range steps {
		if err := batches(st.count, st.del); err != nil {
			return p, err
		}
	}
	return p, nil
}

// RetentionStart is the oldest time whose events are kept: events before it
// may have been pruned (replay reaches back no further).
func (s *Service) RetentionStart() time.Time { return s.Now().Add(-s.opts.Retention) }

// RunPruner prunes at once and then every interval until ctx ends, logging
// what it deleted.
func (s *Service) RunPruner(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		p, err := s.Prune(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.opts.Logger.Warn("prune failed", "err", err, "deleted", p.Total())
		case p.Total() > 0:
			s.opts.Logger.Info("pruned old records", "events", p.Events, "deliveries", p.Deliveries,
				"attempts", p.Attempts, "keys", p.Keys, "undo", p.Undo, "sessions", p.Sessions, "took", time.Since(start))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
