package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/views/suppliers"
)

// suppliersNew renders the new supplier form.
func (s *Server) suppliersNew(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, suppliers.FormPage(nil, suppliers.NewForm()))
}
