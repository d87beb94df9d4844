package webhooks

// SetHistoryBatchForTest sets how many rows of history one transaction of
// Delete removes, and returns a func that puts it back.
func SetHistoryBatchForTest(n int) (restore func()) {
	old := historyBatch
	historyBatch = n
	return func() { historyBatch = old }
}
