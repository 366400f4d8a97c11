package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

// mappingVariants is the variant finder's results, the fragment htmx swaps in as one types.
func (s *Server) mappingVariants(c *fiber.Ctx) error {
	q := c.Query("q")
	var found []models.VariantLookup
	if q != "" {
		var err error
		if found, err = models.FindVariants(c.UserContext(), s.db, q, 10); err != nil {
			return err
		}
	}
	if !isFragment(c) {
		return c.Redirect("/mapping?q="+q, fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, mapping.VariantFound(found, q))
}
