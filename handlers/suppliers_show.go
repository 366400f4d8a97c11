package handlers

import (
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/suppliers"
)

const supplierOffersPerPage = 50

// suppliersShow is a supplier's page: figures, settings, connection and offers.
func (s *Server) suppliersShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sum, err := models.GetSupplierSummary(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	after := c.Query("after")
	offers, err := models.ListOffersForSupplier(ctx, s.db, id, after, supplierOffersPerPage+1)
	if err != nil {
		return err
	}
	d := suppliers.ShowData{Supplier: *sum, CanEdit: currentUser(c).Can(models.PermSuppliersEdit)}
	if len(offers) > supplierOffersPerPage {
		offers = offers[:supplierOffersPerPage]
		d.Next = fmt.Sprintf("/suppliers/%d?after=%s", id, url.QueryEscape(offers[len(offers)-1].SupplierSKU))
	}
	d.Offers = offers
	if d.Sync, err = s.syncCard(c, &sum.Supplier); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, suppliers.Show(d))
}
