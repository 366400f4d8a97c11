package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/suppliers"
)

// suppliersEdit renders a supplier's form; secrets show as set or not set, never their value.
func (s *Server) suppliersEdit(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sup, err := models.GetSupplier(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, suppliers.FormPage(sup, suppliers.FormOf(sup)))
}
