package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/account"
)

// passwordUpdate changes the signed-in user's password. Other sessions end
// (their stored password time no longer matches); this one gets a new token.
func (s *Server) passwordUpdate(c *fiber.Ctx) error {
	var f account.PasswordForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if !f.Validate() {
		return s.render(c, fiber.StatusUnprocessableEntity, account.Password(f))
	}
	ctx := c.UserContext()
	u := currentUser(c)
	err := models.ChangePassword(ctx, s.db, u, f.Current, f.New)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		f.Errors = fields
		return s.render(c, fiber.StatusUnprocessableEntity, account.Password(f))
	}
	if err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("handlers: renew session: %w", err)
	}
	s.sessions.Put(ctx, sessionPasswordAt, u.PasswordChangedAt.UnixMicro())
	s.flash(c, "success", "Your password is changed. Other devices signed in as you are signed out.")
	return s.redirect(c, "/")
}
