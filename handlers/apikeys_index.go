package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/apikeys"
)

// apikeysIndex lists the storefront API keys.
func (s *Server) apikeysIndex(c *fiber.Ctx) error {
	return s.renderAPIKeys(c, fiber.StatusOK, apikeys.PageData{})
}

func (s *Server) renderAPIKeys(c *fiber.Ctx, status int, d apikeys.PageData) error {
	keys, err := models.ListAPIKeys(c.UserContext(), s.db)
	if err != nil {
		return err
	}
	d.Keys, d.BaseURL = keys, s.cfg.BaseURL
	// The page may hold a secret: keep it out of caches and history.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, apikeys.Page(d))
}
