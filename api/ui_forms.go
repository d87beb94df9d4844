package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// The console's forms: what a person typed, and the errors to show next to
// the fields. A form with bad input is shown again with 422, what was typed
// kept, each error beside its field, and nothing changed.

// form is one form's state on a page. Its methods work on a nil form (a
// form not posted yet).
type form struct {
	// Values are what was typed, to fill the fields again.
	Values url.Values
	// Errors are the messages by field; "" is the form's own.
	Errors map[string]string
}

// formOf starts a form from a request's posted values.
func formOf(r *http.Request) *form {
	return &form{Values: r.PostForm, Errors: map[string]string{}}
}

// Val is a field's value.
func (f *form) Val(name string) string {
	if f == nil {
		return ""
	}
	return strings.TrimSpace(f.Values.Get(name))
}

// Vals are a field's values (checkboxes).
func (f *form) Vals(name string) []string {
	if f == nil {
		return nil
	}
	return f.Values[name]
}

// Has reports whether a checkbox of the field with that value was ticked.
func (f *form) Has(name, value string) bool {
	return slices.Contains(f.Vals(name), value)
}

// Err is a field's error ("" for the form's own).
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Failed reports whether the form has any error.
func (f *form) Failed() bool { return f != nil && len(f.Errors) > 0 }

// fail records an error of a field, the first one only.
func (f *form) fail(name, msg string) {
	if _, ok := f.Errors[name]; !ok {
		f.Errors[name] = msg
	}
}

// require records "NAME is required." for each empty field of names.
func (f *form) require(msgs map[string]string) {
	for name, msg := range msgs {
		if f.Val(name) == "" {
			f.fail(name, msg)
		}
	}
}

// refused records a service's refusal of the form next to the field it is
// about: a conflict on the field named by conflictField, a refusal whose
// message starts with a field's name (or one of its synonyms) on that
// field, anything else on the form. It reports false for an error that is
// not a refusal of input (the caller returns it).
func (f *form) refused(err error, conflictField string, fields map[string][]string) bool {
	code := core.ErrorCode(err)
	switch code {
	case core.EINVALID, core.ECONFLICT, core.ELIMIT:
	default:
		return false
	}
	msg := httpx.Classify(err).Message
	if code == core.ECONFLICT && conflictField != "" {
		f.fail(conflictField, msg)
		return true
	}
	lower := strings.ToLower(msg)
	if code != core.ELIMIT {
		for field, words := range fields {
			for _, w := range words {
				if strings.HasPrefix(lower, w) {
					f.fail(field, msg)
					return true
				}
			}
		}
	}
	f.fail("", msg)
	return true
}

// allPages reads every page of a list.
func allPages[T any](list func(p core.Page) ([]T, core.ID, error)) ([]T, error) {
	var out []T
	for p := (core.Page{Limit: core.MaxPageLimit}); ; {
		items, next, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == 0 {
			return out, nil
		}
		p.After = next
	}
}
