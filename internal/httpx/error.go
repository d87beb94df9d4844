package httpx

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/chatops/gateway/core"
)

// Error is a failure with an HTTP status of its own: a request refused
// before it reaches core (a malformed or oversized body, a bad signature,
// a wrong method). Code is what the answer's body names (usually a core
// error code), Message what a person reads; Err, when set, is the cause,
// logged but never shown.
type Error struct {
	Status  int
	Code    string
	Message string
	Err     error
}

// Errorf returns an *Error with the status, the code and a message
// formatted as fmt.Sprintf does.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// statusOf maps core error codes to HTTP statuses: the one table.
var statusOf = map[string]int{
	core.EINVALID:      http.StatusUnprocessableEntity, // a rule is broken
	core.ENOTFOUND:     http.StatusNotFound,
	core.ECONFLICT:     http.StatusConflict,
	core.EFORBIDDEN:    http.StatusForbidden,
	core.EUNAUTHORIZED: http.StatusUnauthorized,
	core.ELIMIT:        http.StatusUnprocessableEntity,
	core.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status of a core error code, 500 for a code
// the table does not know.
func StatusOf(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Internal returns what a person sees of a failure that is the gateway's
// own: 500, internal, "internal error".
func Internal() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: core.EINTERNAL, Message: "internal error"}
}

// ErrorOf returns the *Error in err's chain, or Internal when there is
// none: for a transport that shows nothing of any other failure.
func ErrorOf(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return Internal()
}

// Classify returns what a person sees of err: the *Error in its chain as
// it is; a core error with a code other than internal with the status
// StatusOf maps its code to, its code and its message; anything else as
// Internal.
func Classify(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if c := core.ErrorCode(err); c != core.EINTERNAL {
		return &Error{Status: StatusOf(c), Code: c, Message: core.ErrorMessage(err)}
	}
	return Internal()
}
