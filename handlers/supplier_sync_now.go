package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// supplierSyncNow starts a sync of the supplier in the background and shows its runs page.
func (s *Server) supplierSyncNow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sup, err := models.GetSupplier(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	if !s.canSync(sup) {
		return fiber.NewError(fiber.StatusUnprocessableEntity, sup.Code+"'s stock can't be pulled from here: it pushes it, or reports none.")
	}
	err = s.inv.SyncNow(id, currentUser(c))
	switch {
	case errors.Is(err, models.ErrSyncBusy):
		s.flash(c, "info", "A sync of "+sup.Code+" is already running; its progress is below.")
	case err != nil:
		return err
	default:
		s.flash(c, "success", "Syncing "+sup.Code+" now.")
	}
	return s.redirect(c, fmt.Sprintf("/suppliers/%d/syncs", id))
}
