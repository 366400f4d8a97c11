package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/zones"
)

// zonesIndex shows the transit table.
func (s *Server) zonesIndex(c *fiber.Ctx) error {
	return s.renderZones(c, fiber.StatusOK, zones.Form{})
}

func (s *Server) renderZones(c *fiber.Ctx, status int, f zones.Form) error {
	z, err := models.LoadShippingZones(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, status, zones.Page(zones.PageData{Zones: z, Form: f}))
}
