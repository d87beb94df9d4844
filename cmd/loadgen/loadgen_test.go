package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
)

// The command baseline does the gateway's first steps for real: a signed
// form is answered, a wrong signature is refused, a form without its user
// is refused.
func TestBareHandlerChecksSignatureAndForm(t *testing.T) {
	h := bareHandler("s3", nil)
	post := func(form url.Values, secret string) int { return postForm(h, form, secret) }
	ok := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "command": {"/tt"}, "text": {"log 15m"}}
	if got := post(ok, "s3"); got != http.StatusOK {
		t.Errorf("signed form: %d", got)
	}
	if got := post(ok, "other"); got != http.StatusUnauthorized {
		t.Errorf("wrong signature: %d", got)
	}
	if got := post(url.Values{"team_id": {"T1"}, "text": {"x"}}, "s3"); got != http.StatusBadRequest {
		t.Errorf("no user: %d", got)
	}
}

// The timeline puts each reply and delivery in its second and gives each
// second its count and p99.
func TestTimelineBucketsBySecond(t *testing.T) {
	tl := newTimeline()
	for i := range 100 {
		tl.reply(tl.start.Add(100*time.Millisecond), time.Duration(i+1)*time.Millisecond)
	}
	tl.delivery(tl.start.Add(2500*time.Millisecond), 7*time.Millisecond)
	tl.rss(tl.start.Add(2600*time.Millisecond), 42)
	s := tl.samples()
	if len(s) != 3 {
		t.Fatalf("%d seconds, want 3", len(s))
	}
	if s[0].Commands != 100 || s[0].ReplyP99 != 100 || s[0].Deliveries != 0 {
		t.Errorf("second 0: %+v", s[0])
	}
	if s[1].Commands != 0 || s[2].Deliveries != 1 || s[2].DeliveryP99 != 7 || s[2].RSSMiB != 42 || s[2].T != 2 {
		t.Errorf("seconds 1, 2: %+v %+v", s[1], s[2])
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := range 1000 {
		d = append(d, time.Duration(1000-i)*time.Millisecond)
	}
	p := pcts(d)
	if p.P50 != 501 || p.P99 != 991 || p.Max != 1000 {
		t.Errorf("%+v", p)
	}
	if d[0] != 1000*time.Millisecond {
		t.Error("pcts sorted its argument")
	}
}

// The durable baseline commits every command it answers, and only those:
// a signed form is on disk when the answer comes, a refused one is not.
func TestDurableHandlerCommitsBeforeItAnswers(t *testing.T) {
	d, err := openDurable(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	h := bareHandler("s3", d)
	post := func(text, secret string) int {
		return postForm(h, url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "command": {"/tt"}, "text": {text}}, secret)
	}
	for i := range 3 {
		if got := post("log 15m", "s3"); got != http.StatusOK {
			t.Fatalf("command %d: %d", i, got)
		}
		if n, err := d.rows(); err != nil || n != i+1 {
			t.Fatalf("after %d answers, %d rows (%v)", i+1, n, err)
		}
	}
	if got := post("log 15m", "other"); got != http.StatusUnauthorized {
		t.Errorf("wrong signature: %d", got)
	}
	if n, _ := d.rows(); n != 3 {
		t.Errorf("a refused command was committed: %d rows", n)
	}
	var mode, sync string
	if err := d.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := d.db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != "2" {
		t.Errorf("journal_mode %s, synchronous %s; want wal and 2 (FULL), as the gateway's store", mode, sync)
	}
}

// postForm posts form to h signed with secret, as Slack would, and returns
// the status of the answer.
func postForm(h http.Handler, form url.Values, secret string) int {
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.Sign(r.Header, secret, []byte(body), time.Now())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}
