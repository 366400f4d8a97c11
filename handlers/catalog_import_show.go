package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

const importRowsPerPage = 100

// catalogImportShow shows an import: progress while it is read, then the preview.
func (s *Server) catalogImportShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	imp, err := models.GetCatalogImport(ctx, s.db, id)
	if err != nil {
		return err
	}
	d := catalog.ImportData{Import: imp, Action: c.Query("action")}
	if imp.Status == models.ImportPreviewed || imp.Status == models.ImportApplied {
		after := c.QueryInt("after")
		rows, err := models.ListImportRows(ctx, s.db, id, models.ImportRowFilter{Action: d.Action, AfterLine: after, Limit: importRowsPerPage})
		if err != nil {
			return err
		}
		if len(rows) > importRowsPerPage {
			rows = rows[:importRowsPerPage]
			d.Next = fmt.Sprintf("/catalog/import/%d?action=%s&after=%d", id, d.Action, rows[len(rows)-1].Line)
		}
		d.Rows = rows
	}
	if isFragment(c) {
		return s.render(c, fiber.StatusOK, catalog.ImportStatus(d))
	}
	return s.render(c, fiber.StatusOK, catalog.ImportShow(d))
}
