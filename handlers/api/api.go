// Package api is the storefront JSON API v1 (../shared/api/storefront.md):
// huma operations on Fiber, with API key auth, a rate limit per key,
// idempotent order creation and RFC 9457 problems. The OpenAPI 3.1 document
// is generated from these operations and served at /api/v1/openapi.json.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humafiber"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"dropship/handlers/problem"
	"dropship/models"
)

// Base is where the API lives.
const Base = "/api/v1"

// MaxBodyBytes is the largest request body accepted (413 above).
const MaxBodyBytes = 1 << 20

// Config tunes the API.
type Config struct {
	// RatePerSecond and Burst limit each API key's requests (per instance).
	RatePerSecond float64
	Burst         int
}

// DefaultConfig allows a busy storefront (1,000 requests a second per key).
func DefaultConfig() Config { return Config{RatePerSecond: 1000, Burst: 2000} }

// Deps are what the API needs.
type Deps struct {
	DB       *gorm.DB
	Log      *slog.Logger
	Payments models.PaymentVerifier
}

// API holds the handlers' dependencies; its methods are the operations.
type API struct {
	cfg      Config
	db       *gorm.DB
	log      *slog.Logger
	payments models.PaymentVerifier
	keys     *keyCache
	limits   *limiters
	settings *cached[models.StoreSettings]
	zones    *cached[models.ShippingZones]
}

// Mount registers the API on app under /api/v1 and returns the huma API (for its OpenAPI document).
func Mount(app *fiber.App, cfg Config, d Deps) huma.API {
	if cfg.RatePerSecond <= 0 {
		cfg = DefaultConfig()
	}
	if d.Payments == nil {
		d.Payments = noPayments{}
	}
	a := &API{cfg: cfg, db: d.DB, log: d.Log, payments: d.Payments,
		keys: newKeyCache(5 * time.Second), limits: &limiters{byKey: map[int64]*rate.Limiter{}},
		settings: newCached(2*time.Second, func(ctx context.Context) (models.StoreSettings, error) { return models.GetStoreSettings(ctx, d.DB) }),
		zones:    newCached(2*time.Second, func(ctx context.Context) (models.ShippingZones, error) { return models.LoadShippingZones(ctx, d.DB) })}

	hc := huma.DefaultConfig("dropship storefront API", "1.0.0")
	hc.Info.Description = "Checkout, availability and order status for storefronts. " +
		"Authenticate with `Authorization: Bearer <key>`. Errors are RFC 9457 problems. " +
		"Money is `{amount, currency}` in minor units. Lists page with `limit` (1-100, default 20) and `cursor`."
	hc.OpenAPIPath = "/openapi" // under the group: /api/v1/openapi.json
	hc.Servers = []*huma.Server{{URL: Base, Description: "This back office"}}
	hc.DocsPath = ""
	hc.SchemasPath = ""
	hc.CreateHooks = nil // no $schema links in bodies: responses are exactly the contract
	hc.Formats = map[string]huma.Format{"application/json": huma.DefaultJSONFormat, "json": huma.DefaultJSONFormat}
	hc.Transformers = []huma.Transformer{toProblem}
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API key made in Settings → API keys."},
	}
	hc.Security = []map[string][]string{{"bearer": {}}}

	group := app.Group(Base, a.checkContentType, a.authenticate, a.rateLimit)
	group.Post("/orders", a.idempotent) // runs before the huma handler of the same route
	api := humafiber.NewWithGroup(app, group, hc)
	a.register(api)
	app.All(Base+"/*", func(c *fiber.Ctx) error {
		return writeProblem(c, problem.New(http.StatusNotFound, "not-found", "No API route matches "+c.Method()+" "+c.Path()+"."))
	})
	return api
}

// checkContentType refuses bodies over 1 MiB (413) and bodies that are not
// JSON (415); a POST without a body (cancel) needs no Content-Type.
func (a *API) checkContentType(c *fiber.Ctx) error {
	body := c.Body()
	if len(body) == 0 {
		return c.Next()
	}
	if len(body) > MaxBodyBytes {
		return writeProblem(c, problem.New(http.StatusRequestEntityTooLarge, "body-too-large", "The request body is over 1 MiB."))
	}
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != "application/json" {
		return writeProblem(c, problem.New(http.StatusUnsupportedMediaType, "unsupported-media-type",
			"Send the request body as application/json."))
	}
	return c.Next()
}

// writeProblem answers with a problem from Fiber middleware (outside huma).
func writeProblem(c *fiber.Ctx, p *problem.Details) error {
	if p.Status == http.StatusTooManyRequests || p.Status == http.StatusUnauthorized {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return problem.Write(c, p)
}

// apiKeyFrom returns the API key the request authenticated with.
func apiKeyFrom(ctx context.Context) *models.APIKey {
	k, _ := ctx.Value(apiKeyCtx{}).(*models.APIKey)
	return k
}

type apiKeyCtx struct{}

// limiters is one token bucket per API key.
type limiters struct {
	mu    sync.Mutex
	byKey map[int64]*rate.Limiter
}

func (l *limiters) get(id int64, r rate.Limit, burst int) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.byKey[id]
	if !ok {
		lim = rate.NewLimiter(r, burst)
		l.byKey[id] = lim
	}
	return lim
}

// noPayments answers when no payment provider is configured: Stripe and
// PayPal orders then wait (503) instead of being trusted.
type noPayments struct{}

func (noPayments) VerifyPayment(_ context.Context, provider, _ string, _ int64, _ string) (models.PaymentCheck, error) {
	return models.PaymentCheck{}, errors.New("api: no " + provider + " account is configured")
}
