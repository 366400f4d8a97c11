package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/settings"
)

// settingsUpdate saves the posted section of the store settings.
func (s *Server) settingsUpdate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var f settings.Form
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	saved, err := models.GetStoreSettings(ctx, s.db)
	if err != nil {
		return err
	}
	next, ok := f.Apply(saved)
	if ok {
		err = models.SaveStoreSettings(ctx, s.db, currentUser(c), next)
		var fields models.FieldErrors
		if !errors.As(err, &fields) {
			if err != nil {
				return err
			}
			s.flash(c, "success", "Settings saved.")
			return s.redirect(c, "/settings#"+f.Section)
		}
		f.Errors = fields
	}
	return s.render(c, fiber.StatusUnprocessableEntity, settings.Page(f.WithSaved(saved)))
}
