package handlers

import (
	"bufio"
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// catalogExport streams the catalog as a Shopify product CSV.
func (s *Server) catalogExport(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="catalog-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	db := s.db
	log := s.log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := models.ExportCatalogCSV(ctx, db, w); err != nil {
			log.Error("catalog export", "err", err)
		}
		w.Flush()
	})
	return nil
}
