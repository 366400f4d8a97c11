package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"dropship/integrations/suppliers/feed"
	"dropship/models"
	"dropship/views/inventory"
)

// previewTimeout bounds fetching a feed for a preview.
const previewTimeout = 30 * time.Second

// supplierMappingPreview parses the first rows of the feed (an uploaded
// sample, or the supplier's feed fetched now) with the mapping as typed, or
// shows the REST API's first records mapped; nothing is saved.
func (s *Server) supplierMappingPreview(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sup, err := models.GetSupplier(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	if s.inv == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "Stock sync is not running on this instance.")
	}
	var f inventory.MappingForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), previewTimeout)
	defer cancel()
	if sup.ConnectionKind == models.KindREST {
		p, err := s.inv.PreviewREST(ctx, sup, f.RESTMapping())
		return s.render(c, fiber.StatusOK, inventory.ProbeResult(p, errText(err)))
	}
	m := f.FeedMapping()
	if fe := m.Validate(); len(fe) > 0 {
		return s.render(c, fiber.StatusOK, inventory.FeedPreview(feed.PreviewResult{}, "Fix the mapping first: "+fe.Error()))
	}
	var res feed.PreviewResult
	if fh, ferr := c.FormFile("sample"); ferr == nil && fh.Size > 0 {
		file, err := fh.Open()
		if err != nil {
			return err
		}
		defer file.Close()
		res, err = s.inv.PreviewFeed(ctx, sup, m, file, fh.Filename)
		return s.render(c, fiber.StatusOK, inventory.FeedPreview(res, errText(err)))
	}
	res, err = s.inv.PreviewFeed(ctx, sup, m, nil, "")
	return s.render(c, fiber.StatusOK, inventory.FeedPreview(res, errText(err)))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
