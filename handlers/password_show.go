package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/views/account"
)

// passwordShow renders the change-password form.
func (s *Server) passwordShow(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, account.Password(account.PasswordForm{}))
}
