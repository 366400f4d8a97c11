package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

// categoriesCreate adds a category.
func (s *Server) categoriesCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	name := c.FormValue("name")
	cat, err := models.CreateCategory(ctx, s.db, currentUser(c), name)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		cats, lerr := models.ListCategories(ctx, s.db)
		if lerr != nil {
			return lerr
		}
		return s.render(c, fiber.StatusUnprocessableEntity, catalog.CategoriesPage(cats, name, fields["name"], true))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Added the category "+cat.Name+".")
	return s.redirect(c, "/categories")
}
