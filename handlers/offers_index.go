package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

// offersIndex is a variant's mapping page: its offers across suppliers, editable inline.
func (s *Server) offersIndex(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.offersData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, mapping.Offers(d))
}

func (s *Server) offersData(c *fiber.Ctx, variantID int64) (mapping.OffersData, error) {
	ctx := c.UserContext()
	v, err := models.GetVariant(ctx, s.db, variantID)
	if err != nil {
		return mapping.OffersData{}, err
	}
	d := mapping.OffersData{Variant: v, CanEdit: currentUser(c).Can(models.PermCatalogEdit), Edit: map[int64]mapping.OfferForm{}}
	if d.Product, err = models.GetProduct(ctx, s.db, v.ProductID); err != nil {
		return d, err
	}
	if d.Pool, err = models.PoolOf(ctx, s.db, variantID); err != nil {
		return d, err
	}
	if d.Offers, err = models.ListOffersForVariants(ctx, s.db, []int64{variantID}); err != nil {
		return d, err
	}
	if d.Suppliers, err = models.SupplierOptions(ctx, s.db); err != nil {
		return d, err
	}
	return d, nil
}
