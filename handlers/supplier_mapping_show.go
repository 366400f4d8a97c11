package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

// supplierMappingShow is the supplier's feed or REST mapping editor.
func (s *Server) supplierMappingShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sup, err := models.GetSupplier(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, inventory.MappingPage(sup, inventory.MappingFormOf(sup), s.webhookURL(sup)))
}

// webhookURL is where a supplier sends its stock webhooks.
func (s *Server) webhookURL(sup *models.Supplier) string {
	return s.cfg.BaseURL + "/webhooks/suppliers/" + sup.Code
}
