package handlers

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// catalogImportRejected downloads the refused rows with their reasons.
func (s *Server) catalogImportRejected(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := models.WriteRejectedRows(c.UserContext(), s.db, id, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="import-%d-rejected.csv"`, id))
	return c.Send(buf.Bytes())
}
