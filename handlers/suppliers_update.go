package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/suppliers"
)

// suppliersUpdate saves a supplier: a blank secret keeps the stored one, a ticked Clear removes it.
func (s *Server) suppliersUpdate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sup, err := models.GetSupplier(ctx, s.db, id)
	if err != nil {
		return err
	}
	var f suppliers.Form
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if in, ok := f.Validate(); ok {
		_, err = models.UpdateSupplier(ctx, s.db, s.secrets, currentUser(c), id, in)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		f.ForgetSecrets()
		return s.render(c, fiber.StatusUnprocessableEntity, suppliers.FormPage(sup, f))
	}
	s.reloadSchedules(c)
	s.flash(c, "success", "Saved "+sup.Code+".")
	return s.redirect(c, fmt.Sprintf("/suppliers/%d", id))
}
