package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/products"
)

// productsShow is the product page: variants with their pool and offers.
func (s *Server) productsShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.productData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, products.Show(d))
}

// productData loads what the product page shows.
func (s *Server) productData(c *fiber.Ctx, id int64) (products.ShowData, error) {
	ctx := c.UserContext()
	p, err := models.GetProduct(ctx, s.db, id)
	if err != nil {
		return products.ShowData{}, err
	}
	d := products.ShowData{Product: p, CanEdit: currentUser(c).Can(models.PermCatalogEdit), Offers: map[int64][]models.OfferRow{}}
	if d.Variants, err = models.ListProductVariants(ctx, s.db, id); err != nil {
		return d, err
	}
	ids := make([]int64, len(d.Variants))
	for i, v := range d.Variants {
		ids[i] = v.ID
	}
	offers, err := models.ListOffersForVariants(ctx, s.db, ids)
	if err != nil {
		return d, err
	}
	for _, o := range offers {
		d.Offers[o.VariantID] = append(d.Offers[o.VariantID], o)
	}
	if p.CategoryID != nil {
		cats, err := models.ListCategories(ctx, s.db)
		if err != nil {
			return d, err
		}
		for _, cat := range cats {
			if cat.ID == *p.CategoryID {
				d.Category = cat.Name
			}
		}
	}
	return d, nil
}
