package parser

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// commandLexer is the lexer of the grammar: a hand-written version of
// regexpLex that yields the same tokens, positions and errors for every
// input, valid UTF-8 or not, without regular expressions. An invalid byte
// counts as one rune U+FFFD, as in the regexp package.
type commandLexer struct {
	symbols map[string]lexer.TokenType
	// The token types of the rules of regexpLex.
	note, str, tag, at, dollar, date, num, word lexer.TokenType
	slashed, monthDay, ago, atTime              lexer.TokenType
	// keywords maps the lower-case words of the rules Unit, Reserved,
	// Weekday and For to their token type.
	keywords map[string]lexer.TokenType
}

var (
	_ lexer.Definition       = (*commandLexer)(nil)
	_ lexer.StringDefinition = (*commandLexer)(nil)
	_ lexer.BytesDefinition  = (*commandLexer)(nil)
)

// maxKeywordLen is the length of the longest keyword, "nonbillable".
const maxKeywordLen = len("nonbillable")

// newCommandLexer returns the hand-written lexer of ref, which must be
// regexpLex: it shares ref's token types.
func newCommandLexer(ref lexer.Definition) *commandLexer {
	symbols := ref.Symbols()
	l := &commandLexer{
		symbols:  symbols,
		note:     symbols["Note"],
		str:      symbols["String"],
		tag:      symbols["Tag"],
		at:       symbols["At"],
		dollar:   symbols["Dollar"],
		date:     symbols["Date"],
		num:      symbols["Num"],
		word:     symbols["Word"],
		slashed:  symbols["Slashed"],
		monthDay: symbols["MonthDay"],
		ago:      symbols["Ago"],
		atTime:   symbols["AtTime"],
		keywords: map[string]lexer.TokenType{},
	}
	// The rules in the order regexpLex tries them; a word of an earlier
	// rule wins, though none is in two.
	rules := []struct {
		name  string
		words []string
	}{
		{"Unit", []string{"h", "hr", "hrs", "hour", "hours", "m", "min", "mins", "minute", "minutes", "am", "pm"}},
		{"Reserved", []string{"in", "billable", "nonbillable", "today", "yesterday", "last", "this", "anyway"}},
		{"Weekday", slices.Sorted(maps.Keys(weekdays))},
		{"For", []string{"for"}},
	}
	for _, rule := range rules {
		for _, w := range rule.words {
			if len(w) > maxKeywordLen {
				panic("parser: keyword " + w + " is longer than maxKeywordLen")
			}
			if _, ok := l.keywords[w]; !ok {
				l.keywords[w] = symbols[rule.name]
			}
		}
	}
	return l
}

// Symbols returns the token types of regexpLex.
func (l *commandLexer) Symbols() map[string]lexer.TokenType { return l.symbols }

// Lex reads r to the end and lexes its text.
func (l *commandLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	var b strings.Builder
	if sr, ok := r.(*strings.Reader); ok {
		b.Grow(sr.Len())
	}
	if _, err := io.Copy(&b, r); err != nil {
		return nil, err
	}
	return l.LexString(filename, b.String())
}

// LexBytes lexes a copy of text.
func (l *commandLexer) LexBytes(filename string, text []byte) (lexer.Lexer, error) {
	return l.LexString(filename, string(text))
}

// LexString lexes text.
func (l *commandLexer) LexString(filename, text string) (lexer.Lexer, error) {
	return &commandTokens{def: l, text: text, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}, nil
}

// commandTokens is the token stream of one text; pos is the position of
// what is left to read, its offset the length of what was read.
type commandTokens struct {
	def  *commandLexer
	text string
	pos  lexer.Position
}

// Next returns the next token, skipping white space. At the end it
// returns EOF tokens; at text no rule matches, the same *lexer.Error as
// regexpLex, again on every call.
func (t *commandTokens) Next() (lexer.Token, error) {
	rest := t.text[t.pos.Offset:]
	if n := spaceLen(rest); n > 0 {
		t.pos.Advance(rest[:n])
		rest = rest[n:]
	}
	if rest == "" {
		return lexer.EOFToken(t.pos), nil
	}
	typ, n := t.def.match(rest)
	if n == 0 {
		sample := []rune(rest)
		if len(sample) > 16 {
			sample = append(sample[:16], []rune("...")...)
		}
		return lexer.Token{}, &lexer.Error{Msg: fmt.Sprintf("lexer: invalid input text %q", string(sample)), Pos: t.pos}
	}
	tok := lexer.Token{Type: typ, Value: rest[:n], Pos: t.pos}
	t.pos.Advance(tok.Value)
	return tok, nil
}

