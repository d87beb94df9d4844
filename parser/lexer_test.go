package parser

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// lexCases are texts on which lex and regexpLex could part: the corners of
// each rule, of white space and positions, and of invalid UTF-8.
var lexCases = []string{
	"", " ", "  \t ", "x", " x ", "a b  c", "a\nb", "a\r\nb", "\n\n x\n", "a\n\n  b c",
	"\v", "a\vb", "x\fy", "\f\v\f", "\u00a0", "a\u00a0b", "\u2028x",
	// Note
	"--", "-- done for today", "stop -- done\nnext", "--\n--", "-", "-x", "- -", "-—", "a--b",
	// String
	`"abc"`, `"abc`, `"`, `""`, `"a b" c`, "\"a\nb\" c", `"it's"`, `x"y"`, `"a"b"`,
	`'abc'`, `'abc'd`, `'it's'`, `'abc`, `'a''`, `''`, `'`, `'''`, `'a'b'c`, `'a'b''`, `'a'b'c'`,
	`'a' b`, `'a'1'`, `'a'_'`, `'é'x'`, `'a'é`, `'a'éb`, "'a'\xff'", "'a'\xff", "'\xff'", "'a'\u00b2'",
	"'a\nb'", "'a'\nb'", `'x' in 'it's' 'y'z`, `"a" 'b'`, `'ſ'ſ`, "'a'ǅ", "'a'\u02b0",
	// Tag
	"#", "#tag", "#tag x", "#tag\ny", "#tag\t", "#tag!", "#tag!x", "#a.b/c-d_e", "#ü²", "#日本",
	"#\xff", "#a\xff", "##", "#-", "#1234", "#tag#", "#a'b", `#a"`, "#a\u00a0", "#\u0301", "#a\u0301",
	// At, Dollar
	"@", "@x", "@@", "$", "$$", "$5", "x@y", "x$",
	// Date, Num
	"2026-11-20", "2026-11-20x", "2026-11-20 x", "2026-11-20\nx", "2026-11-20\t", "2026-1-20", "2026-11-2",
	"20261-1-20", "2026_11_20", "2026-11-20-", "1", "1h30m", "9:30am-11:15am", "9-11", "9 - 11", "1\xff",
	"1'a'", `1"`, "1#", "٣", "²",
	// Unit, Reserved, Weekday, For
	"h", "H ", "hr", "hrs", "hrss", "HOURS", "hour\n", "m", "min", "mins", "minute", "minuteS", "am", "pm\t", "ams",
	"in", "In", "IN ", "inside", "billable", "nonbillable", "NonBillable\t", "TODAY", "yesterday", "last", "this",
	"mon", "Thurs", "sunday", "thurs'", "sun#", "for", "FOR", "fore", "for\n", "for\r\n", "for\v", "for\u00a0x",
	"ſat", "thiſ", "yeſterday", "hrſ", "\u212amon", "\u212aa", "Kelvin", "\u212a", "İn", "ın", "thıs", "for\xff", "\xfffor",
	// Word
	"word", "w'x", `w"x"`, "w#x", "w@x", "w$x", "日本語 ok", "\xff\xfe", "a\xffb", "\xff", "\xe2\x80", "\ufffd",
	"inside-out", "a-b", "x--y", "x -- y",
	// Errors: what no rule matches, with samples cut after 16 runes.
	"'abcdefghijklmnopqrstuvwxyz", "\"ünïcödé ünïcödé ünïcödé", "#tag!!!!!!!!!!!!!!!!!!!", "a\n  'x",
	"ab\ncd 'xy", "'0123456789abcdef", "'0123456789abcde", "'\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0\xef",
	// Slashed, MonthDay, Ago, AtTime
	"12/01", "12/01 x", "1/2/2026", "1/2/", "1/2/12345", "12345/1", "1/23456", "1/2x", "1/2/3\tx", "1//2",
	"1 Dec", "1 dec x", "12  December", "123 dec", "1 decx", "1 dec\"", "1 ſept", "Dec 1", "DEC 12 x", "dec 123",
	"dec 1x", "may  31", "Mays 1", "Dec", "1 Dec 2", "Dec\n1",
	"3 days ago", "1 day ago", "1 DAYS AGO x", "10 dayſ ago", "3 days agox", "3 days", "3days ago", "3 day  ago\t",
	"at 3pm", "at 3 pm", "AT 15:00", "at 3:30pm x", "at 3:3", "at 123", "at 3 pmx", "at 3:000", "at 3:00 am", "at",
	"at x", "atx 3", "at 3\xff", "at 3 a", "at 3  AM", "at\n9", "anyway", "Anyway x", "anyways",
	// Commands.
	"log 1h30m on Write specs in Website yesterday #docs",
	`track "Log in page" in Website #frontend billable`,
	"log 9:30am-11:15am on Design in Website 2026-11-20 -- sprint review",
	"add project Website Redesign for Acme Corp",
	"start Code review @Acme #review $",
	"notify https://example.com/hook time_entry.* #x",
}

// lexAll returns the tokens of text up to and including EOF, then the
// result of one more call to Next, or the error that ends the tokens,
// then the error of one more call.
func lexAll(t *testing.T, def lexer.StringDefinition, text string) (tokens []lexer.Token, err, again error) {
	t.Helper()
	l, err := def.LexString("", text)
	if err != nil {
		t.Fatalf("LexString(%q): %v", text, err)
	}
	for {
		tok, err := l.Next()
		if err != nil {
			_, again = l.Next()
			return tokens, err, again
		}
		tokens = append(tokens, tok)
		if tok.EOF() {
			tok, _ = l.Next()
			return append(tokens, tok), nil, nil
		}
	}
}

