package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"

	"github.com/gofiber/fiber/v2"
)

const (
	sessionCSRF   = "csrf"
	csrfFormField = "_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// csrf refuses unsafe requests that don't carry the session's token, in the
// _csrf form field or the X-CSRF-Token header (htmx sends it from hx-headers).
// The token lives in the session, that is in Postgres: it survives restarts
// and works on every instance.
func (s *Server) csrf(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := s.sessions.GetString(ctx, sessionCSRF)
	if token == "" {
		token = newCSRFToken()
		s.sessions.Put(ctx, sessionCSRF, token)
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sent := c.Get(csrfHeader)
	if sent == "" {
		sent = c.FormValue(csrfFormField)
	}
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 || !s.sameOrigin(c) {
		return errCSRF
	}
	return c.Next()
}

// errCSRF is a 403 with words a person can act on.
var errCSRF = fiber.NewError(fiber.StatusForbidden, "This form has expired or did not come from this site. Reload the page and try again.")

// sameOrigin checks the Origin header when the browser sent one.
func (s *Server) sameOrigin(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || origin == "null" {
		return origin == ""
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if u.Host == c.Hostname() {
		return true
	}
	if base, err := url.Parse(s.cfg.BaseURL); err == nil && base.Host != "" && u.Host == base.Host {
		return true
	}
	return false
}

func newCSRFToken() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand never fails on Linux
	return base64.RawURLEncoding.EncodeToString(b)
}

// rotateCSRF gives the session a fresh token (at sign-in, with the new session id).
func (s *Server) rotateCSRF(c *fiber.Ctx) {
	s.sessions.Put(c.UserContext(), sessionCSRF, newCSRFToken())
}
