package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

// syncShow is one sync run: its counts, outcome and first rejected rows; it
// refreshes itself while the run is in flight.
func (s *Server) syncShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	run, err := models.GetSyncRun(ctx, s.db, id)
	if err != nil {
		return err
	}
	sup, err := models.GetSupplier(ctx, s.db, run.SupplierID)
	if err != nil {
		return err
	}
	d := inventory.RunData{Run: *run, Supplier: *sup, CanEdit: currentUser(c).Can(models.PermSuppliersEdit), Refresh: run.Running()}
	if run.Status == models.SyncHeld {
		if d.Held, err = models.HeldFeedOfRun(ctx, s.db, run.ID); err != nil {
			return err
		}
	}
	return s.render(c, fiber.StatusOK, inventory.RunPage(d))
}
