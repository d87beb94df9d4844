package core

import "testing"

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"track", "track", 0}, {"Track", "tRACK", 0},
		{"tarck", "track", 1}, {"stpo", "stop", 1}, {"lgo", "log", 1}, {"reprot", "report", 1},
		{"trak", "track", 1}, {"tracks", "track", 1}, {"trock", "track", 1},
		{"ca", "abc", 3}, {"Web", "Website", 4}, {"", "abc", 3}, {"abc", "", 3},
		{"kitten", "sitting", 3}, {"über", "uber", 1}, {"ab", "ba", 1}, {"abcd", "badc", 2},
	} {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := EditDistance(tc.b, tc.a); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetry)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestVerbTypo(t *testing.T) {
	for word, want := range map[string]string{
		"tarck": "track", "stpo": "stop", "lgo": "log", "reprot": "report", "TARCK": "track",
		"track": "", "log": "", "lo": "", "Fix": "", "tz": "", "Website": "", "repor": "report",
	} {
		if got := VerbTypo(word); got != want {
			t.Errorf("VerbTypo(%q) = %q, want %q", word, got, want)
		}
	}
}
