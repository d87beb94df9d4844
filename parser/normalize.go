package parser

import (
	"strings"
	"unicode"
)

// entities are the HTML entities Slack escapes in message text.
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// Normalize undoes what chat clients do to typed text, so that the grammar
// sees plain ASCII punctuation:
//
//   - Slack's control sequences become what they display: <#C024BE91L|frontend>
//     becomes #frontend; a user mention becomes the plain name, <@U123|ana>
//     ana and <@U123> U123, never the @PROJECT shorthand;
//     <!here> becomes @here, and <http://x|label> becomes label (<http://x>
//     becomes http://x); then &amp;, &lt; and &gt; are unescaped.
//   - Typographic quotes (“ ” „ ‟ « » ‘ ’ ‚ ‛) become straight quotes.
//   - A typographic dash (‒ – — ―) that begins a word becomes the note
//     separator "--" (phones and word processors turn "--" into "—"), except
//     an en or figure dash standing between two numbers ("9 – 11"), which,
//     like a dash inside a word ("9–11") and the hyphens ‐ ‑ and the minus
//     sign −, becomes "-".
//   - Every space character (non-breaking spaces, tabs, newlines) becomes a
//     plain space; zero-width spaces and byte-order marks are dropped.
//   - Leading and trailing spaces are trimmed.
//
// Parse and ParseWithDefault call Normalize first, and error columns count
// runes of its result.
func Normalize(text string) string {
	text = entities.Replace(unescapeSlack(text))
	rs := []rune(text)
	var b strings.Builder
	b.Grow(len(text))
	for i, r := range rs {
		switch {
		case r == '“' || r == '”' || r == '„' || r == '‟' || r == '«' || r == '»':
			b.WriteByte('"')
		case r == '‘' || r == '’' || r == '‚' || r == '‛':
			b.WriteByte('\'')
		case r == '‐' || r == '‑' || r == '−':
			b.WriteByte('-')
		case r >= '‒' && r <= '―': // ‒ – — ―
			if startsWord(rs, i) && !(r <= '–' && betweenNumbers(rs, i)) {
				b.WriteString("--")
			} else {
				b.WriteByte('-')
			}
		case r == '\u200b' || r == '\ufeff':
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// startsWord reports whether rs[i] is at the start of the text or follows a
// space.
func startsWord(rs []rune, i int) bool {
	return i == 0 || unicode.IsSpace(rs[i-1])
}

// betweenNumbers reports whether the dash rs[i] stands alone between a word
// that starts with a digit and one that does ("9am – 11am").
func betweenNumbers(rs []rune, i int) bool {
	if i+2 >= len(rs) || !unicode.IsSpace(rs[i+1]) || !isDigit(rs[i+2]) {
		return false
	}
	j := i - 1
	for j >= 0 && unicode.IsSpace(rs[j]) {
		j--
	}
	for j > 0 && !unicode.IsSpace(rs[j-1]) {
		j--
	}
	return j >= 0 && isDigit(rs[j])
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// unescapeSlack replaces Slack's <…> control sequences by the text they
// display. Slack escapes a typed "<" as &lt;, so every "<" that has a
// matching ">" starts one.
func unescapeSlack(text string) string {
	if !strings.Contains(text, "<") {
		return text
	}
	var b strings.Builder
	for {
		start := strings.IndexByte(text, '<')
		if start < 0 {
			break
		}
		end := strings.IndexByte(text[start:], '>')
		if end < 0 {
			break
		}
		b.WriteString(text[:start])
		b.WriteString(slackDisplay(text[start+1 : start+end]))
		text = text[start+end+1:]
	}
	b.WriteString(text)
	return b.String()
}

// slackDisplay returns what Slack shows for the control sequence <seq>.
func slackDisplay(seq string) string {
	target, label, labelled := strings.Cut(seq, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		// A user mention is the person's plain name, never the @PROJECT
		// shorthand.
		if labelled {
			return strings.TrimPrefix(label, "@")
		}
		return target[1:]
	case strings.HasPrefix(target, "#"):
		if labelled {
			return target[:1] + strings.TrimPrefix(label, target[:1])
		}
		return target
	case strings.HasPrefix(target, "!"):
		if labelled {
			return label
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name
	case labelled:
		return label
	}
	return target
}
