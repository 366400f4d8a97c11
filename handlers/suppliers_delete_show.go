package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/suppliers"
)

// suppliersDeleteShow asks before deleting: a supplier with offers is deactivated instead.
func (s *Server) suppliersDeleteShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sum, err := models.GetSupplierSummary(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, suppliers.DeletePage(*sum))
}
