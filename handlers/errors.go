package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"dropship/handlers/problem"
	"dropship/models"
	"dropship/views/errorpages"
)

// handleError is the one place errors become responses: problem+json under
// /api/, an HTML page elsewhere. Unexpected errors are logged with the
// request id and shown without their details.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, title, message := classify(err)
	if status >= 500 {
		s.log.Error("request failed", "request_id", c.Locals(localRequestID), "method", c.Method(),
			"path", c.Path(), "err", err)
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		var p *problem.Details
		if errors.As(err, &p) {
			return problem.Write(c, p)
		}
		return problem.Write(c, problem.New(status, "", message))
	}
	c.Response().ResetBody()
	return s.render(c, status, errorpages.Error(status, title, message))
}

// classify maps an error to a status, a page title and a message for people.
func classify(err error) (int, string, string) {
	var fe *fiber.Error
	var fields models.FieldErrors
	switch {
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return fe.Code, "Page not found", "There is nothing at this address. It may have moved, or the link is mistyped."
		case fiber.StatusForbidden:
			return fe.Code, "Not allowed", fe.Message
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, "Too large", "The request is larger than this server accepts."
		case fiber.StatusInternalServerError:
			return fe.Code, "Something went wrong", "The error was logged. Try again; if it keeps happening, tell whoever runs this server."
		}
		return fe.Code, utils.StatusMessage(fe.Code), fe.Message
	case errors.Is(err, models.ErrNotFound):
		return fiber.StatusNotFound, "Not found", "What you asked for does not exist, or was removed."
	case errors.Is(err, models.ErrForbidden):
		return fiber.StatusForbidden, "Not allowed", "Your role does not allow this. Ask an owner if you need it."
	case errors.As(err, &fields):
		return fiber.StatusUnprocessableEntity, "Invalid input", fields.Error()
	case errors.Is(err, models.ErrInvalidTransition), errors.Is(err, models.ErrConflict):
		return fiber.StatusConflict, "Conflict", err.Error()
	}
	return fiber.StatusInternalServerError, "Something went wrong", "The error was logged. Try again; if it keeps happening, tell whoever runs this server."
}

// apiNotFound answers unknown API paths in the API's own format.
func (s *Server) apiNotFound(c *fiber.Ctx) error {
	return problem.Write(c, problem.New(fiber.StatusNotFound, "not-found", "No API route matches "+c.Method()+" "+c.Path()+"."))
}
