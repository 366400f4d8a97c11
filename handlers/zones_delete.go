package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// zonesDelete removes a route.
func (s *Server) zonesDelete(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = models.DeleteShippingZone(c.UserContext(), s.db, currentUser(c), id)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		s.flash(c, "error", fields["zone"])
		return s.redirect(c, "/settings/shipping-zones")
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Route deleted.")
	return s.redirect(c, "/settings/shipping-zones")
}
