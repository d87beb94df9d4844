package generic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/generic"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

type env struct {
	t      *testing.T
	ctx    context.Context
	store  core.Store
	svc    *core.Service
	srv    *httptest.Server
	boss   core.Actor
	ana    core.Actor
	hook   string // ana's hook token
	admins string // boss's hook token
	seen   int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "generic.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := core.NewService(st, core.Options{})
	mux := http.NewServeMux()
	mux.Handle("/hooks/", generic.NewHandler(svc, generic.Options{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	token, err := svc.BootstrapAdmin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	boss, err := svc.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	ana, err := svc.CreateUser(ctx, core.Actor{User: boss}, "Ana", core.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, store: st, svc: svc, srv: srv, boss: core.Actor{User: boss}, ana: core.Actor{User: ana}}
	if e.hook, _, err = svc.CreateIncomingHook(ctx, e.ana, "ana's"); err != nil {
		t.Fatal(err)
	}
	if e.admins, _, err = svc.CreateIncomingHook(ctx, e.boss, ""); err != nil {
		t.Fatal(err)
	}
	e.events()
	return e
}

func (e *env) events() []core.Event {
	e.t.Helper()
	var out []core.Event
	err := e.store.View(e.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(e.seen, 10000)
		for _, ev := range evs {
			e.seen = ev.Seq
		}
		out = evs
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) wantEvents(want ...string) []core.Event {
	e.t.Helper()
	evs := e.events()
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Type)
	}
	if !slices.Equal(got, want) {
		e.t.Fatalf("events = %v, want %v", got, want)
	}
	return evs
}

// call posts body with the content type to a hook and returns the status
// and the decoded answer.
func (e *env) call(token, contentType string, body []byte, header ...string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/hooks/"+token, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("answer is not JSON (%d): %q", resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

// encoding sends a set of fields one way.
type encoding struct {
	name string
	send func(e *env, token string, fields map[string]any, header ...string) (int, map[string]any)
}

var encodings = []encoding{
	{"json", func(e *env, token string, fields map[string]any, header ...string) (int, map[string]any) {
		b, _ := json.Marshal(fields)
		return e.call(token, "application/json", b, header...)
	}},
	{"form", func(e *env, token string, fields map[string]any, header ...string) (int, map[string]any) {
		v := url.Values{}
		for k, f := range fields {
			switch f := f.(type) {
			case []string:
				v[k] = f
			default:
				v.Set(k, toString(f))
			}
		}
		return e.call(token, "application/x-www-form-urlencoded", []byte(v.Encode()), header...)
	}},
	{"multipart", func(e *env, token string, fields map[string]any, header ...string) (int, map[string]any) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, f := range fields {
			switch f := f.(type) {
			case []string:
				for _, s := range f {
					mw.WriteField(k, s)
				}
			default:
				mw.WriteField(k, toString(f))
			}
		}
		mw.Close()
		return e.call(token, mw.FormDataContentType(), buf.Bytes(), header...)
	}},
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (e *env) ok(enc encoding, token string, fields map[string]any) map[string]any {
	e.t.Helper()
	status, m := enc.send(e, token, fields)
	if status != http.StatusOK || m["ok"] != true {
		e.t.Fatalf("%s %v: %d %v", enc.name, fields, status, m)
	}
	return m
}

func TestEightActionsAndText(t *testing.T) {
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			e := newEnv(t)
			e.ok(enc, e.hook, map[string]any{"action": "project.add", "project": "Website", "client": "Acme"})
			e.wantEvents(core.EventClientCreated, core.EventProjectCreated)

			e.ok(enc, e.hook, map[string]any{"action": "task.add", "task": "Specs", "project": "Website"})
			e.wantEvents(core.EventTaskCreated)

			m := e.ok(enc, e.hook, map[string]any{"action": "task.track", "task": "Specs", "project": "Website",
				"tags": []string{"docs", "urgent"}, "billable": true, "note": "kick-off"})
			evs := e.wantEvents(core.EventTagCreated, core.EventTagCreated, core.EventTrackerStarted)
			res := m["result"].(map[string]any)
			entry := res["time_entry"].(map[string]any)
			if entry["billable"] != true || entry["note"] != "kick-off" || len(entry["tags"].([]any)) != 2 || entry["source"] != "generic" {
				t.Fatalf("tracked entry %v", entry)
			}
			if evs[2].Actor.Name != "Ana" || evs[2].Actor.Source != "generic" {
				t.Fatalf("actor %+v", evs[2].Actor)
			}

			e.ok(enc, e.hook, map[string]any{"action": "task.stop", "note": "done"})
			e.wantEvents(core.EventTrackerStopped)

			m = e.ok(enc, e.hook, map[string]any{"action": "time_entry.add", "duration": "1h30m", "task": "Specs", "project": "Website", "tags": "docs, urgent"})
			e.wantEvents(core.EventTimeEntryCreated)
			entry = m["result"].(map[string]any)["time_entry"].(map[string]any)
			if entry["duration_seconds"] != 5400.0 || len(entry["tags"].([]any)) != 2 {
				t.Fatalf("logged entry %v", entry)
			}

			start := time.Now().Add(-5 * time.Hour).UTC().Truncate(time.Second)
			m = e.ok(enc, e.hook, map[string]any{"action": "time_entry.add", "start": start.Format(time.RFC3339),
				"end": start.Add(45 * time.Minute).Format(time.RFC3339), "project": "Website"})
			e.wantEvents(core.EventTimeEntryCreated)
			entry = m["result"].(map[string]any)["time_entry"].(map[string]any)
			if entry["duration_seconds"] != 2700.0 || entry["start"] != start.Format(time.RFC3339) {
				t.Fatalf("start/end entry %v", entry)
			}

			e.ok(enc, e.hook, map[string]any{"action": "time_entry.delete", "entry_id": entry["id"]})
			e.wantEvents(core.EventTimeEntryDeleted)

			e.ok(enc, e.hook, map[string]any{"action": "task.close", "task": "Specs", "project": "Website"})
			e.wantEvents(core.EventTaskClosed)

			e.ok(enc, e.hook, map[string]any{"action": "project.close", "project": "Website"})
			e.wantEvents(core.EventProjectClosed)

			m = e.ok(enc, e.hook, map[string]any{"text": "track Triage in Ops"})
			e.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTrackerStarted)
			if txt := m["result"].(map[string]any)["text"].(string); !strings.Contains(txt, "Triage") {
				t.Fatalf("text answer %q", txt)
			}
			m = e.ok(enc, e.hook, map[string]any{"text": "status"})
			e.wantEvents()
			if txt := m["result"].(map[string]any)["text"].(string); !strings.Contains(txt, "Running") {
				t.Fatalf("status answer %q", txt)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t)
	js := "application/json"
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name        string
		token       string
		contentType string
		body        string
		status      int
		field       string
		contains    string
	}{
		{"unknown token", "gwh_nope", js, `{"text":"status"}`, 404, "", "no such incoming hook"},
		{"no token", "", js, `{"text":"status"}`, 404, "", ""},
		{"malformed JSON", e.hook, js, `{"action": "task.add",`, 400, "", "malformed JSON"},
		{"not an object", e.hook, js, `["task.add"]`, 400, "", "JSON object"},
		{"trailing data", e.hook, js, `{"text":"status"} {}`, 400, "", "after the object"},
		{"malformed form", e.hook, form, `action=%zz`, 400, "", "malformed form"},
		{"unknown action", e.hook, js, `{"action": "task.frobnicate"}`, 422, "action", `"task.frobnicate"`},
		{"unknown action form", e.hook, form, `action=project.delete`, 422, "action", `"project.delete"`},
		{"nothing", e.hook, js, `{}`, 422, "action", "text or action"},
		{"both", e.hook, js, `{"text":"stop","action":"task.stop"}`, 422, "text", "not both"},
		{"missing task", e.hook, js, `{"action":"task.track","project":"Web"}`, 422, "task", "task is required for task.track"},
		{"missing project", e.hook, form, `action=task.add&task=Specs`, 422, "project", "project is required for task.add"},
		{"missing project name", e.hook, js, `{"action":"project.add"}`, 422, "project", "project is required"},
		{"missing entry_id", e.hook, js, `{"action":"time_entry.delete"}`, 422, "entry_id", "entry_id is required"},
		{"bad entry_id", e.hook, js, `{"action":"time_entry.delete","entry_id":"abc"}`, 422, "entry_id", "not an id"},
		{"missing duration", e.hook, js, `{"action":"time_entry.add","project":"Web"}`, 422, "duration", "duration"},
		{"start without end", e.hook, js, `{"action":"time_entry.add","start":"2026-01-01T09:00:00Z"}`, 422, "end", "end"},
		{"bad start", e.hook, js, `{"action":"time_entry.add","start":"yesterday","end":"2026-01-01T09:00:00Z"}`, 422, "start", "RFC 3339"},
		{"bad duration", e.hook, js, `{"action":"time_entry.add","duration":"a while"}`, 422, "duration", "not a duration"},
		{"over a day", e.hook, js, `{"action":"time_entry.add","duration":"25h"}`, 422, "duration", ""},
		{"wrong type", e.hook, js, `{"action":"task.track","task":42}`, 422, "task", "must be a string"},
		{"wrong tags", e.hook, js, `{"action":"task.track","task":"x","tags":{"a":1}}`, 422, "tags", "tags"},
		{"wrong billable", e.hook, js, `{"action":"task.track","task":"x","billable":"maybe"}`, 422, "billable", "billable"},
		{"parse error", e.hook, js, `{"text":"track in Web"}`, 422, "text", "column"},
		{"unknown user", e.admins, js, `{"text":"status","user":"nobody"}`, 422, "user", "nobody"},
		{"member acts for another", e.hook, js, `{"text":"status","user":"admin"}`, 403, "", "admin"},
		{"rule broken", e.hook, js, `{"action":"task.stop"}`, 422, "", "no timer is running"},
		{"unknown task", e.hook, js, `{"action":"task.close","task":"Ghost"}`, 422, "", "Ghost"},
		{"too large", e.hook, js, `{"text":"` + strings.Repeat("a", generic.MaxBodyBytes) + `"}`, 413, "", "larger"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := e.call(c.token, c.contentType, []byte(c.body))
			errObj, _ := m["error"].(map[string]any)
			msg, _ := errObj["message"].(string)
			if status != c.status || msg == "" || !strings.Contains(msg, c.contains) || errObj["code"] == nil {
				t.Fatalf("status %d %v, want %d with %q", status, m, c.status, c.contains)
			}
			if field, _ := errObj["field"].(string); field != c.field {
				t.Fatalf("field %q, want %q (%v)", field, c.field, m)
			}
		})
	}
	e.wantEvents()

	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/hooks/"+e.hook, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
}

