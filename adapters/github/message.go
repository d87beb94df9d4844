package github

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/parser"
)

// Directive kinds.
const (
	// KindTime is a time directive: "spent 1h30m", "took: 45m", "@1h30m",
	// "#time 1h 30m".
	KindTime = "time"
	// KindClose is a closing keyword: "fixes #12", "closes octo/web#9".
	KindClose = "close"
	// KindLog is a "/log …" line in the command language.
	KindLog = "log"
)

// IssueRef names an issue: "#12" (Repo empty: the pushed repository) or
// "octo/web#9".
type IssueRef struct {
	Repo   string
	Number int
}

// Directive is one instruction found in a commit message.
type Directive struct {
	// Pos is the byte offset of the directive in the message: with the
	// repository and the commit id it keys the directive, so that it is
	// applied once.
	Pos  int
	Kind string
	// Text is the directive as written.
	Text string
	// Duration is a time directive's amount.
	Duration time.Duration
	// Issue is the issue a close directive closes, or the nearest issue
	// named before a time directive (zero: none, the entry goes on the
	// project).
	Issue IssueRef
	// Log is a log line's command.
	Log core.Log
	// Err is set when the directive was recognised but cannot be read (a
	// malformed amount, a log line with a mistake).
	Err error
}

var (
	// amount is a duration as commit messages write it: 1h30m, 1h 30m,
	// 1h30, 1.5h, 2 hours, 90m, 45 min, 1:30.
	amount = `(\d+(?:[.,]\d+)?\s*(?:hours?|hrs?|h)(?:\d+(?:minutes?|mins?|m)?|\s+\d+\s*(?:minutes?|mins?|m))?|\d+(?:[.,]\d+)?\s*(?:minutes?|mins?|m)|\d{1,2}:\d{2})\b`
	// timeRE finds time directives; exactly one of groups 1-3 holds the
	// amount.
	timeRE = regexp.MustCompile(`(?i)(?:\b(?:spent|took)\s*:?\s*` + amount + `|(?:^|[\s(\[])@` + amount + `|(?:^|[^\w])#time\s+` + amount + `)`)
	// issueRE finds issue references; group 1 is the repository, if any,
	// group 2 the number.
	issueRE = regexp.MustCompile(`(?:^|[^\w/.#-])((?:[\w.-]+)/(?:[\w.-]+))?#(\d+)\b`)
	// closeRE finds closing keywords as GitHub reads them.
	closeRE = regexp.MustCompile(`(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+((?:[\w.-]+)/(?:[\w.-]+))?#(\d+)\b`)
	// logLineRE finds "/log …" lines.
	logLineRE = regexp.MustCompile(`(?im)^[ \t]*/log(?:[ \t]+[^\r\n]*)?$`)
)

// IsMerge reports whether a commit message is a merge commit's, by its
// first words: "Merge pull request …", "Merge branch …" or
// "Merge remote-tracking branch …".
func IsMerge(message string) bool {
	for _, p := range []string{"Merge pull request ", "Merge branch ", "Merge remote-tracking branch "} {
		if strings.HasPrefix(message, p) {
			return true
		}
	}
	return false
}

// ParseMessage finds the directives of a commit message, in the order they
// appear. Closing keywords count only when closing is set (a push to the
// default branch). A time directive goes on the nearest issue named before
// it. Text on "/log" lines is read only as the log command.
func ParseMessage(message string, closing bool) []Directive {
	var out []Directive
	// Blank out the log lines, keeping offsets, so that the rest of the
	// scan does not read them.
	rest := []byte(message)
	for _, loc := range logLineRE.FindAllStringIndex(message, -1) {
		line := strings.TrimSpace(message[loc[0]:loc[1]])
		d := Directive{Pos: loc[0], Kind: KindLog, Text: line}
		cmd, err := parser.Parse(strings.TrimPrefix(line, "/"))
		switch c := cmd.(type) {
		case core.Log:
			d.Log = c
		default:
			if err == nil {
				err = fmt.Errorf("%q is not a log command", line)
			}
		}
		d.Err = err
		out = append(out, d)
		for i := loc[0]; i < loc[1]; i++ {
			rest[i] = ' '
		}
	}
	text := string(rest)

	var refs []Directive // issue references, as positions
	for _, m := range issueRE.FindAllStringSubmatchIndex(text, -1) {
		n, err := strconv.Atoi(text[m[4]:m[5]])
		if err != nil || n <= 0 {
			continue
		}
		ref := IssueRef{Number: n}
		if m[2] >= 0 {
			ref.Repo = text[m[2]:m[3]]
		}
		refs = append(refs, Directive{Pos: m[4] - 1, Issue: ref})
	}
	if closing {
		for _, m := range closeRE.FindAllStringSubmatchIndex(text, -1) {
			n, err := strconv.Atoi(text[m[4]:m[5]])
			if err != nil || n <= 0 {
				continue
			}
			d := Directive{Pos: m[0], Kind: KindClose, Text: text[m[0]:m[1]], Issue: IssueRef{Number: n}}
			if m[2] >= 0 {
				d.Issue.Repo = text[m[2]:m[3]]
			}
			out = append(out, d)
		}
	}
	for _, m := range timeRE.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		var raw string
		for g := 1; g <= 3; g++ {
			if m[2*g] >= 0 {
				raw = text[m[2*g]:m[2*g+1]]
			}
		}
		// Leave out the character before "@" or "#time" that the match
		// needed.
		for start < end && !strings.ContainsRune("sStT@#", rune(text[start])) {
			start++
		}
		d := Directive{Pos: start, Kind: KindTime, Text: strings.TrimSpace(text[start:end])}
		d.Duration, d.Err = ParseAmount(raw)
		for _, r := range refs {
			if r.Pos < start {
				d.Issue = r.Issue
			}
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pos < out[j].Pos })
	return out
}

// ParseAmount reads a directive's amount ("1h 30m", "1,5h", "45 min",
// "1:30") with the command language's rules for durations: positive, at
// most 24 hours.
func ParseAmount(s string) (time.Duration, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	s = strings.ReplaceAll(s, ",", ".")
	cmd, err := parser.Parse("log " + s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount of time: %w", s, err)
	}
	l, ok := cmd.(core.Log)
	if !ok || l.Amount.IsRange || l.Amount.Duration <= 0 || l.Task != "" || l.Project != "" {
		return 0, fmt.Errorf("%q is not an amount of time", s)
	}
	return l.Amount.Duration, nil
}
