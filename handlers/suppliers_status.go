package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// suppliersStatus pauses or activates a supplier; the pool follows at once.
func (s *Server) suppliersStatus(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	status := c.FormValue("status")
	if status != models.SupplierActive && status != models.SupplierPaused {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose to pause or activate the supplier.")
	}
	sup, err := models.SetSupplierStatus(c.UserContext(), s.db, currentUser(c), id, status, c.FormValue("reason"))
	if err != nil {
		return err
	}
	s.reloadSchedules(c)
	if status == models.SupplierPaused {
		s.flash(c, "info", sup.Code+" is paused: its stock no longer counts in the pool.")
	} else {
		s.flash(c, "success", sup.Code+" is active: its stock counts in the pool.")
	}
	return s.redirect(c, fmt.Sprintf("/suppliers/%d", id))
}
