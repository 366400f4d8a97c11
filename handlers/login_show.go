package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/views/auth"
)

// loginShow renders the sign-in form (or goes home when already signed in).
func (s *Server) loginShow(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, auth.Login(auth.LoginForm{Next: c.Query("next")}))
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/"
	}
	return next
}
