package core

import (
	"strings"
	"unicode/utf8"
)

// EditDistance returns the Damerau–Levenshtein distance of a and b (the
// optimal string alignment form: an insertion, a deletion, a substitution
// or a swap of two adjacent letters is one edit), comparing letters
// case-insensitively.
func EditDistance(a, b string) int {
	x, y := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	// rows i-2, i-1 and i of the table, each len(y)+1 long.
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

// verbs are the first words of the commands of the language.
var verbs = []string{"track", "start", "stop", "pause", "log", "spent", "add", "close", "done", "finish", "complete",
	"archive", "delete", "remove", "status", "report", "undo", "help", "notify", "tz", "timezone",
	"entries", "list", "ls", "edit", "continue", "resume", "restart", "reopen", "who", "team",

	"remind", "schedules"}

// VerbTypo returns the verb that word, a first word of 3 or more letters
// that is no verb, is one edit away from ("tarck" → "track"), or "".
func VerbTypo(word string) string {
	if utf8.RuneCountInString(word) < 3 {
		return ""
	}
	for _, v := range verbs {
		if strings.EqualFold(word, v) {
			return ""
		}
	}
	for _, v := range verbs {
		if EditDistance(word, v) == 1 {
			return v
		}
	}
	return ""
}

// checkVerbTypo refuses a track whose task name starts with a likely
// misspelt verb (Track.Typo) unless a task of that name exists: nothing is
// stored, the user is asked.
func (c *change) checkVerbTypo(cmd Track) error {
	if cmd.Typo == "" {
		return nil
	}
	_, err := c.tx.TaskByName(c.ws, 0, cmd.Task)
	switch ErrorCode(err) {
	case ENOTFOUND:
		word, _, _ := strings.Cut(cmd.Task, " ")
		return Errorf(EINVALID, "did you mean %q? %q is not a command; quote a task name that starts with it", cmd.Typo, word)
	case "", ECONFLICT:
		return nil
	}
	return err
}
