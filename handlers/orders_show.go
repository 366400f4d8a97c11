package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/orders"
)

// ordersShow renders one order with its timeline and the actions the viewer may take.
func (s *Server) ordersShow(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return s.renderOrder(c, id, fiber.StatusOK, "", orders.ReasonForm{})
}

// renderOrder shows the order page, with a failed action's form errors when given.
func (s *Server) renderOrder(c *fiber.Ctx, id int64, status int, action string, form orders.ReasonForm) error {
	ctx := c.UserContext()
	o, err := models.GetOrder(ctx, s.db, id)
	if err != nil {
		return err
	}
	events, err := models.OrderEvents(ctx, s.db, id)
	if err != nil {
		return err
	}
	u := currentUser(c)
	return s.render(c, status, orders.Show(orders.ShowData{Order: o, Events: events, Form: form, FormAction: action,
		CanAct: u.Can(models.PermOrderActions), CanMarkPaid: u.Can(models.PermOrderPayments)}))
}

// orderAction runs one reasoned action on an order and answers like a form:
// back to the order with a flash, or the page again with the reason's error.
func (s *Server) orderAction(c *fiber.Ctx, action, done string, run func(id int64, reason string) error) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var f orders.ReasonForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	if !f.Validate() {
		return s.renderOrder(c, id, fiber.StatusUnprocessableEntity, action, f)
	}
	back := fmt.Sprintf("/orders/%d", id)
	err = run(id, f.Reason)
	var fields models.FieldErrors
	switch {
	case errors.As(err, &fields):
		f.Errors = fields
		return s.renderOrder(c, id, fiber.StatusUnprocessableEntity, action, f)
	case errors.Is(err, models.ErrInvalidTransition), errors.Is(err, models.ErrNotCancellable):
		// Someone else moved the order meanwhile, or it shipped: say so on the page.
		s.flash(c, "error", "Not done: the order is no longer in a state that allows it. Its current state is shown.")
		return s.redirect(c, back)
	case err != nil:
		return err
	}
	s.flash(c, "success", done)
	return s.redirect(c, back)
}
