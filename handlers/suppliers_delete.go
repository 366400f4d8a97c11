package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// suppliersDelete deletes a supplier without history, or deactivates one with offers.
func (s *Server) suppliersDelete(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sup, err := models.GetSupplier(ctx, s.db, id)
	if err != nil {
		return err
	}
	deleted, err := models.RemoveSupplier(ctx, s.db, currentUser(c), id, c.FormValue("reason"))
	if err != nil {
		return err
	}
	if deleted {
		s.flash(c, "success", "Deleted "+sup.Code+".")
		return s.redirect(c, "/suppliers")
	}
	s.flash(c, "info", sup.Code+" is deactivated; its offers are kept for history and no longer count in the pool.")
	return s.redirect(c, fmt.Sprintf("/suppliers/%d", id))
}
