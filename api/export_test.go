package api

// HoldWebhookForTest marks a test or replay of the subscription id as
// running, until the returned func is called.
func HoldWebhookForTest(s *Server, id string) (release func()) {
	release, _ = s.running.TryAcquire(id)
	return release
}
