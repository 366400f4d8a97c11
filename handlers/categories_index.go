package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

// categoriesIndex lists categories with a form to add one.
func (s *Server) categoriesIndex(c *fiber.Ctx) error {
	cats, err := models.ListCategories(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, catalog.CategoriesPage(cats, "", "", currentUser(c).Can(models.PermCatalogEdit)))
}
