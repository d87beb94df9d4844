package parser

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/chatops/gateway/core"
)

// Parse reads one command from text: what follows the slash command, or a
// generic hook's text. It normalizes text first (see Normalize); empty text
// is core.Help{}. A command it cannot read is a *Error.
func Parse(text string) (core.Command, error) {
	return parse(Normalize(text))
}

// ParseWithDefault is Parse for a slash command that implies a verb: with
// defaultVerb "track" (the command /track), "Fix login in Website" reads as
// "track Fix login in Website". Text that starts with a verb keeps its own
// ("stop", "report week"), so a name that starts with a verb is quoted.
// Empty text is the implied command alone, or help on it when that command
// needs more ("/stop" stops; "/track" shows help on track). defaultVerb may
// be any verb of the language, also "add task" or "done"; "", or a word that
// is no verb ("tt"), implies nothing. Error columns count runes of the
// normalized text, without the implied verb.
func ParseWithDefault(text, defaultVerb string) (core.Command, error) {
	text = Normalize(text)
	verb := Normalize(defaultVerb)
	name, _ := commandOf(strings.Fields(verb))
	if name == "" {
		return parse(text)
	}
	if text == "" {
		cmd, err := parse(verb)
		if err != nil {
			return core.Help{Topic: name}, nil
		}
		return cmd, nil
	}
	first, _, _ := strings.Cut(text, " ")
	prefix := verb + " "
	if own, _ := commandOf([]string{first}); own != "" {
		cmd, err := parse(text)
		if e, ok := err.(*Error); ok && e.Hint == "" && e.syntax {
			// The hint applies only when the text reads as a name of
			// the implied command.
			if _, err := parse(prefix + text); err == nil {
				e.Hint = fmt.Sprintf("%q is a command: quote a name that starts with it", first)
			}
		}
		return cmd, err
	}
	cmd, err := parse(prefix + text)
	if e, ok := err.(*Error); ok {
		e.Column = max(1, e.Column-utf8.RuneCountInString(prefix))
	}
	if t, ok := cmd.(core.Track); ok && strings.HasPrefix(t.Task, first) {
		t.Typo = core.VerbTypo(first)
		cmd = t
	}
	return cmd, err
}

// parse reads normalized text.
func parse(text string) (core.Command, error) {
	if text == "" {
		return core.Help{}, nil
	}
	if cmd, ok, err := scheduledReport(text); ok {
		return cmd, err
	}
	tree, err := grammar.ParseString("", text)
	if err != nil {
		return nil, syntaxError(text, err)
	}
	c := converter{text: text, example: exampleFor(text)}
	return c.command(tree)
}

// nameEnders are the token types that end a name where a name may go on.
var nameEnders = func() map[lexer.TokenType]bool {
	symbols := lex.Symbols()
	return map[lexer.TokenType]bool{symbols["Reserved"]: true, symbols["Weekday"]: true, symbols["Date"]: true, symbols["For"]: true}
}()

// endsName reports whether word, alone, is a token that ends a name.
func endsName(word string) bool {
	l, err := lex.LexString("", word)
	if err != nil {
		return false
	}
	t, err := l.Next()
	return err == nil && nameEnders[t.Type]
}

// periodHint says what a report covers.
const periodHint = "a report covers today, yesterday, this week, last week, this month, last month, a date (YYYY-MM-DD) or a range of dates (2026-11-01..2026-11-30)"

// syntaxError turns a participle error on text into an *Error.
func syntaxError(text string, err error) *Error {
	e := &Error{Column: 1, Message: "cannot read the command", Example: exampleFor(text), syntax: true}
	var perr participle.Error
	if !errors.As(err, &perr) {
		return e
	}
	pos := perr.Position()
	e.Column = pos.Column
	var lexErr *lexer.Error
	if errors.As(err, &lexErr) {
		if text[pos.Offset] == '#' {
			e.Message = fmt.Sprintf("invalid tag %q", wordAt(text, pos.Offset))
			e.Hint = "a tag holds letters, digits, - _ / and ."
		} else {
			e.Message = "unterminated quote"
			e.Hint = fmt.Sprintf("end the name with %c", text[pos.Offset])
		}
		return e
	}
	words, starts := fields(text)
	cmd, n := commandOf(words)
	word := wordAt(text, pos.Offset)
	// prev is the word before the error, or the last word at the end.
	prev := len(words) - 1
	if pos.Offset < len(text) {
		prev = wordIndex(starts, pos.Offset) - 1
	}
	relative := prev >= 0 && (strings.EqualFold(words[prev], "last") || strings.EqualFold(words[prev], "this"))
	switch {
	case pos.Offset == 0:
		e.Message = fmt.Sprintf("unknown command %q", word)
		e.Hint = commandList
		if v := core.VerbTypo(word); v != "" {
			e.Hint = fmt.Sprintf("did you mean %q?", v)
			if ex, ok := examples[v]; ok {
				e.Example = ex
			}
		}
	case cmd == "report":
		e.Message = fmt.Sprintf("unexpected %q", word)
		if word == "" {
			e.Message = "the command ends too early"
		}
		e.Hint = periodHint
	case cmd == "entries":
		e.Message = fmt.Sprintf("unexpected %q", word)
		e.Hint = "entries lists a day (today, yesterday, fri, 2026-11-20, 1 Dec) or a week (this week, last week)"
	case cmd == "log" && n < len(starts) && pos.Offset == starts[n]:
		e.Message = fmt.Sprintf("%q is not an amount of time", word)
		e.Hint = "give a duration like 1h30m or a range like 9-11"
	case relative:
		e.Column = utf8.RuneCountInString(text[:starts[prev]]) + 1
		e.Message = fmt.Sprintf("%q needs a weekday after it, as in %s fri", words[prev], strings.ToLower(words[prev]))
		e.Hint = fmt.Sprintf("quote a name that holds %q", words[prev])
	case word == "":
		e.Message = "the command ends too early"
	default:
		e.Message = fmt.Sprintf("unexpected %q", word)
		switch {
		case endsName(word):
			e.Hint = fmt.Sprintf("quote a name that holds %q, as in \"Log in page\"", word)
		case prev >= 0 && endsName(words[prev]):
			e.Hint = fmt.Sprintf("quote a name that holds %q, as in \"Log in page\"", words[prev])
		}
	}
	return e
}

// wordAt returns the word of text that starts at offset.
func wordAt(text string, offset int) string {
	word, _, _ := strings.Cut(text[offset:], " ")
	return word
}

// fields returns the space-separated words of text and their byte offsets.
func fields(text string) (words []string, starts []int) {
	for i := 0; i < len(text); {
		if text[i] == ' ' {
			i++
			continue
		}
		word := wordAt(text, i)
		words = append(words, word)
		starts = append(starts, i)
		i += len(word)
	}
	return words, starts
}

// wordIndex returns the index of the word that starts at offset, or -1.
func wordIndex(starts []int, offset int) int {
	for i, s := range starts {
		if s == offset {
			return i
		}
	}
	return -1
}
