package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// A loadgen timeline becomes a PNG of the canvas's size.
func TestDrawsLoadgenTimeline(t *testing.T) {
	dir := t.TempDir()
	type s struct {
		T, Commands, Deliveries int
		ReplyP99                float64 `json:"reply_p99_ms"`
		DeliveryP99             float64 `json:"delivery_p99_ms"`
		RSS                     float64 `json:"rss_mib"`
	}
	var tl []s
	for i := range 30 {
		tl = append(tl, s{T: i, Commands: 900 + i, Deliveries: 890 + i, ReplyP99: 3, DeliveryP99: float64(i % 5), RSS: 40})
	}
	raw, _ := json.Marshal(map[string]any{"timeline": tl})
	in, out := filepath.Join(dir, "run.json"), filepath.Join(dir, "run.png")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := draw3(in, out, "test"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 600 {
		t.Errorf("image %v", b)
	}
	if err := os.WriteFile(in, []byte(`{"timeline":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := draw3(in, out, ""); err == nil {
		t.Error("an empty timeline drew a picture")
	}
}
