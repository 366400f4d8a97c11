package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// ordersResolve takes an order out of the needs-attention queue.
func (s *Server) ordersResolve(c *fiber.Ctx) error {
	return s.orderAction(c, "resolve", "Marked resolved.", func(id int64, reason string) error {
		_, err := models.ResolveAttention(c.UserContext(), s.db, currentUser(c), id, reason)
		return err
	})
}
