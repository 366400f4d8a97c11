package handlers

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

// offersCreate maps a supplier SKU to a variant by hand.
func (s *Server) offersCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var f mapping.OfferForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	variantID, err := strconv.ParseInt(c.FormValue("variant_id"), 10, 64)
	if err != nil || variantID <= 0 {
		return fiber.ErrNotFound
	}
	f.Active = true
	if in, ok := f.Validate(); ok {
		in.VariantID = variantID
		_, err = models.CreateOffer(ctx, s.db, currentUser(c), in)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		d, err := s.offersData(c, variantID)
		if err != nil {
			return err
		}
		d.Add = f
		return s.render(c, fiber.StatusUnprocessableEntity, mapping.Offers(d))
	}
	s.flash(c, "success", "Mapped "+f.SupplierSKU+".")
	return s.redirect(c, fmt.Sprintf("/variants/%d/offers", variantID))
}
