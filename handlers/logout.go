package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// logout ends the session and returns to the sign-in page.
func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.sessions.Destroy(c.UserContext()); err != nil {
		return fmt.Errorf("handlers: sign out: %w", err)
	}
	s.flash(c, "info", "You are signed out.")
	return s.redirect(c, "/login")
}
