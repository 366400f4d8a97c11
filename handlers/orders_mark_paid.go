package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// ordersMarkPaid records a manual payment received.
func (s *Server) ordersMarkPaid(c *fiber.Ctx) error {
	return s.orderAction(c, "mark-paid", "Payment recorded.", func(id int64, reason string) error {
		st, err := models.GetStoreSettings(c.UserContext(), s.db)
		if err != nil {
			return err
		}
		_, err = models.MarkPaid(c.UserContext(), s.db, currentUser(c), id, reason, st)
		return err
	})
}
