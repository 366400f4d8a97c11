package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// heldReject discards a held feed; the supplier's stock stays as it was.
func (s *Server) heldReject(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	h, err := models.RejectHeldFeed(c.UserContext(), s.db, currentUser(c), id, c.FormValue("note"))
	if errors.Is(err, models.ErrInvalidTransition) {
		held, gerr := models.GetHeldFeed(c.UserContext(), s.db, id)
		if gerr != nil {
			return gerr
		}
		s.flash(c, "error", "This feed was already decided, or a newer one replaced it.")
		return s.redirect(c, fmt.Sprintf("/suppliers/%d/syncs", held.SupplierID))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Rejected the held feed; the stock stays as it was.")
	return s.redirect(c, fmt.Sprintf("/suppliers/%d/syncs", h.SupplierID))
}
