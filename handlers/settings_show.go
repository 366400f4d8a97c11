package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/settings"
)

// settingsShow renders the store settings form.
func (s *Server) settingsShow(c *fiber.Ctx) error {
	st, err := models.GetStoreSettings(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, settings.Page(settings.FormOf(st)))
}
