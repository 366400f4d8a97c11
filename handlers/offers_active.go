package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// offersActive turns a mapping on or off; an offer that is off stays for history.
func (s *Server) offersActive(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	active := c.FormValue("active") == "true"
	o, err := models.SetOfferActive(c.UserContext(), s.db, currentUser(c), id, active, c.FormValue("reason"))
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		offer, gerr := models.GetOffer(c.UserContext(), s.db, id)
		if gerr != nil {
			return gerr
		}
		s.flash(c, "error", "Not changed: "+fields["reason"]+".")
		return s.redirect(c, fmt.Sprintf("/variants/%d/offers", offer.VariantID))
	}
	if err != nil {
		return err
	}
	if active {
		s.flash(c, "success", o.SupplierSKU+" counts in the pool again.")
	} else {
		s.flash(c, "info", o.SupplierSKU+" is off: kept, but no longer counted in the pool.")
	}
	return s.redirect(c, fmt.Sprintf("/variants/%d/offers", o.VariantID))
}
