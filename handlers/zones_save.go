package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/zones"
)

// zonesSave adds a route or changes its transit days.
func (s *Server) zonesSave(c *fiber.Ctx) error {
	var f zones.Form
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	in, ok := f.Input()
	if !ok {
		return s.renderZones(c, fiber.StatusUnprocessableEntity, f)
	}
	err := models.SaveShippingZone(c.UserContext(), s.db, currentUser(c), in)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		f.Errors = fields
		return s.renderZones(c, fiber.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Route saved. Delivery estimates use it from now on.")
	return s.redirect(c, "/settings/shipping-zones")
}
