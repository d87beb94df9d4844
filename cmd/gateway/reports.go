package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"strings"
)

// reportLinkKey is the key report links are signed with when
// GATEWAY_ENCRYPTION_KEY is set: derived from it (HMAC-SHA256 with a
// label of its own, so the encryption key itself signs nothing). Without
// one it is nil, and the service keeps a key of its own in the store.
func reportLinkKey(encryptionKey []byte) []byte {
	if len(encryptionKey) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, encryptionKey)
	m.Write([]byte("gateway report links v1"))
	return m.Sum(nil)
}

// isReportLink reports whether r opens a report link: the API's reports
// with a signature instead of a token.
func isReportLink(r *http.Request) bool {
	return strings.TrimSuffix(r.URL.Path, "/") == "/api/v1/reports" && r.URL.Query().Has("signature")
}
