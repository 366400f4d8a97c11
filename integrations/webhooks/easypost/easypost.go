// Package easypost verifies EasyPost's webhook signature: the header
// X-Hmac-Signature carries "hmac-sha256-hex=<hex HMAC-SHA256 of the raw body>",
// keyed by the webhook secret normalised to Unicode NFKD (as EasyPost's own
// client libraries do, so a secret with accents verifies).
package easypost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// HeaderSignature is the header EasyPost signs with.
const HeaderSignature = "X-Hmac-Signature"

const prefix = "hmac-sha256-hex="

// Errors Verify returns; a receiver answers 401 to both.
var (
	ErrMissingSignature = errors.New("easypost: X-Hmac-Signature header missing or not hmac-sha256-hex=")
	ErrBadSignature     = errors.New("easypost: webhook signature does not match")
)

// Sign returns the header value EasyPost would send for body.
func Sign(secret string, body []byte) string {
	return prefix + hex.EncodeToString(mac(secret, body))
}

// Verify checks the X-Hmac-Signature header value against the raw body.
func Verify(secret, header string, body []byte) error {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), prefix)
	if !ok {
		return ErrMissingSignature
	}
	got, err := hex.DecodeString(strings.ToLower(hexSig))
	if err != nil {
		return ErrBadSignature
	}
	if !hmac.Equal(got, mac(secret, body)) {
		return ErrBadSignature
	}
	return nil
}

func mac(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(norm.NFKD.String(secret)))
	m.Write(body)
	return m.Sum(nil)
}
