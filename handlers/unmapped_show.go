package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/mapping"
)

// unmappedShow shows one unmapped SKU with all its suggestions and a search to map by hand.
func (s *Server) unmappedShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.unmappedData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, mapping.UnmappedShow(d))
}

func (s *Server) unmappedData(c *fiber.Ctx, id int64) (mapping.UnmappedData, error) {
	ctx := c.UserContext()
	row, err := models.GetUnmapped(ctx, s.db, id)
	if err != nil {
		return mapping.UnmappedData{}, err
	}
	d := mapping.UnmappedData{Item: mapping.QueueItem{Row: *row}, Query: c.Query("q"), CanEdit: currentUser(c).Can(models.PermCatalogEdit)}
	if row.Status == models.UnmappedPending {
		if d.Item.Suggestions, err = models.Suggest(ctx, s.db, id, 10); err != nil {
			return d, err
		}
	}
	if d.Query != "" {
		if d.Found, err = models.FindVariants(ctx, s.db, d.Query, 20); err != nil {
			return d, err
		}
	}
	return d, nil
}
