package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/suppliers"
)

// suppliersCreate adds a supplier with its connection; secrets are sealed before they are stored.
func (s *Server) suppliersCreate(c *fiber.Ctx) error {
	var f suppliers.Form
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	var sup *models.Supplier
	if in, ok := f.Validate(); ok {
		var err error
		sup, err = models.CreateSupplier(c.UserContext(), s.db, s.secrets, currentUser(c), in)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		f.ForgetSecrets()
		return s.render(c, fiber.StatusUnprocessableEntity, suppliers.FormPage(nil, f))
	}
	s.reloadSchedules(c)
	s.flash(c, "success", fmt.Sprintf("Added %s. Map its SKUs on the SKU mapping page.", sup.Code))
	return s.redirect(c, fmt.Sprintf("/suppliers/%d", sup.ID))
}
