package handlers

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

const (
	sessionUserID     = "user_id"
	sessionPasswordAt = "password_at" // the user's password_changed_at when the session signed in
)

// loadUser puts the signed-in user in Locals. A session whose user was
// disabled, deleted, or changed password since is ended here.
func (s *Server) loadUser(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := s.sessions.GetInt64(ctx, sessionUserID)
	if id == 0 {
		return c.Next()
	}
	u, err := models.GetUser(ctx, s.db, id)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if u == nil || !u.Active() || s.sessions.GetInt64(ctx, sessionPasswordAt) != u.PasswordChangedAt.UnixMicro() {
		if err := s.sessions.Destroy(ctx); err != nil {
			return fmt.Errorf("handlers: end session: %w", err)
		}
		return c.Next()
	}
	c.Locals(localUser, u)
	return c.Next()
}

// currentUser is the signed-in user, or nil.
func currentUser(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(localUser).(*models.User)
	return u
}

// require lets the request through when the user holds perm; "" means the
// route is open to visitors. Visitors are sent to the sign-in page.
func (s *Server) require(perm models.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if perm == "" {
			return c.Next()
		}
		u := currentUser(c)
		if u == nil {
			next := c.OriginalURL()
			if c.Method() != fiber.MethodGet {
				next = "/"
			}
			return s.redirect(c, "/login?next="+url.QueryEscape(next))
		}
		if !u.Can(perm) {
			return errForbidden
		}
		return c.Next()
	}
}

var errForbidden = fiber.NewError(fiber.StatusForbidden, "Your role does not allow this. Ask an owner if you need it.")
