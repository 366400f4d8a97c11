package easypost

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/text/unicode/norm"

	"dropship/integrations/internal/fixtures"
)

// The secret and header of the fixture, from shared/fixtures/README.md.
const (
	fixtureSecret = "sécret"
	fixtureHeader = "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db"
)

// fixture reads a file of the shared fixtures.
func fixture(t testing.TB, name string) []byte { return fixtures.Read(t, name) }

func TestFixtureVerifies(t *testing.T) {
	t.Parallel()
	body := fixture(t, "webhooks/easypost-event-body.json")
	if err := Verify(fixtureSecret, fixtureHeader, body); err != nil {
		t.Fatalf("the EasyPost fixture does not verify: %v", err)
	}
	if got := Sign(fixtureSecret, body); got != fixtureHeader {
		t.Fatalf("Sign = %s, want %s", got, fixtureHeader)
	}
	// The secret typed precomposed (é as one code point) or decomposed (e + combining accent) is the same secret.
	decomposed := norm.NFD.String(fixtureSecret)
	if decomposed == fixtureSecret {
		t.Fatal("test setup: the decomposed secret should differ byte-wise")
	}
	if err := Verify(decomposed, fixtureHeader, body); err != nil {
		t.Fatalf("decomposed secret: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	body := fixture(t, "webhooks/easypost-event-body.json")
	tampered := bytes.Replace(body, []byte("in_transit"), []byte("delivered!"), 1)
	if bytes.Equal(tampered, body) {
		t.Fatal("test setup: nothing tampered")
	}
	cases := []struct {
		name, secret, header string
		body                 []byte
		want                 error
	}{
		{"tampered body", fixtureSecret, fixtureHeader, tampered, ErrBadSignature},
		{"body with a trailing newline", fixtureSecret, fixtureHeader, append(append([]byte{}, body...), '\n'), ErrBadSignature},
		{"secret without the accent", "secret", fixtureHeader, body, ErrBadSignature},
		{"no header", fixtureSecret, "", body, ErrMissingSignature},
		{"other scheme", fixtureSecret, "sha1=" + fixtureHeader[len("hmac-sha256-hex="):], body, ErrMissingSignature},
		{"not hex", fixtureSecret, "hmac-sha256-hex=zz", body, ErrBadSignature},
	}
	for _, c := range cases {
		if err := Verify(c.secret, c.header, c.body); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
}