// checkLex checks that lex and regexpLex read text alike: the same
// tokens, or the same error at the same place.
func checkLex(t *testing.T, text string) {
	t.Helper()
	want, wantErr, wantAgain := lexAll(t, regexpLex, text)
	got, gotErr, gotAgain := lexAll(t, lex, text)
	if !slices.Equal(got, want) || !sameError(gotErr, wantErr) || !sameError(gotAgain, wantAgain) {
		t.Fatalf("lex(%q) = %s\n\terror %#v, then %#v\nregexpLex: %s\n\terror %#v, then %#v",
			text, formatTokens(got), gotErr, gotAgain, formatTokens(want), wantErr, wantAgain)
	}
}

// sameError reports whether a and b are both nil or equal *lexer.Errors.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	ea, ok := a.(*lexer.Error)
	eb, ok2 := b.(*lexer.Error)
	return ok && ok2 && *ea == *eb
}

// formatTokens writes tokens with their type names and positions.
func formatTokens(tokens []lexer.Token) string {
	names := lexer.SymbolsByRune(regexpLex)
	var b strings.Builder
	for _, tok := range tokens {
		b.WriteString("\n\t" + names[tok.Type] + " " + strconv.Quote(tok.Value) + " " + tok.Pos.GoString())
	}
	return b.String()
}

// TestLexMatchesRegexp checks lex against regexpLex on lexCases, on every
// keyword in several cases and on the golden inputs.
func TestLexMatchesRegexp(t *testing.T) {
	texts := slices.Clone(lexCases)
	for w := range lex.keywords {
		texts = append(texts, w, strings.ToUpper(w), w+" x", w+"x", "x "+w, w[:len(w)-1])
	}
	texts = append(texts, goldenInputs(t)...)
	for _, text := range texts {
		checkLex(t, text)
		checkLex(t, Normalize(text))
	}
}

// TestLexReaders checks that lex reads an io.Reader and bytes as it reads
// a string.
func TestLexReaders(t *testing.T) {
	for _, text := range lexCases {
		want, wantErr, _ := lexAll(t, lex, text)
		readers := map[string]func() (lexer.Lexer, error){
			"strings.Reader": func() (lexer.Lexer, error) { return lex.Lex("", strings.NewReader(text)) },
			"bufio.Reader":   func() (lexer.Lexer, error) { return lex.Lex("", bufio.NewReader(strings.NewReader(text))) },
			"bytes":          func() (lexer.Lexer, error) { return lex.LexBytes("", []byte(text)) },
		}
		for name, open := range readers {
			l, err := open()
			if err != nil {
				t.Fatalf("%s %q: %v", name, text, err)
			}
			var got []lexer.Token
			for {
				tok, err := l.Next()
				if err != nil {
					if !sameError(err, wantErr) {
						t.Fatalf("%s %q: error %v, want %v", name, text, err, wantErr)
					}
					break
				}
				got = append(got, tok)
				if tok.EOF() {
					break
				}
			}
			if !slices.Equal(got, want[:len(got)]) {
				t.Fatalf("%s %q = %s, want %s", name, text, formatTokens(got), formatTokens(want))
			}
		}
	}
}

// TestFoldsToASCII checks what keyword relies on: that ſ and U+212A are the
// only runes outside ASCII that case-fold to an ASCII letter (U+212A is the
// Kelvin sign).
func TestFoldsToASCII(t *testing.T) {
	var folding []rune
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf {
				folding = append(folding, r)
				break
			}
		}
	}
	if want := []rune{'ſ', '\u212a'}; !slices.Equal(folding, want) {
		t.Errorf("runes that fold to ASCII: %q, want %q", folding, want)
	}
}

// goldenInputs returns the lines of testdata/golden.txt.
func goldenInputs(t testing.TB) []string {
	data, err := os.ReadFile(filepath.Join("testdata", "golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// FuzzLexer checks that lex and regexpLex read any text alike, raw and
// normalized.
func FuzzLexer(f *testing.F) {
	for _, text := range append(slices.Clone(lexCases), goldenInputs(f)...) {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkLex(t, text)
		checkLex(t, Normalize(text))
	})
}

// benchCommand is the command of BenchmarkParse.
const benchCommand = "log 1h30m on Write specs in Website yesterday #docs"

// BenchmarkLex lexes benchCommand with regexpLex and with lex, through
// LexString and through an io.Reader as participle's Map makes the
// grammar do.
func BenchmarkLex(b *testing.B) {
	lexers := []struct {
		name string
		def  interface {
			lexer.Definition
			lexer.StringDefinition
		}
	}{{"regexp", regexpLex}, {"hand", lex}}
	for _, l := range lexers {
		b.Run(l.name+"/string", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tokens, _ := l.def.LexString("", benchCommand)
				consume(b, tokens)
			}
		})
		b.Run(l.name+"/reader", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tokens, _ := l.def.Lex("", strings.NewReader(benchCommand))
				consume(b, tokens)
			}
		})
	}
}

// consume reads tokens up to EOF.
func consume(b *testing.B, tokens lexer.Lexer) {
	for {
		tok, err := tokens.Next()
		if err != nil {
			b.Fatal(err)
		}
		if tok.EOF() {
			return
		}
	}
}
