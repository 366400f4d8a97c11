package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/suppliers"
)

// suppliersIndex lists suppliers with their status and last-seen figures.
func (s *Server) suppliersIndex(c *fiber.Ctx) error {
	list, err := models.ListSuppliers(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, suppliers.Index(list, currentUser(c).Can(models.PermSuppliersEdit)))
}
