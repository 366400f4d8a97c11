package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

// mappingImport maps supplier SKUs in bulk from a CSV: all rows or none.
func (s *Server) mappingImport(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var res models.MappingImportResult
	fh, err := c.FormFile("file")
	switch {
	case err != nil:
		res.FileError = "choose a CSV file to upload"
	case fh.Size > models.MaxMappingCSVBytes:
		res.FileError = fmt.Sprintf("the file is over %d MB", models.MaxMappingCSVBytes>>20)
	default:
		file, err := fh.Open()
		if err != nil {
			return fmt.Errorf("handlers: open upload: %w", err)
		}
		defer file.Close()
		res, err = models.ImportMappings(ctx, s.db, currentUser(c), file)
		if err != nil && !errors.Is(err, models.ErrImportRejected) {
			return err
		}
	}
	if res.FileError == "" && len(res.Errors) == 0 {
		s.flash(c, "success", fmt.Sprintf("Bulk mapping: %d new, %d moved, %d already so.", res.Created, res.Remapped, res.Unchanged))
		return s.redirect(c, "/mapping")
	}
	d, err := s.mappingData(c)
	if err != nil {
		return err
	}
	d.Bulk = &res
	return s.render(c, fiber.StatusUnprocessableEntity, mapping.Index(d))
}
