package parser

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar is a participle struct grammar over the tokens of lex. It is
// permissive where a precise message helps: names and amounts may be empty,
// and the conversion to core commands (convert.go) says what is missing.

// wordEnd ends a token that must be a whole word: it takes the space after
// the word, which trimSpace removes again.
const wordEnd = `(?:\s|$)`

// weekdays maps the weekday names the language accepts to their day.
var weekdays = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday,
}

// months maps the month names the language accepts to their month.
var months = map[string]time.Month{
	"jan": time.January, "january": time.January, "feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March, "apr": time.April, "april": time.April, "may": time.May,
	"jun": time.June, "june": time.June, "jul": time.July, "july": time.July,
	"aug": time.August, "august": time.August, "sep": time.September, "sept": time.September,
	"september": time.September, "oct": time.October, "october": time.October,
	"nov": time.November, "november": time.November, "dec": time.December, "december": time.December,
}

// monthNames is the alternation of the month names, for regexpLex.
var monthNames = `(?:` + strings.Join(slices.Sorted(maps.Keys(months)), "|") + `)`

// regexpLex defines the tokens of the language: it splits text into tokens
// by rules tried in order, the first that matches winning. The whole-word
// ones (Tag, Date, Unit, Reserved, Weekday, For) only match a whole word,
// so "inside" is a Word and "in" is Reserved. lex yields the same tokens
// faster; regexpLex is the reference it is tested against.
var regexpLex = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "space", Pattern: `\s+`},
	{Name: "Note", Pattern: `--.*`},
	{Name: "String", Pattern: `"[^"]*"|'(?:[^']|'\pL)*'`},
	{Name: "Tag", Pattern: `#[\pL\pN_./-]+` + wordEnd},
	{Name: "At", Pattern: `@`},
	{Name: "Dollar", Pattern: `\$`},
	{Name: "Date", Pattern: `\d{4}-\d{2}-\d{2}` + wordEnd},
	{Name: "Slashed", Pattern: `\d{1,4}/\d{1,4}(?:/\d{1,4})?` + wordEnd},
	{Name: "MonthDay", Pattern: `(?i)(?:\d{1,2}\s+` + monthNames + `|` + monthNames + `\s+\d{1,2})` + wordEnd},
	{Name: "Ago", Pattern: `(?i)\d+\s+days?\s+ago` + wordEnd},
	{Name: "Num", Pattern: `\d\S*`},
	{Name: "AtTime", Pattern: `(?i)at\s+\d{1,2}(?::\d\d)?(?:\s*(?:am|pm))?` + wordEnd},
	{Name: "Unit", Pattern: `(?i)(?:h|hrs?|hours?|m|mins?|minutes?|am|pm)` + wordEnd},
	{Name: "Reserved", Pattern: `(?i)(?:in|billable|nonbillable|today|yesterday|last|this|anyway)` + wordEnd},
	{Name: "Weekday", Pattern: `(?i)(?:` + strings.Join(slices.Sorted(maps.Keys(weekdays)), "|") + `)` + wordEnd},
	{Name: "For", Pattern: `(?i)for` + wordEnd},
	{Name: "Word", Pattern: `[^\s"'#@$]\S*`},
})

// lex splits normalized text into tokens as regexpLex does, with the same
// token types, positions and errors (see lexer.go).
var lex = newCommandLexer(regexpLex)

// grammar is built once; participle parsers are safe for concurrent use.
var grammar = participle.MustBuild[command](
	participle.Lexer(lex),
	participle.Map(trimSpace, "Tag", "Date", "Slashed", "MonthDay", "Ago", "AtTime", "Unit", "Reserved", "Weekday", "For"),
	participle.CaseInsensitive("Word", "Unit", "Reserved", "Weekday", "For"),
	participle.UseLookahead(2),
)

func trimSpace(t lexer.Token) (lexer.Token, error) {
	t.Value = strings.TrimRight(t.Value, " \t\n\r\f\v")
	return t, nil
}

// command is the root of the grammar: one command of the language. Each
// alternative starts with its verb, so that a command's struct is only
// made once its verb matched.
type command struct {
	Track      *trackCmd      `parser:"  ('track' | 'start') @@"`
	Stop       *stopCmd       `parser:"| ('stop' | 'pause') @@"`
	AddTask    *addTaskCmd    `parser:"| 'add' 'task' @@"`
	AddProject *addProjectCmd `parser:"| 'add' 'project' @@"`
	Log        *logCmd        `parser:"| ('log' | 'spent' | 'add' ('time' 'entry')?) @@"`
	Close      *closeCmd      `parser:"| @@"`
	Delete     *entryID       `parser:"| ('delete' | 'remove' | 'rm') 'entry'? @@"`
	Status     bool           `parser:"| @'status'"`
	Report     *reportCmd     `parser:"| 'report' @@"`
	Undo       bool           `parser:"| @'undo'"`
	Help       *helpCmd       `parser:"| 'help' @@"`
	Notify     *notifyCmd     `parser:"| 'notify' @@"`
	TimeZone   *tzCmd         `parser:"| ('tz' | 'timezone') @@"`
	Entries    *entriesCmd    `parser:"| ('entries' | 'list' | 'ls') @@"`
	Edit       *editCmd       `parser:"| 'edit' @@"`
	Continue   *entryID       `parser:"| ('continue' | 'resume' | 'restart') @@"`
	Reopen     *reopenCmd     `parser:"| 'reopen' @@"`
	Who        bool           `parser:"| @('who' | 'team')"`
	Remind     *remindCmd     `parser:"| 'remind' @@"`
	Schedules  *schedulesCmd  `parser:"| 'schedules' @@"`
}

