package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatops/gateway/internal/httpx"
)

func TestWithRequestIDKeepsSaneAndReplacesOthers(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(httpx.LogRequestID(slog.NewJSONHandler(&logs, nil)))
	h := httpx.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "handled")
		log.Info("no context")
	}))
	for in, keep := range map[string]bool{"abc-123": true, "A.b_C-9": true, strings.Repeat("x", 128): true,
		"": false, strings.Repeat("x", 129): false, "a b": false, "a/b": false, "é": false, "a\x00": false} {
		logs.Reset()
		r := httptest.NewRequest("GET", "/", nil)
		if in != "" {
			r.Header["X-Request-Id"] = []string{in}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		got := w.Header().Get("X-Request-Id")
		if keep != (got == in) || !httpx.SaneRequestID(got) {
			t.Fatalf("id %q answered as %q", in, got)
		}
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		var first, second map[string]any
		if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[1]), &second) != nil {
			t.Fatalf("logs %q", logs.String())
		}
		if first["request_id"] != got || second["request_id"] != nil {
			t.Fatalf("log lines %v / %v, want request_id %q on the first only", first, second, got)
		}
	}
	if httpx.RequestID(context.Background()) != "" {
		t.Fatal("a bare context has a request id")
	}
}

func FuzzSaneRequestID(f *testing.F) {
	for _, s := range []string{"abc", "a b", strings.Repeat("z", 129), "\n", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !httpx.SaneRequestID(id) {
			return
		}
		if len(id) == 0 || len(id) > 128 || strings.ContainsAny(id, " \t\r\n\"\\/<>") {
			t.Fatalf("%q taken as sane", id)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Request-Id", id)
		w := httptest.NewRecorder()
		httpx.WithRequestID(http.NotFoundHandler()).ServeHTTP(w, r)
		if w.Header().Get("X-Request-Id") != id {
			t.Fatalf("sane %q not kept", id)
		}
	})
}