// match returns the type and length of the token that s, which starts
// with no white space, starts with; length 0 when no rule matches.
func (l *commandLexer) match(s string) (lexer.TokenType, int) {
	switch c := s[0]; {
	case c == '-' && len(s) > 1 && s[1] == '-':
		// Note: --.* (. is all but a newline)
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			return l.note, i
		}
		return l.note, len(s)
	case c == '"':
		// String: "[^"]*"
		if i := strings.IndexByte(s[1:], '"'); i >= 0 {
			return l.str, i + 2
		}
		return 0, 0
	case c == '\'':
		if n := singleQuotedLen(s); n > 0 {
			return l.str, n
		}
		return 0, 0
	case c == '#':
		if n := tagLen(s); n > 0 {
			return l.tag, n
		}
		return 0, 0
	case c == '@':
		return l.at, 1
	case c == '$':
		return l.dollar, 1
	case '0' <= c && c <= '9':
		if isDate(s) {
			return l.date, withSpace(s, 10)
		}
		if n := slashedLen(s); n > 0 {
			return l.slashed, n
		}
		if n := dayMonthLen(s); n > 0 {
			return l.monthDay, n
		}
		if n := agoLen(s); n > 0 {
			return l.ago, n
		}
		return l.num, wordLen(s)
	}
	// Word: [^\s"'#@$]\S*, unless it is a keyword, a month and a day or
	// "at" and a time.
	n := wordLen(s)
	if m := monthDayLen(s, n); m > 0 {
		return l.monthDay, m
	}
	if m := atTimeLen(s, n); m > 0 {
		return l.atTime, m
	}
	if typ, ok := l.keyword(s[:n]); ok {
		return typ, withSpace(s, n)
	}
	return l.word, n
}

// keyword returns the token type of w if it is a keyword, compared as
// (?i) does: by Unicode simple case folding, under which ſ and the Kelvin
// sign U+212A are the only runes outside ASCII that fold to ASCII letters.
func (l *commandLexer) keyword(w string) (lexer.TokenType, bool) {
	var f folded
	if !f.fold(w) {
		return 0, false
	}
	typ, ok := l.keywords[string(f.bytes())]
	return typ, ok
}

