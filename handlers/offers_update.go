package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

// offersUpdate saves an offer edited inline; a failed row shows its errors in place.
func (s *Server) offersUpdate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	o, err := models.GetOffer(ctx, s.db, id)
	if err != nil {
		return err
	}
	var f mapping.OfferForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if in, ok := f.Validate(); ok {
		_, err = models.UpdateOffer(ctx, s.db, currentUser(c), id, in)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		d, err := s.offersData(c, o.VariantID)
		if err != nil {
			return err
		}
		d.Edit[id] = f
		return s.render(c, fiber.StatusUnprocessableEntity, mapping.Offers(d))
	}
	s.flash(c, "success", "Saved "+f.SupplierSKU+".")
	return s.redirect(c, fmt.Sprintf("/variants/%d/offers", o.VariantID))
}
