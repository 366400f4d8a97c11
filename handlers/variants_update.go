package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// variantsUpdate saves a variant, or re-renders the form with its errors.
func (s *Server) variantsUpdate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	v, err := models.GetVariant(ctx, s.db, id)
	if err != nil {
		return err
	}
	p, err := models.GetProduct(ctx, s.db, v.ProductID)
	if err != nil {
		return err
	}
	f, err := parseVariantForm(c, p)
	if err != nil {
		return err
	}
	if in, ok := f.Validate(); ok {
		_, err = models.UpdateVariant(ctx, s.db, currentUser(c), id, in)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, products.VariantFormPage(p, v, f))
	}
	s.flash(c, "success", "Saved "+f.SKU+".")
	return s.redirect(c, fmt.Sprintf("/products/%d", p.ID))
}
