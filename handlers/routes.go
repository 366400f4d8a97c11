package handlers

import (
	"strings"

	"dropship/handlers/api"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// Route is one admin page route and the permission it requires ("" for
// pages open to visitors, such as the sign-in form).
type Route struct {
	Method  string
	Path    string
	Perm    models.Permission
	handler fiber.Handler
}

// AdminRoutes lists every admin route; the permission tests walk this list.
func (s *Server) AdminRoutes() []Route {
	return []Route{
		{"GET", "/login", "", s.loginShow},
		{"POST", "/login", "", s.loginSubmit},
		{"POST", "/logout", "", s.logout},

		{"GET", "/", models.PermRead, s.dashboard},
		{"GET", "/jobs", models.PermRead, s.jobsIndex},
		{"GET", "/audit", models.PermRead, s.auditIndex},

		{"GET", "/account/password", models.PermOwnAccount, s.passwordShow},
		{"POST", "/account/password", models.PermOwnAccount, s.passwordUpdate},

		{"GET", "/users", models.PermUsersManage, s.usersIndex},
		{"GET", "/users/new", models.PermUsersManage, s.usersNew},
		{"POST", "/users", models.PermUsersManage, s.usersCreate},
		{"GET", "/users/:id/edit", models.PermUsersManage, s.usersEdit},
		{"POST", "/users/:id", models.PermUsersManage, s.usersUpdate},

		{"GET", "/settings", models.PermSettingsManage, s.settingsShow},
		{"POST", "/settings", models.PermSettingsManage, s.settingsUpdate},
	}
}

// routes registers every route of the app, outermost middleware first.
func (s *Server) routes(app *fiber.App) {
	app.Use(s.observe, s.recoverPanic, s.securityHeaders)

	// Operations: no session, no CSRF.
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())
	app.Get("/static/*", s.static)

	// The storefront API: API keys only, problem+json only.
	s.openAPI = api.Mount(app, s.cfg.API, api.Deps{DB: s.db, Log: s.log, Payments: s.payments})

	// Admin pages: session, CSRF, the signed-in user, then the route's permission.
	for _, r := range s.AdminRoutes() {
		app.Add(r.Method, r.Path, s.withSession, s.csrf, s.loadUser, s.require(r.Perm), r.handler)
	}
	app.Use(s.withSession, s.loadUser, func(c *fiber.Ctx) error {
		if strings.HasPrefix(c.Path(), "/api/") {
			return s.apiNotFound(c)
		}
		return fiber.ErrNotFound
	})
}
