package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// productsEdit renders a product's form.
func (s *Server) productsEdit(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := models.GetProduct(ctx, s.db, id)
	if err != nil {
		return err
	}
	cats, err := models.ListCategories(ctx, s.db)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, products.ProductFormPage(p, products.ProductFormOf(p), cats))
}
