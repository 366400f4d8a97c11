package handlers

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"dropship/views/auth"
)

// loginShow renders the sign-in form (or goes home when already signed in).
func (s *Server) loginShow(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, auth.Login(auth.LoginForm{Next: c.Query("next")}))
}

// safeNext keeps redirects after sign-in on this site: a path of ours, with
// no scheme, no host, no control characters or backslashes (which browsers
// may read as "//" or which would split the Location header).
func safeNext(next string) string {
	if next == "" || strings.ContainsAny(next, "\\") || strings.IndexFunc(next, unicode.IsControl) >= 0 {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return u.RequestURI()
}
