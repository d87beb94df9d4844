package httpx_test

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

func TestStatusOf(t *testing.T) {
	for code, want := range map[string]int{
		core.EINVALID:      422,
		core.ENOTFOUND:     404,
		core.ECONFLICT:     409,
		core.EFORBIDDEN:    403,
		core.EUNAUTHORIZED: 401,
		core.ELIMIT:        422,
		core.EINTERNAL:     500,
		"no_such_code":     500,
	} {
		if got := httpx.StatusOf(code); got != want {
			t.Errorf("StatusOf(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	refused := &httpx.Error{Status: 413, Code: core.ELIMIT, Message: "too large", Err: errors.New("cause")}
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		msg    string
	}{
		{"http error", refused, 413, core.ELIMIT, "too large"},
		{"wrapped http error", fmt.Errorf("decode: %w", refused), 413, core.ELIMIT, "too large"},
		{"core error", core.Errorf(core.ECONFLICT, "taken"), 409, core.ECONFLICT, "taken"},
		{"wrapped core error", fmt.Errorf("x: %w", core.Errorf(core.ENOTFOUND, "gone")), 404, core.ENOTFOUND, "gone"},
		{"core internal", core.Errorf(core.EINTERNAL, "secret detail"), 500, core.EINTERNAL, "internal error"},
		{"plain error", errors.New("disk on fire"), 500, core.EINTERNAL, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := httpx.Classify(tc.err)
			if e.Status != tc.status || e.Code != tc.code || e.Message != tc.msg {
				t.Errorf("Classify = %d %s %q, want %d %s %q", e.Status, e.Code, e.Message, tc.status, tc.code, tc.msg)
			}
		})
	}
}

func TestErrorOf(t *testing.T) {
	refused := httpx.Errorf(http.StatusBadRequest, "invalid", "bad %s", "form")
	if e := httpx.ErrorOf(fmt.Errorf("x: %w", refused)); e != refused {
		t.Errorf("ErrorOf(wrapped) = %v", e)
	}
	// A core error is the gateway's own failure where ErrorOf is used.
	if e := httpx.ErrorOf(core.Errorf(core.ENOTFOUND, "gone")); e.Status != 500 || e.Code != "internal" || e.Message != "internal error" {
		t.Errorf("ErrorOf(core error) = %+v", e)
	}
	if got := (&httpx.Error{Message: "m", Err: errors.New("c")}).Error(); got != "m: c" {
		t.Errorf("Error() = %q", got)
	}
}

func TestJSONWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		form   httpx.JSON
		status int
		v      any
		ct     string
		body   string
	}{
		{"api", httpx.APIJSON, 201, map[string]any{"ok": true, "html": "<b>"}, "application/json", `{"html":"\u003cb\u003e","ok":true}` + "\n"},
		{"adapter", httpx.AdapterJSON, 200, map[string]any{"ok": true}, "application/json; charset=utf-8", `{"ok":true}`},
		{"api cannot encode", httpx.APIJSON, 200, math.NaN(), "application/json", `{"error":{"code":"internal","message":"internal error"}}` + "\n"},
		{"adapter cannot encode", httpx.AdapterJSON, 200, make(chan int), "application/json; charset=utf-8", `{"error":{"code":"internal","message":"internal error"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			err := tc.form.Write(w, tc.status, tc.v)
			wantStatus := tc.status
			if err != nil {
				wantStatus = 500
				if !httpx.Answered(err) {
					t.Errorf("Write error %v is not Answered", err)
				}
			}
			if w.Code != wantStatus || w.Body.String() != tc.body {
				t.Errorf("Write = %d %q, want %d %q", w.Code, w.Body.String(), wantStatus, tc.body)
			}
			if got := w.Header().Get("Content-Type"); got != tc.ct {
				t.Errorf("Content-Type %q, want %q", got, tc.ct)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
		})
	}
}

func TestJSONError(t *testing.T) {
	w := httptest.NewRecorder()
	if err := httpx.APIJSON.Error(w, httpx.Errorf(405, core.EINVALID, "%s is not allowed here", "PUT")); err != nil {
		t.Fatal(err)
	}
	if want := `{"error":{"code":"invalid","message":"PUT is not allowed here"}}` + "\n"; w.Code != 405 || w.Body.String() != want {
		t.Errorf("Error = %d %q, want 405 %q", w.Code, w.Body.String(), want)
	}
	if httpx.Answered(errors.New("x")) || httpx.Answered(nil) {
		t.Error("Answered of a plain error")
	}
}
