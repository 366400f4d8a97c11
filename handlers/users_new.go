package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/users"
)

// usersNew renders the add-a-user form with a generated password.
func (s *Server) usersNew(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, users.New(users.NewForm{Role: string(models.RoleCSRep)}, models.GeneratePassword()))
}
