package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

// supplierTestConnection connects the way a sync would and shows what it
// saw (file, size, first lines, host key), applying nothing.
func (s *Server) supplierTestConnection(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sup, err := models.GetSupplier(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	if s.inv == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "Stock sync is not running on this instance.")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), previewTimeout)
	defer cancel()
	p, err := s.inv.TestConnection(ctx, sup)
	return s.render(c, fiber.StatusOK, inventory.ProbeResult(p, errText(err)))
}
