package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// JSON is a form of JSON answer. There are two, kept as clients have
// always seen them: APIJSON and AdapterJSON. Both say
// "X-Content-Type-Options: nosniff".
type JSON struct {
	contentType string
	// newline ends each body with "\n", as json.Encoder does.
	newline bool
}

var (
	// APIJSON is the form of the management API's answers (/api/v1, the
	// WebWork API, /healthz): "application/json", each body ended by a
	// newline.
	APIJSON = JSON{contentType: "application/json", newline: true}
	// AdapterJSON is the form of the adapters' answers (Slack, Mattermost,
	// GitHub, incoming hooks): "application/json; charset=utf-8", no
	// newline.
	AdapterJSON = JSON{contentType: "application/json; charset=utf-8"}
)

// ErrorBody is the body of a failed request:
// {"error": {"code": …, "message": …}}, with "field" when a field of the
// request is at fault.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is what ErrorBody says of the failure.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Write answers v as JSON with the status. The body is encoded before
// anything is written; a value that cannot be encoded is answered 500
// internal error instead. A non-nil error means that the request is
// answered all the same (Answered): the encoding failed, or the client
// left.
func (j JSON) Write(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		err = answered{fmt.Errorf("encode response: %w", err)}
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	if j.newline {
		b = append(b, '\n')
	}
	h := w.Header()
	h.Set("Content-Type", j.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if _, werr := w.Write(b); werr != nil && err == nil {
		err = answered{werr}
	}
	return err
}

// Error answers e as an ErrorBody with e's status.
func (j JSON) Error(w http.ResponseWriter, e *Error) error {
	return j.Write(w, e.Status, ErrorBody{ErrorDetail{Code: e.Code, Message: e.Message}})
}

// answered marks a failure whose request has been answered.
type answered struct{ error }

func (a answered) Unwrap() error { return a.error }

// Answered reports whether err comes from a request that has been answered
// already (JSON.Write's errors): a wrapper logs it but writes nothing more.
func Answered(err error) bool {
	_, ok := errors.AsType[answered](err)
	return ok
}
