package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/dashboard"
)

// dashboard renders the home page figures.
func (s *Server) dashboard(c *fiber.Ctx) error {
	d, err := models.LoadDashboard(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, dashboard.Page(d))
}
