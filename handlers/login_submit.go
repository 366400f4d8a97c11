package handlers

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/auth"
)

// loginSubmit checks the credentials, renews the session token and signs in.
func (s *Server) loginSubmit(c *fiber.Ctx) error {
	var f auth.LoginForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if !f.Validate() {
		return s.render(c, fiber.StatusUnprocessableEntity, auth.Login(f))
	}
	ctx := c.UserContext()
	u, err := models.Authenticate(ctx, s.db, f.Email, f.Password, c.IP())
	var throttled *models.ThrottledError
	switch {
	case errors.As(err, &throttled):
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(math.Ceil(throttled.RetryAfter.Seconds()))))
		f.Error = capitalize(err.Error()) + "."
		return s.render(c, fiber.StatusTooManyRequests, auth.Login(f))
	case errors.Is(err, models.ErrBadCredentials):
		f.Error = "Wrong email or password."
		return s.render(c, fiber.StatusUnauthorized, auth.Login(f))
	case err != nil:
		return err
	}
	// A new session id at sign-in, so a token planted before it is worthless.
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("handlers: renew session: %w", err)
	}
	s.sessions.Put(ctx, sessionUserID, u.ID)
	s.sessions.Put(ctx, sessionPasswordAt, u.PasswordChangedAt.UnixMicro())
	s.rotateCSRF(c)
	s.log.Info("signed in", "user_id", u.ID, "ip", c.IP())
	return s.redirect(c, safeNext(f.Next))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
