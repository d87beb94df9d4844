package webhooks

import (
	"time"

	"github.com/chatops/gateway/core"
)

// withinRetention refuses a replay that reaches back past the retention
// (GATEWAY_RETENTION): events older than that may be gone, and a replay
// that silently sent only some of them would mislead.
func (s *Service) withinRetention(since time.Time) error {
	keep := s.opts.Retention
	if keep <= 0 {
		keep = core.DefaultRetention
	}
	if oldest := s.now().Add(-keep); since.Before(oldest) {
		return core.Errorf(core.EINVALID, "replay reaches back only %s (the retention): since must be at or after %s",
			keep, oldest.UTC().Format(time.RFC3339))
	}
	return nil
}
