package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

// syncsIndex lists recent sync runs of every supplier, with held feeds and lagging suppliers.
func (s *Server) syncsIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := models.SyncRunFilter{SupplierID: int64(c.QueryInt("supplier")), Source: c.Query("source"), Status: c.Query("status")}
	q := url.Values{}
	for _, k := range []string{"supplier", "source", "status"} {
		if v := c.Query(k); v != "" && v != "0" {
			q.Set(k, v)
		}
	}
	base := "/syncs"
	if len(q) > 0 {
		base += "?" + q.Encode()
	}
	table, err := s.runsTable(c, f, base, true)
	if err != nil {
		return err
	}
	if isFragment(c) {
		return s.render(c, fiber.StatusOK, inventory.Runs(table))
	}
	d := inventory.AllSyncsData{Table: table, Supplier: f.SupplierID, Source: f.Source, Status: f.Status}
	if d.Held, err = models.ListPendingHeldFeeds(ctx, s.db); err != nil {
		return err
	}
	if d.Lagging, err = models.LaggingSuppliers(ctx, s.db); err != nil {
		return err
	}
	if d.Suppliers, err = models.SupplierOptions(ctx, s.db); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, inventory.AllSyncs(d))
}
