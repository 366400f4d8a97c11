package handlers

import (
	"strings"

	"dropship/handlers/api"
	"dropship/handlers/webhooks"

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

		{"GET", "/catalog", models.PermRead, s.catalogIndex},
		{"GET", "/catalog/export.csv", models.PermRead, s.catalogExport},
		{"GET", "/catalog/import", models.PermCatalogEdit, s.catalogImportNew},
		{"POST", "/catalog/import", models.PermCatalogEdit, s.catalogImportCreate},
		{"GET", "/catalog/import/:id", models.PermCatalogEdit, s.catalogImportShow},
		{"POST", "/catalog/import/:id/apply", models.PermCatalogEdit, s.catalogImportApply},
		{"GET", "/catalog/import/:id/rejected.csv", models.PermCatalogEdit, s.catalogImportRejected},
		{"GET", "/categories", models.PermRead, s.categoriesIndex},
		{"POST", "/categories", models.PermCatalogEdit, s.categoriesCreate},
		{"GET", "/products/new", models.PermCatalogEdit, s.productsNew},
		{"POST", "/products", models.PermCatalogEdit, s.productsCreate},
		{"GET", "/products/:id", models.PermRead, s.productsShow},
		{"GET", "/products/:id/edit", models.PermCatalogEdit, s.productsEdit},
		{"POST", "/products/:id", models.PermCatalogEdit, s.productsUpdate},
		{"POST", "/products/:id/matrix", models.PermCatalogEdit, s.productsMatrix},
		{"GET", "/products/:id/variants/new", models.PermCatalogEdit, s.variantsNew},
		{"POST", "/products/:id/variants", models.PermCatalogEdit, s.variantsCreate},
		{"GET", "/variants/:id/edit", models.PermCatalogEdit, s.variantsEdit},
		{"POST", "/variants/:id", models.PermCatalogEdit, s.variantsUpdate},

		{"GET", "/mapping", models.PermRead, s.mappingIndex},
		{"GET", "/mapping/variants", models.PermRead, s.mappingVariants},
		{"POST", "/mapping/import", models.PermCatalogEdit, s.mappingImport},
		{"GET", "/mapping/unmapped/:id", models.PermRead, s.unmappedShow},
		{"POST", "/mapping/unmapped/:id/map", models.PermCatalogEdit, s.unmappedMap},
		{"POST", "/mapping/unmapped/:id/ignore", models.PermCatalogEdit, s.unmappedIgnore},
		{"POST", "/mapping/unmapped/:id/restore", models.PermCatalogEdit, s.unmappedRestore},
		{"GET", "/variants/:id/offers", models.PermRead, s.offersIndex},
		{"POST", "/offers", models.PermCatalogEdit, s.offersCreate},
		{"POST", "/offers/:id", models.PermCatalogEdit, s.offersUpdate},
		{"POST", "/offers/:id/active", models.PermCatalogEdit, s.offersActive},

		{"GET", "/suppliers", models.PermRead, s.suppliersIndex},
		{"GET", "/suppliers/new", models.PermSuppliersEdit, s.suppliersNew},
		{"POST", "/suppliers", models.PermSuppliersEdit, s.suppliersCreate},
		{"GET", "/suppliers/:id", models.PermRead, s.suppliersShow},
		{"GET", "/suppliers/:id/edit", models.PermSuppliersEdit, s.suppliersEdit},
		{"POST", "/suppliers/:id", models.PermSuppliersEdit, s.suppliersUpdate},
		{"POST", "/suppliers/:id/status", models.PermSuppliersEdit, s.suppliersStatus},
		{"GET", "/suppliers/:id/delete", models.PermSuppliersEdit, s.suppliersDeleteShow},
		{"POST", "/suppliers/:id/delete", models.PermSuppliersEdit, s.suppliersDelete},
		{"GET", "/suppliers/:id/syncs", models.PermRead, s.supplierSyncs},
		{"POST", "/suppliers/:id/sync", models.PermSuppliersEdit, s.supplierSyncNow},
		{"POST", "/suppliers/:id/upload", models.PermSuppliersEdit, s.supplierUpload},
		{"POST", "/suppliers/:id/test", models.PermSuppliersEdit, s.supplierTestConnection},
		{"GET", "/suppliers/:id/mapping", models.PermSuppliersEdit, s.supplierMappingShow},
		{"POST", "/suppliers/:id/mapping", models.PermSuppliersEdit, s.supplierMappingUpdate},
		{"POST", "/suppliers/:id/mapping/preview", models.PermSuppliersEdit, s.supplierMappingPreview},
		{"GET", "/syncs", models.PermRead, s.syncsIndex},
		{"GET", "/syncs/:id", models.PermRead, s.syncShow},
		{"POST", "/held-feeds/:id/approve", models.PermSuppliersEdit, s.heldApprove},
		{"POST", "/held-feeds/:id/reject", models.PermSuppliersEdit, s.heldReject},
		{"GET", "/stock/low", models.PermRead, s.stockLow},

		{"GET", "/account/password", models.PermOwnAccount, s.passwordShow},
		{"POST", "/account/password", models.PermOwnAccount, s.passwordUpdate},

		{"GET", "/users", models.PermUsersManage, s.usersIndex},
		{"GET", "/users/new", models.PermUsersManage, s.usersNew},
		{"POST", "/users", models.PermUsersManage, s.usersCreate},
		{"GET", "/users/:id/edit", models.PermUsersManage, s.usersEdit},
		{"POST", "/users/:id", models.PermUsersManage, s.usersUpdate},

		{"GET", "/orders", models.PermRead, s.ordersIndex},
		{"GET", "/orders/:id", models.PermRead, s.ordersShow},
		{"POST", "/orders/:id/release", models.PermOrderActions, s.ordersRelease},
		{"POST", "/orders/:id/resolve", models.PermOrderActions, s.ordersResolve},
		{"POST", "/orders/:id/cancel", models.PermOrderActions, s.ordersCancel},
		{"POST", "/orders/:id/mark-paid", models.PermOrderPayments, s.ordersMarkPaid},

		{"GET", "/settings/api-keys", models.PermAPIKeysManage, s.apikeysIndex},
		{"POST", "/settings/api-keys", models.PermAPIKeysManage, s.apikeysCreate},
		{"POST", "/settings/api-keys/:id/revoke", models.PermAPIKeysManage, s.apikeysRevoke},
		{"GET", "/settings/shipping-zones", models.PermSettingsManage, s.zonesIndex},
		{"POST", "/settings/shipping-zones", models.PermSettingsManage, s.zonesSave},
		{"POST", "/settings/shipping-zones/:id/delete", models.PermSettingsManage, s.zonesDelete},

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

	// Webhooks: verified by their signatures, no session, no CSRF.
	webhooks.Mount(app, webhooks.Deps{DB: s.db, Log: s.log, Stripe: s.stripeHooks, PayPal: s.paypalHooks,
		Secrets: s.secrets, Instance: s.instance})

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
