package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// variantsEdit renders a variant's form.
func (s *Server) variantsEdit(c *fiber.Ctx) error {
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
	return s.render(c, fiber.StatusOK, products.VariantFormPage(p, v, products.VariantFormOf(v)))
}
