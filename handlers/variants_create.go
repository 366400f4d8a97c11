package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// variantsCreate adds a variant, or re-renders the form with its errors.
func (s *Server) variantsCreate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := models.GetProduct(ctx, s.db, id)
	if err != nil {
		return err
	}
	f, err := parseVariantForm(c, p)
	if err != nil {
		return err
	}
	if in, ok := f.Validate(); ok {
		_, err = models.CreateVariant(ctx, s.db, currentUser(c), id, in)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, products.VariantFormPage(p, nil, f))
	}
	s.flash(c, "success", "Added "+f.SKU+".")
	return s.redirect(c, fmt.Sprintf("/products/%d", id))
}

// parseVariantForm reads the variant form, with one option.<Name> field per product option.
func parseVariantForm(c *fiber.Ctx, p *models.Product) (products.VariantForm, error) {
	var f products.VariantForm
	if err := c.BodyParser(&f); err != nil {
		return f, fiber.ErrBadRequest
	}
	f.Options = models.Options{}
	for _, n := range p.OptionNames {
		f.Options[n] = c.FormValue("option." + n)
	}
	return f, nil
}
