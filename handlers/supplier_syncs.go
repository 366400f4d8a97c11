package handlers

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

const syncRunsPerPage = 25

// supplierSyncs is a supplier's sync runs page; its table is also the
// fragment the page polls while a run is in flight.
func (s *Server) supplierSyncs(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sup, err := models.GetSupplier(ctx, s.db, id)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("/suppliers/%d/syncs", id)
	table, err := s.runsTable(c, models.SyncRunFilter{SupplierID: id}, base, false)
	if err != nil {
		return err
	}
	if isFragment(c) {
		return s.render(c, fiber.StatusOK, inventory.Runs(table))
	}
	d := inventory.SupplierSyncsData{Supplier: *sup, Table: table, CanEdit: currentUser(c).Can(models.PermSuppliersEdit), CanSync: s.canSync(sup)}
	if d.State, err = models.GetSyncState(ctx, s.db, id); err != nil {
		return err
	}
	if d.Held, err = models.PendingHeldFeed(ctx, s.db, id); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, inventory.SupplierSyncs(d))
}

// runsTable reads one page of runs (before= in the query) and sets the
// refresh URL when one of them is running.
func (s *Server) runsTable(c *fiber.Ctx, f models.SyncRunFilter, base string, showSupplier bool) (inventory.RunsTable, error) {
	f.BeforeID, f.Limit = int64(c.QueryInt("before")), syncRunsPerPage
	runs, err := models.ListSyncRuns(c.UserContext(), s.db, f)
	if err != nil {
		return inventory.RunsTable{}, err
	}
	t := inventory.RunsTable{ShowSupplier: showSupplier}
	sep := "?"
	if strings.ContainsRune(base, '?') {
		sep = "&"
	}
	if len(runs) > syncRunsPerPage {
		runs = runs[:syncRunsPerPage]
		t.Pager.Next = fmt.Sprintf("%s%sbefore=%d", base, sep, runs[len(runs)-1].ID)
	}
	if f.BeforeID > 0 {
		t.Pager.Prev = base
	}
	t.Runs = runs
	for _, r := range runs {
		if r.Running() {
			t.RefreshURL = c.OriginalURL()
			break
		}
	}
	return t, nil
}
