package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// variantsNew renders the form that adds a variant to a product.
func (s *Server) variantsNew(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	p, err := models.GetProduct(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, products.VariantFormPage(p, nil, products.VariantForm{Currency: "USD", Status: models.VariantActive, Options: models.Options{}}))
}
