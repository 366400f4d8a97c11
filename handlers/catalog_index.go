package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

const catalogPerPage = 50

// catalogIndex lists variants with their pool: search, filters, sort and keyset pages.
func (s *Server) catalogIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := models.CatalogFilter{Query: c.Query("q"), CategoryID: int64(c.QueryInt("category")), Status: c.Query("status"),
		Stock: c.Query("stock"), Sort: c.Query("sort"), Desc: c.Query("dir") == "desc", After: c.Query("after"), Limit: catalogPerPage}
	rows, next, err := models.SearchCatalog(ctx, s.db, f)
	if err != nil {
		return err
	}
	d := catalog.PageData{Rows: rows, Filter: f, CanEdit: currentUser(c).Can(models.PermCatalogEdit)}
	if next != "" {
		d.Next = catalog.URL(f, next)
	}
	if isFragment(c) {
		return s.render(c, fiber.StatusOK, catalog.Results(d))
	}
	if d.Categories, err = models.ListCategories(ctx, s.db); err != nil {
		return err
	}
	if d.Counts, err = models.CountCatalog(ctx, s.db); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, catalog.Page(d))
}
