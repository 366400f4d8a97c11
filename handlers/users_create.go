package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/users"
)

// usersCreate adds a user, or re-renders the form with its errors.
func (s *Server) usersCreate(c *fiber.Ctx) error {
	var f users.NewForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if !f.Validate() {
		return s.render(c, fiber.StatusUnprocessableEntity, users.New(f, ""))
	}
	u, err := models.CreateUser(c.UserContext(), s.db, currentUser(c), models.NewUser{
		Email: f.Email, Name: f.Name, Role: models.Role(f.Role), Password: f.Password,
	})
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		f.Errors = fields
		return s.render(c, fiber.StatusUnprocessableEntity, users.New(f, ""))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("%s can now sign in as %s.", u.Email, u.Role.Label()))
	return s.redirect(c, "/users")
}
