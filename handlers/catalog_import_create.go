package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

// catalogImportCreate stores an uploaded CSV and reads it in the background;
// the import's page shows the progress, then the preview.
func (s *Server) catalogImportCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	refuse := func(msg string) error {
		recent, err := models.ListCatalogImports(ctx, s.db, 10)
		if err != nil {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, catalog.ImportPage(recent, msg))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse("choose a CSV file to upload")
	}
	file, err := fh.Open()
	if err != nil {
		return fmt.Errorf("handlers: open upload: %w", err)
	}
	defer file.Close()
	imp, err := models.StoreCatalogImport(ctx, s.db, currentUser(c), fh.Filename, fh.Size, file)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return refuse(fields["file"])
	}
	if err != nil {
		return err
	}
	go s.parseImport(imp.ID)
	return s.redirect(c, fmt.Sprintf("/catalog/import/%d", imp.ID))
}

// parseImport reads an upload outside the request; the outcome is in the import's row.
func (s *Server) parseImport(id int64) {
	if err := models.ParseCatalogImport(context.Background(), s.db, id); err != nil {
		s.log.Error("catalog import", "import", id, "err", err)
	}
}
