// Package httpx is the HTTP error plumbing that the API and the adapters
// share: one error type for a request refused at the HTTP layer (Error),
// the one table from core error codes to HTTP statuses (StatusOf), the
// classification of any error into what a person may see (Classify), and
// one JSON writer (JSON.Write) with the two forms clients have always been
// answered in.
//
// It imports only the standard library and core: the transports depend on
// it, never the other way round.
package httpx
