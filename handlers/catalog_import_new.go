package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

// catalogImportNew shows the upload form and the latest imports.
func (s *Server) catalogImportNew(c *fiber.Ctx) error {
	recent, err := models.ListCatalogImports(c.UserContext(), s.db, 10)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, catalog.ImportPage(recent, ""))
}
