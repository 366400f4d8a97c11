package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/apikeys"
)

// apikeysCreate makes a key and shows it once (no redirect: the key is not stored to show again).
func (s *Server) apikeysCreate(c *fiber.Ctx) error {
	var f apikeys.NewForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if !f.Validate() {
		return s.renderAPIKeys(c, fiber.StatusUnprocessableEntity, apikeys.PageData{Form: f})
	}
	k, plain, err := models.CreateAPIKey(c.UserContext(), s.db, currentUser(c), f.Name)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		f.Errors = fields
		return s.renderAPIKeys(c, fiber.StatusUnprocessableEntity, apikeys.PageData{Form: f})
	}
	if err != nil {
		return err
	}
	return s.renderAPIKeys(c, fiber.StatusCreated, apikeys.PageData{Created: k, Plain: plain})
}
