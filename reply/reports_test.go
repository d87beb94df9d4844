package reply

import (
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func TestReportLinkReply(t *testing.T) {
	at := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)
	res := &core.Result{Command: "report", Report: &core.Summary{Title: "This week"}, User: core.User{Name: "ana", TimeZone: "Europe/Berlin"},
		Link: "https://gw.example/api/v1/reports?from=x&group_by=project&signature=ab", LinkExpires: at.Add(15 * time.Minute), At: at}
	for _, tc := range []struct {
		d    Dialect
		want string
	}{
		{Slack, "📄 *This week* as CSV: <https://gw.example/api/v1/reports?from=x&amp;group_by=project&amp;signature=ab|download> (the link works until 16:15 CET;"},
		{Markdown, "📄 **This week** as CSV: [download](https://gw.example/api/v1/reports?from=x&group_by=project&signature=ab) (the link works until 16:15 CET;"},
	} {
		if got := Render(res, tc.d); !strings.HasPrefix(got, tc.want) {
			t.Errorf("got  %s\nwant %s…", got, tc.want)
		}
	}
}
