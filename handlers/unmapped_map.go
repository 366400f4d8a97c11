package handlers

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

// unmappedMap accepts a suggestion (or a hand-picked variant) for an unmapped SKU.
func (s *Server) unmappedMap(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	variantID, _ := strconv.ParseInt(c.FormValue("variant_id"), 10, 64)
	o, err := models.MapUnmapped(ctx, s.db, currentUser(c), id, variantID)
	var fields models.FieldErrors
	if errors.As(err, &fields) || errors.Is(err, models.ErrConflict) {
		d, derr := s.unmappedData(c, id)
		if derr != nil {
			return derr
		}
		d.Error = "Not mapped: " + mapErrorText(err, fields)
		return s.render(c, fiber.StatusUnprocessableEntity, mapping.UnmappedShow(d))
	}
	if err != nil {
		return err
	}
	v, err := models.GetVariant(ctx, s.db, o.VariantID)
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Mapped %s to %s.", o.SupplierSKU, v.SKU))
	return s.redirect(c, fmt.Sprintf("/variants/%d/offers", o.VariantID))
}

func mapErrorText(err error, fields models.FieldErrors) string {
	if errors.Is(err, models.ErrConflict) {
		return "this SKU is already mapped."
	}
	for _, msg := range fields {
		return msg + "."
	}
	return "choose a variant."
}