// isSpace reports whether c is white space as \s means it: [\t\n\f\r ].
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// spaceLen returns the length of the white space s starts with: \s*.
func spaceLen(s string) int {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// wordLen returns the length of the word s starts with: \S*. No byte of a
// multi-byte or invalid UTF-8 sequence is white space.
func wordLen(s string) int {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return i
}

// withSpace returns n plus one if s[n] is white space: the length of a
// token of n bytes followed by (?:\s|$), given that s[n] is not a word
// character.
func withSpace(s string, n int) int {
	if n < len(s) && isSpace(s[n]) {
		return n + 1
	}
	return n
}

// isDate reports whether s starts with \d{4}-\d{2}-\d{2}(?:\s|$).
func isDate(s string) bool {
	if len(s) < 10 || (len(s) > 10 && !isSpace(s[10])) {
		return false
	}
	for i := range 10 {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// tagLen returns the length of the tag s starts with,
// #[\pL\pN_./-]+(?:\s|$), or 0. A tag ends only at white space or at the
// end: backtracking to a shorter tag would leave a tag character next.
func tagLen(s string) int {
	i := 1
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '/' || c == '-' {
				i++
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			break
		}
		i += size
	}
	if i == 1 || i < len(s) && !isSpace(s[i]) {
		return 0
	}
	return withSpace(s, i)
}

// singleQuotedLen returns the length of the string s starts with,
// '(?:[^']|'\pL)*', or 0. As the regexp prefers to go on, a quote
// followed by a letter continues the string; when the text ends inside
// the string, the regexp backtracks to the last such quote, which then
// ends it.
func singleQuotedLen(s string) int {
	last := -1
	for i := 1; ; {
		j := strings.IndexByte(s[i:], '\'')
		if j < 0 {
			return last + 1
		}
		q := i + j
		r, size := utf8.DecodeRuneInString(s[q+1:])
		if !unicode.IsLetter(r) {
			return q + 1
		}
		last = q
		i = q + 1 + size
	}
}

// digitsLen returns the length of the run of ASCII digits s starts with.
func digitsLen(s string) int {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// wordEndLen returns the length of a token of n bytes of s followed by
// (?:\s|$), or 0 when s[n] is neither white space nor the end.
func wordEndLen(s string, n int) int {
	if n < len(s) && !isSpace(s[n]) {
		return 0
	}
	return withSpace(s, n)
}

// slashedLen returns the length of the slashed date s starts with,
// \d{1,4}/\d{1,4}(?:/\d{1,4})?(?:\s|$), or 0.
func slashedLen(s string) int {
	n := digitsLen(s)
	if n < 1 || n > 4 || n == len(s) || s[n] != '/' {
		return 0
	}
	m := digitsLen(s[n+1:])
	if m < 1 || m > 4 {
		return 0
	}
	i := n + 1 + m
	if i < len(s) && s[i] == '/' {
		if k := digitsLen(s[i+1:]); k >= 1 && k <= 4 {
			if r := wordEndLen(s, i+1+k); r > 0 {
				return r
			}
		}
	}
	return wordEndLen(s, i)
}

// folded is a word lower-cased as (?i) compares it: by Unicode simple
// case folding, under which ſ and the Kelvin sign U+212A are the only runes
// outside ASCII that fold to ASCII letters.
type folded struct {
	buf [maxKeywordLen]byte
	n   int
}

// fold folds w into f; false if w is not ASCII after folding or is longer
// than maxKeywordLen bytes. It allocates nothing, and neither does a map
// lookup by string(f.bytes()).
func (f *folded) fold(w string) bool {
	f.n = 0
	for _, r := range w {
		if f.n == len(f.buf) {
			return false
		}
		switch {
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r == 'ſ':
			r = 's'
		case r == '\u212a': // Kelvin sign
			r = 'k'
		case r >= utf8.RuneSelf:
			return false
		}
		f.buf[f.n] = byte(r)
		f.n++
	}
	return true
}

func (f *folded) bytes() []byte { return f.buf[:f.n] }

// foldWord returns w folded, if it is ASCII after folding and at most
// maxKeywordLen bytes long.
func foldWord(w string) (string, bool) {
	var f folded
	ok := f.fold(w)
	return string(f.bytes()), ok
}

// isMonth reports whether w, folded, is a month name.
func isMonth(w string) bool {
	var f folded
	return f.fold(w) && months[string(f.bytes())] != 0
}

// isWord reports whether the word s starts with is, folded, one of words.
func isWord(s string, words ...string) (int, bool) {
	n := wordLen(s)
	w, ok := foldWord(s[:n])
	return n, ok && slices.Contains(words, w)
}

// dayMonthLen returns the length of the day and month s starts with,
// \d{1,2}\s+MONTH(?:\s|$), or 0.
func dayMonthLen(s string) int {
	n := digitsLen(s)
	sp := spaceLen(s[n:])
	if n < 1 || n > 2 || sp == 0 {
		return 0
	}
	i := n + sp
	m := wordLen(s[i:])
	if !isMonth(s[i : i+m]) {
		return 0
	}
	return withSpace(s, i+m)
}

// monthDayLen returns the length of the month and day s starts with,
// MONTH\s+\d{1,2}(?:\s|$), given that its first word is n bytes long,
// or 0.
func monthDayLen(s string, n int) int {
	if c := s[0] | 0x20; c < utf8.RuneSelf && !strings.ContainsRune("jfmasond", rune(c)) || !isMonth(s[:n]) {
		return 0
	}
	sp := spaceLen(s[n:])
	if sp == 0 {
		return 0
	}
	i := n + sp
	d := digitsLen(s[i:])
	if d < 1 || d > 2 {
		return 0
	}
	return wordEndLen(s, i+d)
}

// agoLen returns the length of the days ago s starts with,
// \d+\s+days?\s+ago(?:\s|$), or 0.
func agoLen(s string) int {
	i := digitsLen(s)
	sp := spaceLen(s[i:])
	if sp == 0 {
		return 0
	}
	i += sp
	n, ok := isWord(s[i:], "day", "days")
	if !ok {
		return 0
	}
	i += n
	if sp = spaceLen(s[i:]); sp == 0 {
		return 0
	}
	i += sp
	if n, ok = isWord(s[i:], "ago"); !ok {
		return 0
	}
	return withSpace(s, i+n)
}

// atTimeLen returns the length of the "at" and time of day s starts with,
// at\s+\d{1,2}(?::\d\d)?(?:\s*(?:am|pm))?(?:\s|$), given that its first
// word is n bytes long, or 0.
func atTimeLen(s string, n int) int {
	if n != 2 || (s[0] != 'a' && s[0] != 'A') || (s[1] != 't' && s[1] != 'T') {
		return 0
	}
	i := n + spaceLen(s[n:])
	d := digitsLen(s[i:])
	if i == n || d < 1 || d > 2 {
		return 0
	}
	i += d
	if i+2 < len(s) && s[i] == ':' && digitsLen(s[i+1:i+3]) == 2 {
		i += 3
	}
	j := i + spaceLen(s[i:])
	if j+2 <= len(s) {
		var f folded
		if f.fold(s[j:j+2]) && (string(f.bytes()) == "am" || string(f.bytes()) == "pm") {
			if r := wordEndLen(s, j+2); r > 0 {
				return r
			}
		}
	}
	return wordEndLen(s, i)
}
