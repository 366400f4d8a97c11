package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/users"
)

// usersUpdate changes a user's role or access.
func (s *Server) usersUpdate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := models.GetUser(ctx, s.db, id)
	if err != nil {
		return err
	}
	var f users.EditForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if !f.Validate() {
		return s.render(c, fiber.StatusUnprocessableEntity, users.Edit(u, f))
	}
	updated, err := models.UpdateUser(ctx, s.db, currentUser(c), id, models.UserChange{Role: models.Role(f.Role), Disabled: f.Disabled})
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		f.Errors = fields
		return s.render(c, fiber.StatusUnprocessableEntity, users.Edit(u, f))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Saved %s: %s, %s.", updated.Email, updated.Role.Label(), map[bool]string{true: "active", false: "disabled"}[updated.Active()]))
	return s.redirect(c, "/users")
}
