package parser

import "github.com/alecthomas/participle/v2/lexer"

// The grammar of the commands that show and fix stored time: entries, edit
// entry, continue, reopen, who, and the options of report (by …, team).

// entriesCmd is entries with an optional day or week.
type entriesCmd struct {
	Pos  lexer.Position
	Week string `parser:"(  @('this' | 'last') 'week'"`
	Day  *day   `parser:" | @@ )?"`
}

// editCmd is edit entry ID|last and what to change, in log's order.
type editCmd struct {
	Entry   bool        `parser:"@'entry'?"`
	Target  *editTarget `parser:"@@"`
	Amount  *amount     `parser:"@@"`
	Clauses []*clause   `parser:"@@*"`
	Note    *note       `parser:"@@?"`
}

// editTarget is the entry edit changes: an id, or last. It may be empty;
// Pos then is where it is missing.
type editTarget struct {
	Pos   lexer.Position
	Last  bool   `parser:"(  @'last'"`
	Value string `parser:" | @(Num | Tag | Word) )?"`
}

// reopenCmd covers reopen task and reopen project; the kind word decides.
type reopenCmd struct {
	Kind    string `parser:"@('task' | 'project')?"`
	Name    *name  `parser:"@@"`
	Project *name  `parser:"(('in' | At) @@)?"`
}

// reportOption is one of what may follow report's period, or come before
// it: by GROUP, team, csv, or the period.
type reportOption struct {
	Pos    lexer.Position
	By     *reportBy `parser:"  @@"`
	Team   bool      `parser:"| @'team'"`
	CSV    bool      `parser:"| @'csv'"`
	Period *period   `parser:"| @@"`
}

// reportBy is by and what to group by; it may be missing.
type reportBy struct {
	Pos  lexer.Position
	By   bool   `parser:"@'by'"`
	What string `parser:"@(Word | Reserved)?"`
}
