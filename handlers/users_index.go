package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/users"
)

// usersIndex lists the people who can sign in.
func (s *Server) usersIndex(c *fiber.Ctx) error {
	list, err := models.ListUsers(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, users.Index(list))
}
