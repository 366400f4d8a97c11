package handlers

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

const queuePerPage = 20

// mappingIndex is the SKU mapping page: the unmapped queue with suggestions,
// the variant finder and bulk mapping.
func (s *Server) mappingIndex(c *fiber.Ctx) error {
	d, err := s.mappingData(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, mapping.Index(d))
}

// mappingData loads the mapping page for the request's filters.
func (s *Server) mappingData(c *fiber.Ctx) (mapping.IndexData, error) {
	ctx := c.UserContext()
	d := mapping.IndexData{SupplierID: c.Query("supplier"), Status: c.Query("status", models.UnmappedPending), Query: c.Query("q"),
		CanEdit: currentUser(c).Can(models.PermCatalogEdit)}
	supplierID, _ := strconv.ParseInt(d.SupplierID, 10, 64)
	rows, err := models.ListUnmapped(ctx, s.db, models.UnmappedFilter{SupplierID: supplierID, Status: d.Status,
		BeforeID: int64(c.QueryInt("before")), Limit: queuePerPage})
	if err != nil {
		return d, err
	}
	if len(rows) > queuePerPage {
		rows = rows[:queuePerPage]
		q := url.Values{"before": {fmt.Sprint(rows[len(rows)-1].ID)}, "status": {d.Status}}
		if d.SupplierID != "" {
			q.Set("supplier", d.SupplierID)
		}
		d.Next = "/mapping?" + q.Encode() + "#queue"
	}
	var pending []int64
	for _, r := range rows {
		if r.Status == models.UnmappedPending {
			pending = append(pending, r.ID)
		}
	}
	suggestions, err := models.SuggestMany(ctx, s.db, pending, 3)
	if err != nil {
		return d, err
	}
	for _, r := range rows {
		d.Items = append(d.Items, mapping.QueueItem{Row: r, Suggestions: suggestions[r.ID]})
	}
	if d.Pending, err = models.CountUnmapped(ctx, s.db); err != nil {
		return d, err
	}
	if d.Suppliers, err = models.SupplierOptions(ctx, s.db); err != nil {
		return d, err
	}
	if d.Query != "" {
		if d.Found, err = models.FindVariants(ctx, s.db, d.Query, 10); err != nil {
			return d, err
		}
	}
	return d, nil
}
