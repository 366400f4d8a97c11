package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// ordersCancel cancels an order that has not shipped.
func (s *Server) ordersCancel(c *fiber.Ctx) error {
	return s.orderAction(c, "cancel", "Order cancelled: its stock is back in the pool and the customer is told.", func(id int64, reason string) error {
		_, err := models.CancelOrderBy(c.UserContext(), s.db, currentUser(c), id, reason)
		return err
	})
}
