package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// productsUpdate saves a product, or re-renders the form with its errors.
func (s *Server) productsUpdate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := models.GetProduct(ctx, s.db, id)
	if err != nil {
		return err
	}
	var f products.ProductForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if f.Validate() {
		_, err = models.UpdateProduct(ctx, s.db, currentUser(c), id, f.Input())
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		cats, err := models.ListCategories(ctx, s.db)
		if err != nil {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, products.ProductFormPage(p, f, cats))
	}
	s.flash(c, "success", "Saved "+f.Title+".")
	return s.redirect(c, fmt.Sprintf("/products/%d", id))
}
