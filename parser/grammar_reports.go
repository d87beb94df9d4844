package parser

import "github.com/chatops/gateway/core"

// reportCSV converts report [PERIOD] … csv: the report's command, asking
// for a link to it as CSV when csv ends it.
func (c *converter) reportCSV(t *reportCmd) (core.Command, error) {
	cmd, err := c.report(t)
	if err != nil || !t.CSV {
		return cmd, err
	}
	r, ok := cmd.(core.Report)
	if !ok {
		return cmd, nil
	}
	r.CSV = true
	return r, nil
}
