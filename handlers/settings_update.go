package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/settings"
)

// settingsUpdate saves the store settings.
func (s *Server) settingsUpdate(c *fiber.Ctx) error {
	var f settings.Form
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if !f.Validate() {
		return s.render(c, fiber.StatusUnprocessableEntity, settings.Page(f))
	}
	err := models.SaveStoreSettings(c.UserContext(), s.db, currentUser(c), f.Settings())
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		f.Errors = fields
		return s.render(c, fiber.StatusUnprocessableEntity, settings.Page(f))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Settings saved.")
	return s.redirect(c, "/settings")
}