// tzCmd is tz with an optional zone: an IANA name or a city of words.
type tzCmd struct {
	Zone []string `parser:"@(Word | Num | Unit | Reserved | Weekday | For | String)*"`
}

type trackCmd struct {
	Task    *name     `parser:"@@"`
	Clauses []*clause `parser:"@@*"`
	Note    *note     `parser:"@@?"`
}

type stopCmd struct {
	Note *note `parser:"@@?"`
}

type addTaskCmd struct {
	Task    *name `parser:"@@"`
	Project *name `parser:"(('in' | At) @@)?"`
}

type addProjectCmd struct {
	Project *projectName `parser:"@@"`
	Client  *name        `parser:"(For @@)?"`
}

type logCmd struct {
	Amount  *amount   `parser:"@@"`
	Clauses []*clause `parser:"@@*"`
	Note    *note     `parser:"@@?"`
}

// closeCmd covers close task and close project; the verb and the kind
// word decide which.
type closeCmd struct {
	Verb    string `parser:"@('close' | 'done' | 'finish' | 'complete' | 'archive')"`
	Kind    string `parser:"@('task' | 'project')?"`
	Name    *name  `parser:"@@"`
	Project *name  `parser:"(('in' | At) @@)?"`
}

// entryID is the id of delete entry. It may be empty; Pos then is where it
// is missing.
type entryID struct {
	Pos   lexer.Position
	Value string `parser:"@(Num | Tag | Word)?"`
}

// notifyCmd covers notify, notify list and notify off. The arguments of
// notify are taken as raw tokens; the converter tells a URL from an event
// filter and says which token is neither.
type notifyCmd struct {
	List bool         `parser:"(  @'list'"`
	Off  *notifyOff   `parser:" | @@"`
	Args []*notifyArg `parser:" | @@+ )?"`
}

// notifyOff is notify off with an optional subscription id.
type notifyOff struct {
	Off bool     `parser:"@'off'"`
	ID  *entryID `parser:"@@"`
}

// notifyArg is one argument of notify: a URL or an event filter.
type notifyArg struct {
	Pos   lexer.Position
	Value string `parser:"@(Word | Num | Tag | String | Unit | Reserved | Weekday | For | Date | At | Dollar)"`
}

type reportCmd struct {
	Period  *period         `parser:"@@?"`
	Options []*reportOption `parser:"@@*"`
}

type period struct {
	Pos       lexer.Position
	Today     bool   `parser:"  @'today'"`
	Yesterday bool   `parser:"| @'yesterday'"`
	LastWeek  bool   `parser:"| 'last' @'week'"`
	LastMonth bool   `parser:"| 'last' @'month'"`
	Week      bool   `parser:"| 'this'? @'week'"`
	Month     bool   `parser:"| 'this'? @'month'"`
	Date      string `parser:"| @Date"`
	Range     string `parser:"| @Num"`
}

type helpCmd struct {
	Pos   lexer.Position
	Topic []string `parser:"@Word*"`
}

// clause is one of the optional parts that follow a name in track and log.
type clause struct {
	Pos         lexer.Position
	Tag         string `parser:"  @Tag"`
	Project     *name  `parser:"| ('in' | At) @@"`
	Billable    bool   `parser:"| @('billable' | Dollar)"`
	Nonbillable bool   `parser:"| @'nonbillable'"`
	Day         *day   `parser:"| 'on'? @@"`
	At          string `parser:"| @AtTime"`
	Anyway      bool   `parser:"| @'anyway'"`
	Task        *name  `parser:"| 'on' @@"`
}

// name is free text: words and quoted strings up to a reserved word (also
// "anyway"), a day ("on fri" too; "1 Dec", "Dec 1", "3 days ago", and a
// slashed date, which is refused), "at" and a time, a tag, "@", "$" or a
// note. It may be empty; Pos then
// is where it is missing.
type name struct {
	Pos   lexer.Position
	Parts []string `parser:"((?! 'on' (Weekday | Date | MonthDay | Ago | Slashed | 'today' | 'yesterday' | 'last' | 'this')) @(Word | Num | Unit | String | For))*"`
}

// projectName is a name that also ends at "for", in add project.
type projectName struct {
	Pos   lexer.Position
	Parts []string `parser:"@(Word | Num | Unit | String)*"`
}

type day struct {
	Pos       lexer.Position
	Today     bool   `parser:"  @'today'"`
	Yesterday bool   `parser:"| @'yesterday'"`
	Relative  string `parser:"| @('last' | 'this')?"`
	Weekday   string `parser:"  @Weekday"`
	Date      string `parser:"| @Date"`
	MonthDay  string `parser:"| @MonthDay"`
	Ago       string `parser:"| @Ago"`
	Slashed   string `parser:"| @Slashed"`
}

// amount is a duration or a clock range, read by parseAmount. It may be
// empty; Pos then is where it is missing.
type amount struct {
	Pos   lexer.Position
	Parts []string `parser:"(@Num @Unit? (@'-'? @Num @Unit?)?)?"`
}

type note struct {
	Text string `parser:"@Note"`
}
