// Package parser reads the command language of the gateway (shared
// COMMANDS.md) into core commands: the text of a Slack or Mattermost slash
// command, of a generic hook, or of a "/log" line in a commit message.
//
// The grammar is a participle struct grammar (grammar.go) over a small
// regular-expression lexer; the parse tree is then checked and turned into
// core.Track, core.Log and the other commands. Names are free text that ends
// at a reserved word (in, billable, nonbillable, today, yesterday, last,
// this, weekday names, and for after a project name in add project), a
// #tag, "@", "$" or a "--" note; a quoted name keeps reserved words.
// Keywords are case-insensitive and names keep their case.
//
// A command that cannot be read is a *Error that names the column, says what
// is wrong, and shows a correct example; ambiguity is an error with a hint,
// never a guess ("log 2 on X": did you mean 2h or 2m?).
package parser
