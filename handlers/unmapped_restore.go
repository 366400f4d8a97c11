package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// unmappedRestore puts an ignored SKU back in the queue.
func (s *Server) unmappedRestore(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := models.SetUnmappedIgnored(c.UserContext(), s.db, currentUser(c), id, false); err != nil {
		return err
	}
	s.flash(c, "success", "Back in the queue.")
	return s.redirect(c, "/mapping#queue")
}
