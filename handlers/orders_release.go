package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// ordersRelease lets an order held for review go ahead.
func (s *Server) ordersRelease(c *fiber.Ctx) error {
	return s.orderAction(c, "release", "Hold released: the order is paid and goes on to fulfilment.", func(id int64, reason string) error {
		_, err := models.ReleaseHold(c.UserContext(), s.db, currentUser(c), id, reason)
		return err
	})
}
