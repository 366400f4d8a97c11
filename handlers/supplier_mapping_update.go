package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/inventory"
)

// supplierMappingUpdate saves the supplier's mapping; a wrong field re-renders the form with its message.
func (s *Server) supplierMappingUpdate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sup, err := models.GetSupplier(ctx, s.db, id)
	if err != nil {
		return err
	}
	var f inventory.MappingForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if fm, rm, ok := f.Validate(sup.ConnectionKind); ok {
		_, err = models.SetSupplierMapping(ctx, s.db, currentUser(c), id, fm, rm)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, inventory.MappingPage(sup, f, s.webhookURL(sup)))
	}
	s.flash(c, "success", "Saved the mapping of "+sup.Code+"; the next sync reads the feed with it.")
	return s.redirect(c, fmt.Sprintf("/suppliers/%d", id))
}
