package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// unmappedIgnore takes a SKU the store doesn't sell out of the queue.
func (s *Server) unmappedIgnore(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := models.SetUnmappedIgnored(c.UserContext(), s.db, currentUser(c), id, true); err != nil {
		return err
	}
	s.flash(c, "info", "Ignored. It stays under the Ignored filter if you need it back.")
	return s.redirect(c, "/mapping#queue")
}
