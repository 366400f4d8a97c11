package handlers

import (
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gofiber/fiber/v2"
)

// withSession loads the scs session for the request and saves it afterwards.
// scs's net/http middleware does not fit Fiber (its adaptor panics here), so
// this is the same cycle by hand: Load, run the handler (errors rendered
// here, so a flash set while failing is kept), Commit, set the cookie.
func (s *Server) withSession(c *fiber.Ctx) error {
	ctx, err := s.sessions.Load(c.UserContext(), c.Cookies(s.sessions.Cookie.Name))
	if err != nil {
		return fmt.Errorf("handlers: load session: %w", err)
	}
	c.SetUserContext(ctx)
	c.Locals(localSession, true)
	c.Vary(fiber.HeaderCookie)

	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}

	ctx = c.UserContext()
	switch s.sessions.Status(ctx) {
	case scs.Modified:
		token, expiry, err := s.sessions.Commit(ctx)
		if err != nil {
			return fmt.Errorf("handlers: save session: %w", err)
		}
		s.setSessionCookie(c, token, expiry)
	case scs.Destroyed:
		s.setSessionCookie(c, "", time.Time{})
	}
	return nil
}

func (s *Server) setSessionCookie(c *fiber.Ctx, token string, expiry time.Time) {
	ck := &fiber.Cookie{
		Name:     s.sessions.Cookie.Name,
		Value:    token,
		Path:     "/",
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	}
	if expiry.IsZero() {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	} else {
		ck.Expires = expiry
		ck.MaxAge = int(time.Until(expiry).Seconds() + 1)
	}
	c.Cookie(ck)
	if len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0 {
		c.Set(fiber.HeaderCacheControl, `no-cache="Set-Cookie"`) // a page's own no-store stays
	}
}
