package parser

import "testing"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("log 1h30m on Write specs in Website yesterday #docs"); err != nil {
			b.Fatal(err)
		}
	}
}
