package reply

import (
	"fmt"

	"github.com/chatops/gateway/core"
)

// reportLink answers report … csv: the link to the CSV, and until when it
// works, in the user's zone.
func reportLink(res *core.Result, d Dialect) string {
	title := "Report"
	if res.Report != nil {
		title = res.Report.Title
	}
	until := res.LinkExpires.In(res.User.Location()).Format("15:04 MST")
	return fmt.Sprintf("📄 %s as CSV: %s (the link works until %s; it needs no login, so share it only with whom may see it)",
		d.Strong(title), d.Link(res.Link, "download"), until)
}