func TestUserField(t *testing.T) {
	e := newEnv(t)
	// An admin's hook may act for another user.
	_, m := e.call(e.admins, "application/json", []byte(`{"text":"log 1h on Specs in Web yesterday","user":"ana"}`))
	if m["ok"] != true {
		t.Fatalf("admin's hook for ana: %v", m)
	}
	evs := e.events()
	last := evs[len(evs)-1]
	if last.Type != core.EventTimeEntryCreated || last.Actor.ID != e.ana.User.ID || last.UserID != e.ana.User.ID {
		t.Fatalf("entry by %+v for user %d", last.Actor, last.UserID)
	}
	// A member's hook naming its own owner is fine.
	if status, m := e.call(e.hook, "application/json", []byte(`{"text":"status","user":"Ana"}`)); status != 200 {
		t.Fatalf("own name: %d %v", status, m)
	}
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{"action":"time_entry.add","duration":"30m","project":"Web"}`)
	_, m := e.call(e.hook, "application/json", body, "Idempotency-Key", "job-42")
	if m["ok"] != true || m["duplicate"] != nil {
		t.Fatalf("first: %v", m)
	}
	e.wantEvents(core.EventProjectCreated, core.EventTimeEntryCreated)
	status, m := e.call(e.hook, "application/json", body, "Idempotency-Key", "job-42")
	if status != 200 || m["ok"] != true || m["duplicate"] != true {
		t.Fatalf("replay: %d %v", status, m)
	}
	e.wantEvents()
	// Keys are per hook.
	if _, m := e.call(e.admins, "application/json", body, "Idempotency-Key", "job-42"); m["ok"] != true || m["duplicate"] != nil {
		t.Fatalf("another hook, same key: %v", m)
	}
	e.wantEvents(core.EventTimeEntryCreated)
	if status, _ := e.call(e.hook, "application/json", body, "Idempotency-Key", strings.Repeat("k", 201)); status != 400 {
		t.Fatalf("long key: %d", status)
	}
}

// curl -d '{"text":"status"}' URL declares a form but sends JSON: a form
// body that starts with "{" is read as JSON, and a genuine form still works.
func TestJSONSentAsForm(t *testing.T) {
	e := newEnv(t)
	form := "application/x-www-form-urlencoded"
	for _, body := range []string{`{"text":"status"}`, " \n\t{\"text\": \"status\"}\n"} {
		if status, m := e.call(e.hook, form, []byte(body)); status != http.StatusOK || m["ok"] != true {
			t.Fatalf("%q as a form: %d %v", body, status, m)
		}
	}
	e.wantEvents()
	status, m := e.call(e.hook, form+"; charset=utf-8", []byte(`{"action":"time_entry.add","duration":"30m","project":"Web","tags":["ci"]}`))
	if status != http.StatusOK || m["ok"] != true {
		t.Fatalf("action as a form: %d %v", status, m)
	}
	e.wantEvents(core.EventProjectCreated, core.EventTagCreated, core.EventTimeEntryCreated)
	if status, m := e.call(e.hook, form, []byte(`text=log+15m+on+Specs+in+Web`)); status != http.StatusOK || m["ok"] != true {
		t.Fatalf("genuine form: %d %v", status, m)
	}
	e.wantEvents(core.EventTaskCreated, core.EventTimeEntryCreated)
	// Read as JSON, a broken object is malformed (400), not a missing field.
	if status, m := e.call(e.hook, form, []byte(`{"text":`)); status != http.StatusBadRequest {
		t.Fatalf("broken JSON as a form: %d %v", status, m)
	}
	e.wantEvents()
}

func TestDecode(t *testing.T) {
	cases := []struct {
		contentType, body string
		want              generic.Request
	}{
		{"", `{"text":"stop"}`, generic.Request{Text: "stop"}},
		{"", `text=stop&user=ana`, generic.Request{Text: "stop", User: "ana"}},
		{"application/json; charset=utf-8", `{"action":"time_entry.delete","entry_id":42,"extra":{"x":1}}`, generic.Request{Action: "time_entry.delete", EntryID: "42"}},
		{"application/json", `{"duration":5400,"billable":1,"tags":"a, b,,c"}`, generic.Request{Duration: "5400", Billable: true, Tags: []string{"a", "b", "c"}}},
		{"application/json", `{"task":null,"billable":"yes","tags":["x","y,z"]}`, generic.Request{Billable: true, Tags: []string{"x", "y", "z"}}},
		{"application/x-www-form-urlencoded", `tags[]=a&tags[]=b&tags=c,d&billable=on`, generic.Request{Billable: true, Tags: []string{"c", "d", "a", "b"}}},
		{"application/x-www-form-urlencoded", `{"text":"status","user":"ana"}`, generic.Request{Text: "status", User: "ana"}},
		{"application/x-www-form-urlencoded", "\r\n {\"action\":\"task.stop\",\"note\":\"a=b&c\"}", generic.Request{Action: "task.stop", Note: "a=b&c"}},
		{"application/x-www-form-urlencoded", `text=%7B%22x%22%7D`, generic.Request{Text: `{"x"}`}},
	}
	for _, c := range cases {
		got, err := generic.Decode(c.contentType, []byte(c.body))
		if err != nil {
			t.Errorf("Decode(%q): %v", c.body, err)
			continue
		}
		if a, b := toString(got), toString(c.want); a != b {
			t.Errorf("Decode(%q) = %s, want %s", c.body, a, b)
		}
	}
	for _, s := range []string{"90m", "1h30m", "1.5h", "1:30", "5400", "1 h 30 m"} {
		d, err := generic.ParseDuration(s)
		if err != nil || d != 90*time.Minute {
			t.Errorf("ParseDuration(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "0", "-5", "90000", "9-11", "1h on X", "soon"} {
		if d, err := generic.ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", s, d)
		}
	}
}

// FuzzGenericDecode feeds outside bodies to the decoder and, with a real
// hook token on a real store, to the handler: no panic, never a 5xx.
func FuzzGenericDecode(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := core.NewService(st, core.Options{})
	token, _ := svc.BootstrapAdmin(ctx, "")
	boss, err := svc.Authenticate(ctx, token)
	if err != nil {
		f.Fatal(err)
	}
	hook, _, err := svc.CreateIncomingHook(ctx, core.Actor{User: boss}, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	h := generic.NewHandler(svc, generic.Options{})

	f.Add("application/json", []byte(`{"action":"time_entry.add","duration":"1h","project":"P","tags":["a"],"billable":true}`))
	f.Add("application/json", []byte(`{"action":"time_entry.add","start":"2020-01-01T09:00:00Z","end":"2020-01-01T10:00:00+01:00"}`))
	f.Add("application/json", []byte(`{"text":"track Fix in Web #x $ -- note","user":"admin"}`))
	f.Add("application/json", []byte(`{"action":"time_entry.delete","entry_id":1e400}`))
	f.Add("application/x-www-form-urlencoded", []byte(`action=task.track&task=A&project=B&tags=a,b&billable=1`))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nstop\r\n--x--\r\n"))
	f.Add("", []byte(`{"action":"project.add","project":"`+strings.Repeat("P", 300)+`"}`))
	f.Add("text/plain", []byte("%zz"))
	f.Add("application/x-www-form-urlencoded", []byte(`{"text":"status"}`))
	f.Add("application/x-www-form-urlencoded; charset=utf-8", []byte(" \n{\"action\":\"task.track\",\"task\":\"A\",\"tags\":[\"a\"]}"))
	f.Add("application/x-www-form-urlencoded", []byte(`{text=status`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		if req, err := generic.Decode(contentType, body); err == nil {
			req.Command()
		}
		r := httptest.NewRequest(http.MethodPost, "/hooks/"+hook, bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%q %q: status %d %s", contentType, body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", rec.Body)
		}
	})
}
