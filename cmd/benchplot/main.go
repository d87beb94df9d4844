// Command benchplot draws a run of the load tool: it reads the JSON that
// `loadgen -json FILE` writes and draws, second by second, the throughput
// (commands answered and deliveries received), the p99 latencies (reply,
// and event to delivery) and the gateway's RSS into one PNG.
//
//	benchplot -o docs/bench-e2e.png -title "1,000 commands/s, SQLite" run.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// run is the part of loadgen's JSON that is drawn.
type run struct {
	Timeline []struct {
		T           float64 `json:"t"`
		Commands    float64 `json:"commands"`
		ReplyP99    float64 `json:"reply_p99_ms"`
		Deliveries  float64 `json:"deliveries"`
		DeliveryP99 float64 `json:"delivery_p99_ms"`
		RSSMiB      float64 `json:"rss_mib"`
	} `json:"timeline"`
}

func main() {
	out := flag.String("o", "loadgen.png", "the PNG to write")
	title := flag.String("title", "", "title over the throughput panel")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchplot [-o out.png] [-title T] loadgen.json")
		os.Exit(2)
	}
	if err := draw3(flag.Arg(0), *out, *title); err != nil {
		fmt.Fprintln(os.Stderr, "benchplot:", err)
		os.Exit(1)
	}
}

// series picks one value per second; skip leaves out seconds where it is 0
// (a p99 of a second with no deliveries, an RSS not sampled).
func series(r *run, f func(i int) float64, skip bool) plotter.XYs {
	xy := make(plotter.XYs, 0, len(r.Timeline))
	for i, s := range r.Timeline {
		v := f(i)
		if skip && v == 0 {
			continue
		}
		xy = append(xy, plotter.XY{X: s.T, Y: v})
	}
	return xy
}

func panel(title, ylabel string, lines ...any) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "seconds"
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	if err := addLines(p, lines...); err != nil {
		return nil, err
	}
	// Room above the highest point for the legend, which sat on the lines.
	p.Y.Max *= 1.3
	p.Legend.Top = true
	return p, nil
}

// addLines adds name, XYs, color triples.
func addLines(p *plot.Plot, v ...any) error {
	for i := 0; i+2 < len(v); i += 3 {
		l, err := plotter.NewLine(v[i+1].(plotter.XYs))
		if err != nil {
			return err
		}
		l.Color = v[i+2].(color.Color)
		l.Width = vg.Points(1)
		p.Add(l)
		p.Legend.Add(v[i].(string), l)
	}
	return nil
}

func draw3(in, out, title string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var r run
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if len(r.Timeline) == 0 {
		return fmt.Errorf("%s: no timeline", in)
	}
	blue, red := color.RGBA{B: 200, A: 255}, color.RGBA{R: 200, A: 255}
	tl := r.Timeline
	tp, err := panel(title, "per second",
		"commands answered", series(&r, func(i int) float64 { return tl[i].Commands }, false), blue,
		"deliveries received", series(&r, func(i int) float64 { return tl[i].Deliveries }, false), red)
	if err != nil {
		return err
	}
	lp, err := panel("p99 latency of each second", "ms",
		"reply", series(&r, func(i int) float64 { return tl[i].ReplyP99 }, true), blue,
		"event to delivery", series(&r, func(i int) float64 { return tl[i].DeliveryP99 }, true), red)
	if err != nil {
		return err
	}
	mp, err := panel("gateway RSS (VmRSS)", "MiB",
		"RSS", series(&r, func(i int) float64 { return tl[i].RSSMiB }, true), color.Black)
	if err != nil {
		return err
	}
	plots := [][]*plot.Plot{{tp}, {lp}, {mp}}
	img := vgimg.New(9*vg.Inch, 10*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadX: vg.Millimeter, PadY: 2 * vg.Millimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: 2 * vg.Millimeter}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
