package parser

import (
	"testing"

	"github.com/chatops/gateway/core"
)

// report … csv asks for a link to the report as CSV.
var reportCSVCases = []parseCase{
	{in: "report csv", want: core.Report{CSV: true}},
	{in: "report CSV", want: core.Report{CSV: true}},
	{in: "report last week csv", want: core.Report{Period: core.Period{Kind: core.PeriodLastWeek}, CSV: true}},
	{in: "report 2026-11-01..2026-11-30 csv", want: core.Report{Period: core.Period{Kind: core.PeriodRange, Date: "2026-11-01", To: "2026-11-30"}, CSV: true}},
	{in: "report week", want: core.Report{Period: core.Period{Kind: core.PeriodWeek}}},
	// csv is one of report's options, in any order with the others.
	{in: "report csv week", want: core.Report{Period: core.Period{Kind: core.PeriodWeek}, CSV: true}},
	{in: "report last month by task team csv", want: core.Report{Period: core.Period{Kind: core.PeriodLastMonth}, By: core.ByTask, Team: true, CSV: true}},
	{in: "report week csv csv", err: &Error{Column: 17, Message: `csv given twice`}},
}

func TestParseReportCSV(t *testing.T) {
	for _, tc := range reportCSVCases {
		t.Run(tc.in, func(t *testing.T) {
			checkParse(t, tc, func() (core.Command, error) { return Parse(tc.in) })
		})
	}
}
