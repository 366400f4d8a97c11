package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// productsNew renders the new product form.
func (s *Server) productsNew(c *fiber.Ctx) error {
	cats, err := models.ListCategories(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, products.ProductFormPage(nil, products.ProductForm{Status: models.ProductActive}, cats))
}
