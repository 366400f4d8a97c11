package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// productsMatrix generates a variant for every combination of option values.
func (s *Server) productsMatrix(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := models.GetProduct(ctx, s.db, id)
	if err != nil {
		return err
	}
	var f products.MatrixForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	n := 0
	if in, ok := f.Validate(p.OptionNames); ok {
		n, err = models.GenerateVariants(ctx, s.db, currentUser(c), id, in)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		d, err := s.productData(c, id)
		if err != nil {
			return err
		}
		d.Matrix = f
		return s.render(c, fiber.StatusUnprocessableEntity, products.Show(d))
	}
	if n == 0 {
		s.flash(c, "info", "Every combination already exists; nothing was added.")
	} else {
		s.flash(c, "success", fmt.Sprintf("Added %d variants. Map them to suppliers so they can be sold.", n))
	}
	return s.redirect(c, fmt.Sprintf("/products/%d", id))
}
