package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatops/gateway/store/sqlite"
)

// FuzzDecodeBody sends arbitrary bodies to every route that reads one: no
// body may panic or cause a 500, a body that is not JSON is a 400, and every
// failure answers the error shape.
func FuzzDecodeBody(f *testing.F) {
	e := newEnvWith(f, sqlite.Options{Synchronous: "OFF"})
	targets := []struct{ method, path string }{
		{"POST", "/api/v1/tokens"},
		{"POST", "/api/v1/users"},
		{"PATCH", "/api/v1/users/1"},
		{"POST", "/api/v1/users/1/identities"},
		{"POST", "/api/v1/clients"},
		{"PATCH", "/api/v1/clients/1"},
		{"POST", "/api/v1/projects"},
		{"PATCH", "/api/v1/projects/1"},
		{"POST", "/api/v1/tasks"},
		{"PATCH", "/api/v1/tasks/1"},
		{"POST", "/api/v1/tags"},
		{"PATCH", "/api/v1/tags/1"},
		{"POST", "/api/v1/time-entries"},
		{"PATCH", "/api/v1/time-entries/1"},
	}
	for i := range targets {
		for _, body := range []string{
			``, `{}`, `null`, `[]`, `{"name":"x"}`, `{"name":"x"} {}`, `{"name":1}`, `{"name":"\ud800"}`,
			`{"client_id":"abc"}`, `{"project_id":"-1"}`, `{"client_id":null}`, `{"user_id":99999999999999999999}`,
			`{"start":"2026-01-01T00:00:00Z","end":"2025-01-01T00:00:00Z"}`, `{"start":"not a time"}`, `{"end":null}`,
			`{"tags":[1,2]}`, `{"role":"root"}`, `{"provider":"github","subject":""}`, `{"time_zone":"../../etc/passwd"}`,
			"\x00\xff", `{"name":"x",}`, `{"a":{"b":{"c":[[[[[[]]]]]]}}}`, `{"status":"closed"}`,
		} {
			f.Add(uint8(i), body)
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, body string) {
		tg := targets[int(target)%len(targets)]
		req := httptest.NewRequest(tg.method, tg.path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.admin)
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", tg.method, tg.path, body, w.Code, w.Body)
		}
		if !json.Valid([]byte(body)) && w.Code != http.StatusBadRequest {
			t.Fatalf("%s %s %q is not JSON but answered %d: %s", tg.method, tg.path, body, w.Code, w.Body)
		}
		if w.Code >= 400 {
			var eb struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("%s %s %q: error body %s", tg.method, tg.path, body, w.Body)
			}
		}
	})
}
