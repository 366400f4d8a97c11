package models

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// SecretBox seals the secrets the app stores (supplier passwords, tokens,
// keys) with AES-256-GCM under SECRET_KEY. A sealed value names the key that
// sealed it ("v1:<key id>:<base64 nonce+ciphertext>"), so old keys can be kept
// for opening while a new one seals: key rotation needs no schema change.
type SecretBox struct {
	current string // key id that seals
	aeads   map[string]cipher.AEAD
}

// sealedPrefix starts every sealed value; the version says the format.
const sealedPrefix = "v1:"

// ErrSecretUnreadable means a sealed value could not be opened: wrong key, or tampered.
var ErrSecretUnreadable = errors.New("secret cannot be opened with the configured keys")

// NewSecretBox returns a box that seals with key and opens values sealed by
// key or by any of the older keys. Every key is 32 bytes.
func NewSecretBox(key []byte, older ...[]byte) (*SecretBox, error) {
	b := &SecretBox{aeads: map[string]cipher.AEAD{}}
	for i, k := range append([][]byte{key}, older...) {
		if len(k) != 32 {
			return nil, fmt.Errorf("models: secret box: key %d is %d bytes, want 32", i, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("models: secret box: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("models: secret box: %w", err)
		}
		id := keyID(k)
		b.aeads[id] = aead
		if i == 0 {
			b.current = id
		}
	}
	return b, nil
}

// keyID names a key without revealing it: the first 8 hex digits of its SHA-256.
func keyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("dropship.secretbox.keyid:"), key...))
	return hex.EncodeToString(sum[:4])
}

// KeyID is the id of the key that seals new values.
func (b *SecretBox) KeyID() string { return b.current }

// Seal encrypts plaintext; label binds the value to its use (say
// "supplier.password"), so a sealed value copied into another field won't open.
func (b *SecretBox) Seal(label, plaintext string) (string, error) {
	aead := b.aeads[b.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("models: seal secret: %w", err)
	}
	out := aead.Seal(nonce, nonce, []byte(plaintext), []byte(label))
	return sealedPrefix + b.current + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal returned with the same label.
func (b *SecretBox) Open(label, sealed string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", fmt.Errorf("models: open secret: %w", ErrSecretUnreadable)
	}
	id, payload, ok := strings.Cut(rest, ":")
	if !ok {
		return "", fmt.Errorf("models: open secret: %w", ErrSecretUnreadable)
	}
	aead, ok := b.aeads[id]
	if !ok {
		return "", fmt.Errorf("models: open secret sealed by key %s: %w", id, ErrSecretUnreadable)
	}
	raw, err := base64.RawStdEncoding.DecodeString(payload)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", fmt.Errorf("models: open secret: %w", ErrSecretUnreadable)
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(label))
	if err != nil {
		return "", fmt.Errorf("models: open secret: %w", ErrSecretUnreadable)
	}
	return string(plain), nil
}

// IsSealed reports whether s looks like a value Seal returned.
func IsSealed(s string) bool { return strings.HasPrefix(s, sealedPrefix) }
