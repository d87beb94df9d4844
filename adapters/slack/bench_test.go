package slack_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

// The benchmarks send real signed slash commands over loopback HTTP: a
// `log` command through signature check, form decoding, parsing, identity
// lookup and one durable (synchronous=FULL, group-committed) transaction.
// BenchmarkBareHandler is the baseline: a net/http handler that reads the
// same body and writes a small JSON reply, over the same kind of connection.

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
}

// benchDay spreads each user's commands over past days, 40 a day: a bare
// duration on a past day is placed after that day's last entry (from
// 09:00), so 40 entries of 15m always fit and no command is refused.
func benchDay(n int64, users int) string {
	return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/int64(users)/40)).Format("2006-01-02")
}

func postSigned(b *testing.B, c *http.Client, target string, users int, n int64) {
	body := url.Values{"team_id": {"T1"}, "user_id": {fmt.Sprintf("U%d", n%int64(users))}, "user_name": {"bench"},
		"command": {"/tt"}, "text": {"log 15m on Bench task in Bench project " + benchDay(n, users) + " #perf"}, "trigger_id": {fmt.Sprint("t", n)}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.Sign(req.Header, secret, []byte(body), time.Now())
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(reply), "warning") {
		b.Fatalf("status %d: %s", resp.StatusCode, reply)
	}
}

func slackServer(b *testing.B) string {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h, err := slack.NewHandler(core.NewService(st, core.Options{}), slack.Options{SigningSecret: secret})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(h.ServeCommands))
	b.Cleanup(srv.Close)
	return srv.URL
}

func bareServer(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func run(b *testing.B, target string, parallel bool) {
	c := benchClient()
	var n atomic.Int64
	postSigned(b, c, target, 64, n.Add(1)) // warm up: users, project, task exist
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if parallel {
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				postSigned(b, c, target, 64, n.Add(1))
			}
		})
	} else {
		for b.Loop() {
			postSigned(b, c, target, 64, n.Add(1))
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "cmds/s")
}

func BenchmarkBareHandler(b *testing.B)         { run(b, bareServer(b), false) }
func BenchmarkBareHandlerParallel(b *testing.B) { run(b, bareServer(b), true) }
func BenchmarkSlashLog(b *testing.B)            { run(b, slackServer(b), false) }
func BenchmarkSlashLogParallel(b *testing.B)    { run(b, slackServer(b), true) }
