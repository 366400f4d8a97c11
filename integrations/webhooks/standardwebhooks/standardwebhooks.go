// Package standardwebhooks signs and verifies webhooks the Standard Webhooks
// way (standardwebhooks.com): three headers, webhook-id, webhook-timestamp
// (Unix seconds) and webhook-signature ("v1,<base64 HMAC-SHA256 of
// id.timestamp.body>", several space-separated when a secret is being
// rotated), keyed by a secret written "whsec_<base64>".
package standardwebhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names, as the specification writes them.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret's text form.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far a timestamp may be from now, either way.
const DefaultTolerance = 5 * time.Minute

// Errors Verify returns; a receiver answers 401 to each of them.
var (
	ErrMissingHeaders      = errors.New("standardwebhooks: webhook-id, webhook-timestamp or webhook-signature header missing")
	ErrBadTimestamp        = errors.New("standardwebhooks: webhook-timestamp is not a Unix time in seconds")
	ErrTimestampTooOld     = errors.New("standardwebhooks: webhook-timestamp too old")
	ErrTimestampTooNew     = errors.New("standardwebhooks: webhook-timestamp too far in the future")
	ErrNoMatchingSignature = errors.New("standardwebhooks: no signature matches")
)

// Secret is the key shared by sender and receiver.
type Secret []byte

// ParseSecret reads "whsec_<base64>" (the prefix may be left out).
func ParseSecret(s string) (Secret, error) {
	raw := strings.TrimPrefix(strings.TrimSpace(s), SecretPrefix)
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("standardwebhooks: secret is not whsec_ followed by base64: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("standardwebhooks: secret is empty")
	}
	return Secret(key), nil
}

// NewSecret makes a random 24-byte secret.
func NewSecret() Secret {
	key := make([]byte, 24)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return Secret(key)
}

// String is the "whsec_<base64>" form to share with the other side.
func (s Secret) String() string { return SecretPrefix + base64.StdEncoding.EncodeToString(s) }

// Sign returns the "v1,<base64>" signature of one message.
func (s Secret) Sign(id string, timestamp time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(s.mac(id, strconv.FormatInt(timestamp.Unix(), 10), body))
}

func (s Secret) mac(id, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, s)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Headers returns the three headers that sign body as message id sent at timestamp.
func (s Secret) Headers(id string, timestamp time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderSignature, s.Sign(id, timestamp, body))
	return h
}

// Verifier checks incoming webhooks against one or more secrets (several while
// a secret is rotated: a message signed with any of them is accepted).
type Verifier struct {
	secrets []Secret
	// Tolerance bounds |now - webhook-timestamp|; DefaultTolerance when zero.
	Tolerance time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// NewVerifier parses the secrets ("whsec_..."), newest first or in any order.
func NewVerifier(secrets ...string) (*Verifier, error) {
	if len(secrets) == 0 {
		return nil, errors.New("standardwebhooks: no secret given")
	}
	v := &Verifier{}
	for _, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return nil, err
		}
		v.secrets = append(v.secrets, key)
	}
	return v, nil
}

// Message is what a verified webhook says about itself.
type Message struct {
	// ID is the sender's message id, the same on every retry: the dedupe key.
	ID        string
	Timestamp time.Time
}

// Verify checks the headers against body and returns the message id and time.
// Signature comparison is constant-time; the timestamp must be within Tolerance of now.
func (v *Verifier) Verify(h http.Header, body []byte) (Message, error) {
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		return Message{}, ErrMissingHeaders
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Message{}, ErrBadTimestamp
	}
	sent := time.Unix(sec, 0)
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if now.Sub(sent) > tol {
		return Message{}, fmt.Errorf("%w: sent %s, %s ago", ErrTimestampTooOld, sent.UTC().Format(time.RFC3339), now.Sub(sent).Round(time.Second))
	}
	if sent.Sub(now) > tol {
		return Message{}, fmt.Errorf("%w: sent %s, %s ahead", ErrTimestampTooNew, sent.UTC().Format(time.RFC3339), sent.Sub(now).Round(time.Second))
	}
	var want [][]byte
	for _, s := range v.secrets {
		want = append(want, s.mac(id, ts, body))
	}
	for _, sig := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue // other schemes (v1a asymmetric) are not ours to check
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		for _, w := range want {
			if hmac.Equal(got, w) {
				return Message{ID: id, Timestamp: sent.UTC()}, nil
			}
		}
	}
	return Message{}, ErrNoMatchingSignature
}
