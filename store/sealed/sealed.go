// Package sealed keeps webhook secrets encrypted at rest
// (GATEWAY_ENCRYPTION_KEY): Wrap returns a core.Store whose transactions
// seal a subscription's Secret and PreviousSecret with AES-GCM on the way
// in and open them on the way out, so that the database (file, WAL,
// backups, dumps) never holds a usable secret.
//
// It sits at the store boundary, as a wrapper of core.Store, rather than in
// store/internal/sqltx: it works the same for every store, keeps the key out
// of the SQL layer, and the rest of the gateway (webhooks, delivery, api)
// sees plain secrets and needs no change. Only the Tx methods that write
// or read a subscription's secrets are wrapped (CreateSubscription,
// UpdateSubscription, Subscription, PeekSubscription, ListSubscriptions,
// ListChannelSubscriptions); every other method passes through, so a new
// method that returns subscriptions must be added here.
//
// A sealed value is "enc:v1:" and the base64 of a 12-byte random nonce and
// the ciphertext; the subscription's id and workspace are not bound in (a
// new subscription has no id before it is written). A value without the
// prefix is a plain one from before the key was set: it reads as is and is
// sealed the next time the subscription is saved.
package sealed

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/chatops/gateway/core"
)

// Prefix starts every sealed value; the version names the scheme.
const Prefix = "enc:v1:"

// Box seals and opens values with one AES-256-GCM key.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("sealed: key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal returns the sealed form of v; "" stays "".
func (b *Box) Seal(v string) string {
	if v == "" {
		return ""
	}
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(v)+b.aead.Overhead())
	_, _ = rand.Read(nonce)
	return Prefix + base64.RawStdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(v), []byte(Prefix)))
}

// Open returns the plain form of a stored value: a sealed one decrypted, any
// other as is. It fails when a sealed value does not open with the key.
func (b *Box) Open(v string) (string, error) {
	enc, ok := strings.CutPrefix(v, Prefix)
	if !ok {
		return v, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", errors.New("sealed: a stored secret is malformed")
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(Prefix))
	if err != nil {
		return "", errors.New("sealed: a stored secret does not open with GATEWAY_ENCRYPTION_KEY (was the key changed?)")
	}
	return string(plain), nil
}

// Wrap returns st with subscription secrets sealed by box.
func Wrap(st core.Store, box *Box) core.Store { return &store{Store: st, box: box} }

type store struct {
	core.Store
	box *Box
}

func (s *store) Update(ctx context.Context, fn func(core.Tx) error) error {
	return s.Store.Update(ctx, func(tx core.Tx) error { return fn(&tx_{Tx: tx, box: s.box}) })
}

func (s *store) View(ctx context.Context, fn func(core.Tx) error) error {
	return s.Store.View(ctx, func(tx core.Tx) error { return fn(&tx_{Tx: tx, box: s.box}) })
}

// tx_ is a transaction that seals and opens secrets.
type tx_ struct {
	core.Tx
	box *Box
}

func (t *tx_) sealed(s *core.Subscription) *core.Subscription {
	c := *s
	c.Secret = t.box.Seal(s.Secret)
	c.PreviousSecret = t.box.Seal(s.PreviousSecret)
	return &c
}

func (t *tx_) open(s *core.Subscription) error {
	var err1, err2 error
	s.Secret, err1 = t.box.Open(s.Secret)
	s.PreviousSecret, err2 = t.box.Open(s.PreviousSecret)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("webhook %d: %w", s.ID, err)
	}
	return nil
}

func (t *tx_) CreateSubscription(s *core.Subscription) error {
	c := t.sealed(s)
	err := t.Tx.CreateSubscription(c)
	s.ID = c.ID
	return err
}

func (t *tx_) UpdateSubscription(s *core.Subscription) error {
	return t.Tx.UpdateSubscription(t.sealed(s))
}

func (t *tx_) Subscription(ws, id core.ID) (core.Subscription, error) {
	s, err := t.Tx.Subscription(ws, id)
	if err != nil {
		return s, err
	}
	return s, t.open(&s)
}

func (t *tx_) PeekSubscription(ws, id core.ID) (core.Subscription, error) {
	s, err := t.Tx.PeekSubscription(ws, id)
	if err != nil {
		return s, err
	}
	return s, t.open(&s)
}

func (t *tx_) ListSubscriptions(ws, owner core.ID, p core.Page) ([]core.Subscription, error) {
	return t.openAll(t.Tx.ListSubscriptions(ws, owner, p))
}

func (t *tx_) ListChannelSubscriptions(ws core.ID, channel string) ([]core.Subscription, error) {
	return t.openAll(t.Tx.ListChannelSubscriptions(ws, channel))
}

// openAll opens the secrets of a list of subscriptions read with err.
func (t *tx_) openAll(subs []core.Subscription, err error) ([]core.Subscription, error) {
	if err != nil {
		return nil, err
	}
	for i := range subs {
		if err := t.open(&subs[i]); err != nil {
			return nil, err
		}
	}
	return subs, nil
}
