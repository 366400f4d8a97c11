package handlers

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/layout"
)

const sessionFlashes = "flashes"

// render writes a templ component as HTML with the page chrome in its context.
func (s *Server) render(c *fiber.Ctx, status int, comp templ.Component) error {
	ctx := s.chromeContext(c)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Status(status)
	return comp.Render(ctx, c.Response().BodyWriter())
}

// isFragment is pagoda's rule: htmx asked for a part of the page (not a boosted navigation).
func isFragment(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true"
}

// chromeContext adds the user, CSRF token, flashes and zone to the request context.
func (s *Server) chromeContext(c *fiber.Ctx) context.Context {
	ctx := c.UserContext()
	ch := layout.Chrome{User: currentUser(c), Path: c.Path()}
	if c.Locals(localSession) != nil {
		ch.CSRF = s.sessions.GetString(ctx, sessionCSRF)
		ch.Flashes = s.popFlashes(c)
	}
	if ch.User != nil {
		if st, err := models.GetStoreSettings(ctx, s.db); err == nil {
			ch.Zone = st.Location()
		}
	}
	return layout.WithChrome(ctx, ch)
}

// flash queues a message for the next page this session renders.
func (s *Server) flash(c *fiber.Ctx, kind, message string) {
	ctx := c.UserContext()
	var list []layout.Flash
	if raw := s.sessions.GetString(ctx, sessionFlashes); raw != "" {
		_ = json.Unmarshal([]byte(raw), &list)
	}
	list = append(list, layout.Flash{Kind: kind, Message: message})
	b, _ := json.Marshal(list)
	s.sessions.Put(ctx, sessionFlashes, string(b))
}

func (s *Server) popFlashes(c *fiber.Ctx) []layout.Flash {
	raw := s.sessions.PopString(c.UserContext(), sessionFlashes)
	if raw == "" {
		return nil
	}
	var list []layout.Flash
	_ = json.Unmarshal([]byte(raw), &list)
	return list
}

// redirect answers a successful POST: 303 for forms, HX-Redirect for htmx.
func (s *Server) redirect(c *fiber.Ctx, to string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// paramID reads a positive integer route parameter; anything else is a 404.
func paramID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}
