package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

// catalogImportApply writes the valid rows of a previewed import.
func (s *Server) catalogImportApply(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	imp, err := models.ApplyCatalogImport(ctx, s.db, currentUser(c), id)
	if errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrInvalidTransition) {
		cur, gerr := models.GetCatalogImport(ctx, s.db, id)
		if gerr != nil {
			return gerr
		}
		msg := "Nothing was written: the catalog changed since the preview, so a row no longer fits. Upload the file again for a fresh preview."
		if errors.Is(err, models.ErrInvalidTransition) {
			msg = "Nothing was written: this import is " + cur.Status + ", not waiting to be applied."
		}
		return s.render(c, fiber.StatusConflict, catalog.ImportShow(catalog.ImportData{Import: cur, Error: msg}))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Imported %s: %d variants created, %d updated.", imp.Filename, imp.RowsCreate, imp.RowsUpdate))
	return s.redirect(c, fmt.Sprintf("/catalog/import/%d", id))
}
