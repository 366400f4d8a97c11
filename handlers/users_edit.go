package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/users"
)

// usersEdit renders the role and access form of one user.
func (s *Server) usersEdit(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	u, err := models.GetUser(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, users.Edit(u, users.EditForm{Role: string(u.Role), Disabled: !u.Active()}))
}
