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

// Prune deletes what the gateway keeps only for a while: remembered request
// keys with a TransientKeyPrefixes prefix older than Options.KeyRetention,
// and undo records older than the undo window (and an hour more, for the
// clocks of several instances). It works in small transactions until
// nothing old is left and returns how many rows it deleted.
func (s *Service) Prune(ctx context.Context) (int, error) {
	now := s.Now()
	total := 0
	batches := func(del func(tx Tx) (int, error)) error {
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
			total += n
			if n < pruneBatch {
				return nil
			}
		}
	}
	for _, prefix := range TransientKeyPrefixes {
		before := now.Add(-s.opts.KeyRetention)
		if err := batches(func(tx Tx) (int, error) { return tx.ForgetKeys(prefix, before, pruneBatch) }); err != nil {
			return total, err
		}
	}
	undoBefore := now.Add(-s.opts.UndoWindow - time.Hour)
	err := batches(func(tx Tx) (int, error) { return tx.PruneUndo(undoBefore, pruneBatch) })
	return total, err
}

// RunPruner prunes at once and then every interval until ctx ends, logging
// what it deleted.
func (s *Service) RunPruner(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := s.Prune(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.opts.Logger.Warn("prune failed", "err", err, "deleted", n)
		case n > 0:
			s.opts.Logger.Info("pruned old request keys and undo records", "deleted", n, "took", time.Since(start))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
