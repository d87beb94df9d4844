package slack_test

import (
	"testing"

	"github.com/chatops/gateway/adapters/chattest"
)

func TestChatSizeLimits(t *testing.T) {
	e := newEnv(t)
	chattest.SizeLimits(t, e.command, e.eventCount)
}
