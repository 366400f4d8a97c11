package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// productsCreate adds a product, or re-renders the form with its errors.
func (s *Server) productsCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var f products.ProductForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	var p *models.Product
	var err error
	if f.Validate() {
		p, err = models.CreateProduct(ctx, s.db, currentUser(c), f.Input())
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
		return s.render(c, fiber.StatusUnprocessableEntity, products.ProductFormPage(nil, f, cats))
	}
	s.flash(c, "success", fmt.Sprintf("Created %s. Add its variants next.", p.Title))
	return s.redirect(c, fmt.Sprintf("/products/%d", p.ID))
}
