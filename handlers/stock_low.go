package handlers

import (
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

const lowStockPerPage = 50

// stockLow is the low-stock dashboard: variants at or below their
// threshold, most urgent first, filtered by supplier, category and state.
func (s *Server) stockLow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := models.LowStockFilter{SupplierID: int64(c.QueryInt("supplier")), CategoryID: int64(c.QueryInt("category")),
		State: c.Query("state"), Offset: max(c.QueryInt("offset"), 0), Limit: lowStockPerPage}
	if f.State != models.LowStateOut && f.State != models.LowStateLow {
		f.State = ""
	}
	page, err := models.ListLowStock(ctx, s.db, f)
	if err != nil {
		return err
	}
	d := inventory.LowStockData{Page: page, Filter: f}
	q := url.Values{}
	if f.SupplierID > 0 {
		q.Set("supplier", fmt.Sprint(f.SupplierID))
	}
	if f.CategoryID > 0 {
		q.Set("category", fmt.Sprint(f.CategoryID))
	}
	if f.State != "" {
		q.Set("state", f.State)
	}
	shown := int64(f.Offset + len(page.Rows))
	if shown < page.Total && f.State == "" || f.State != "" && len(page.Rows) == lowStockPerPage {
		q.Set("offset", fmt.Sprint(f.Offset+lowStockPerPage))
		d.Pager.Next = "/stock/low?" + q.Encode()
	}
	if f.Offset > 0 {
		q.Set("offset", fmt.Sprint(max(f.Offset-lowStockPerPage, 0)))
		d.Pager.Prev = "/stock/low?" + q.Encode()
	}
	d.Pager.Summary = fmt.Sprintf("%d–%d of %d", min(int64(f.Offset+1), shown), shown, page.Total)
	if d.Suppliers, err = models.SupplierOptions(ctx, s.db); err != nil {
		return err
	}
	if d.Categories, err = models.ListCategories(ctx, s.db); err != nil {
		return err
	}
	if d.Alerts, err = models.ListLowStockAlerts(ctx, s.db, 12); err != nil {
		return err
	}
	if d.OpenAlerts, err = models.CountOpenLowStockAlerts(ctx, s.db); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, inventory.LowStock(d))
}
