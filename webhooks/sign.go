package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// NewSecret returns a new signing secret: "whsec_" and 32 random bytes in
// standard base64.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// ValidateSecret checks a secret given by a user: "whsec_" and base64 of 24
// to 64 bytes.
func ValidateSecret(s string) error {
	key, err := secretKey(s)
	if err != nil {
		return err
	}
	if len(key) < 24 || len(key) > 64 {
		return errors.New("secret must hold 24 to 64 bytes")
	}
	return nil
}

// secretKey returns the HMAC key of a Standard Webhooks secret: the
// base64-decoded part after "whsec_".
func secretKey(s string) ([]byte, error) {
	if !strings.HasPrefix(s, SecretPrefix) {
		return nil, errors.New(`secret must start with "whsec_"`)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
	if err != nil {
		return nil, errors.New(`secret must be "whsec_" and base64`)
	}
	return key, nil
}

// Signature is the signing headers of one request.
type Signature struct {
	// ID, Timestamp and Standard are the Standard Webhooks headers
	// webhook-id, webhook-timestamp and webhook-signature.
	ID        string
	Timestamp string
	Standard  string
	// Toggl is X-Webhook-Signature-256: "sha256=" and the hex HMAC-SHA256 of
	// the body keyed with the newest secret string as shown.
	Toggl string
}

// Sign signs body for delivery id at time ts. secrets lists the valid secrets,
// newest first: webhook-signature carries one "v1,…" per secret, space
// separated; the Toggl header uses the newest only.
func Sign(secrets []string, id string, ts time.Time, body []byte) (Signature, error) {
	if len(secrets) == 0 {
		return Signature{}, errors.New("no secret")
	}
	sig := Signature{ID: id, Timestamp: strconv.FormatInt(ts.Unix(), 10)}
	parts := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := secretKey(s)
		if err != nil {
			return Signature{}, err
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(sig.ID + "." + sig.Timestamp + "."))
		mac.Write(body)
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	sig.Standard = strings.Join(parts, " ")
	sig.Toggl = TogglSignature(secrets[0], body)
	return sig, nil
}

// TogglSignature is Toggl Track's X-Webhook-Signature-256: "sha256=" and the
// hex HMAC-SHA256 of the body keyed with the secret string as given.
func TogglSignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
