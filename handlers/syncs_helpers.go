package handlers

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

// reloadSchedules puts a changed supplier schedule into effect on this
// instance now (the others pick it up within their reload interval).
func (s *Server) reloadSchedules(c *fiber.Ctx) {
	if s.inv == nil {
		return
	}
	if _, err := s.inv.Reload(c.UserContext()); err != nil {
		s.log.Error("reload supplier schedules", "err", err)
	}
}

// canSync reports whether the supplier's stock can be pulled from here.
func (s *Server) canSync(sup *models.Supplier) bool {
	return s.inv != nil && slices.Contains(models.PulledKinds, sup.ConnectionKind)
}

// syncCard gathers the stock sync part of a supplier's page.
func (s *Server) syncCard(c *fiber.Ctx, sup *models.Supplier) (inventory.SyncCardData, error) {
	ctx := c.UserContext()
	d := inventory.SyncCardData{Supplier: sup, CanEdit: currentUser(c).Can(models.PermSuppliersEdit), CanSync: s.canSync(sup)}
	var err error
	if d.State, err = models.GetSyncState(ctx, s.db, sup.ID); err != nil {
		return d, err
	}
	if d.Held, err = models.PendingHeldFeed(ctx, s.db, sup.ID); err != nil {
		return d, err
	}
	runs, err := models.ListSyncRuns(ctx, s.db, models.SyncRunFilter{SupplierID: sup.ID, Limit: 1})
	if err != nil {
		return d, err
	}
	if len(runs) > 0 {
		d.LastRun = &runs[0].SyncRun
	}
	return d, nil
}
