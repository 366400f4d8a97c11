package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// heldApprove applies a held feed as it was held, in the background; the
// approval and its note go to the audit log.
func (s *Server) heldApprove(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	h, err := models.GetHeldFeed(ctx, s.db, id)
	if err != nil {
		return err
	}
	if s.inv == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "Stock sync is not running on this instance.")
	}
	err = s.inv.ApproveHeld(ctx, id, currentUser(c), c.FormValue("note"))
	switch {
	case errors.Is(err, models.ErrInvalidTransition):
		s.flash(c, "error", "This feed was already decided, or a newer one replaced it.")
	case errors.Is(err, models.ErrSyncBusy):
		s.flash(c, "error", "A sync of this supplier is running; approve the feed again once it has finished.")
	case err != nil:
		return err
	default:
		s.flash(c, "success", "Applying the approved feed.")
	}
	return s.redirect(c, fmt.Sprintf("/suppliers/%d/syncs", h.SupplierID))
}
