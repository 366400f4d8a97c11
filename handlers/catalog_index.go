package handlers

import (
	"sync"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/catalog"
)

const catalogPerPage = 50

// catalogIndex lists variants with their pool: search, filters, sort and keyset pages.
// A full page reads the list, the counts and the categories at the same time,
// each on its own connection.
func (s *Server) catalogIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := models.CatalogFilter{Query: c.Query("q"), CategoryID: int64(c.QueryInt("category")), Status: c.Query("status"),
		Stock: c.Query("stock"), Sort: c.Query("sort"), Desc: c.Query("dir") == "desc", After: c.Query("after"), Limit: catalogPerPage}
	d := catalog.PageData{Filter: f, CanEdit: currentUser(c).Can(models.PermCatalogEdit)}
	fragment := isFragment(c)
	var wg sync.WaitGroup
	var countErr, catErr error
	if !fragment {
		wg.Go(func() { d.Counts, countErr = models.CountCatalog(ctx, s.db) })
		wg.Go(func() { d.Categories, catErr = models.ListCategories(ctx, s.db) })
	}
	rows, next, err := models.SearchCatalog(ctx, s.db, f)
	wg.Wait()
	for _, e := range []error{err, countErr, catErr} {
		if e != nil {
			return e
		}
	}
	d.Rows = rows
	if next != "" {
		d.Next = catalog.URL(f, next)
	}
	if fragment {
		return s.render(c, fiber.StatusOK, catalog.Results(d))
	}
	return s.render(c, fiber.StatusOK, catalog.Page(d))
}
