package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// apikeysRevoke stops a key from opening the API.
func (s *Server) apikeysRevoke(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	k, err := models.RevokeAPIKey(c.UserContext(), s.db, currentUser(c), id)
	if err != nil {
		return err
	}
	s.flash(c, "success", "Key “"+k.Name+"” revoked. Storefronts using it are refused within seconds.")
	return s.redirect(c, "/settings/api-keys")
}
