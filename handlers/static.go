package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/static"
)

// static serves embedded assets; a hashed name may be cached forever.
func (s *Server) static(c *fiber.Ctx) error {
	a, immutable, ok := static.Lookup(c.Params("*"))
	if !ok {
		return fiber.ErrNotFound
	}
	if immutable {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	c.Set(fiber.HeaderETag, `"`+a.Hash+`"`)
	if c.Get(fiber.HeaderIfNoneMatch) == `"`+a.Hash+`"` {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	return c.Send(a.Body)
}
