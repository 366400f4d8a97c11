// Package handlers is the HTTP side: Fiber handlers for the admin pages, the
// storefront API and the webhooks. Handlers decode, call models, choose the
// view and map errors; rules live in models.
package handlers

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gorm.io/gorm"

	"dropship/handlers/api"
	"dropship/handlers/webhooks"
	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/transport"
	"dropship/models"
)

// Config is what the HTTP layer needs from the environment.
type Config struct {
	// BaseURL is where people reach the app; https turns on Secure cookies and HSTS.
	BaseURL string
	// ProxyHeader, when set (X-Forwarded-For), gives the client address, but
	// only on requests that come from one of TrustedProxies (default: loopback).
	ProxyHeader    string
	TrustedProxies []string
	// API tunes the storefront API (rate limit per key).
	API api.Config
}

// Deps are the shared resources the handlers use.
type Deps struct {
	DB  *gorm.DB
	Log *slog.Logger
	// Registry receives the HTTP and database pool metrics and is served at /metrics.
	Registry *prometheus.Registry
	// Secrets seals and opens stored secrets (supplier credentials).
	Secrets *models.SecretBox
	// Ready reports whether the database is reachable and migrated (/readyz).
	Ready func(ctx context.Context) error
	// Payments asks Stripe and PayPal about the payments orders carry.
	Payments models.PaymentVerifier
	// StripeHooks and PayPalHooks verify payment webhooks (nil: not configured).
	StripeHooks webhooks.StripeParser
	PayPalHooks webhooks.PayPalParser
	// Inventory runs supplier syncs for the pages' buttons (Sync now, upload,
	// approve, test connection, mapping preview); nil hides them.
	Inventory Inventory
}

// Inventory is what the supplier pages ask of the sync service (jobs.Inventory).
type Inventory interface {
	SyncNow(supplierID int64, actor *models.User) error
	Upload(supplierID int64, actor *models.User, name string, r io.Reader) error
	ApproveHeld(ctx context.Context, heldID int64, actor *models.User, note string) error
	TestConnection(ctx context.Context, sup *models.Supplier) (transport.Probe, error)
	PreviewFeed(ctx context.Context, sup *models.Supplier, m feed.Mapping, sample io.Reader, sampleName string) (feed.PreviewResult, error)
	PreviewREST(ctx context.Context, sup *models.Supplier, m models.RESTMapping) (transport.Probe, error)
	Reload(ctx context.Context) (string, error)
}

// Server holds the handlers' dependencies; its methods are the handlers.
type Server struct {
	cfg         Config
	db          *gorm.DB
	log         *slog.Logger
	sessions    *scs.SessionManager
	registry    *prometheus.Registry
	ready       func(ctx context.Context) error
	secrets     *models.SecretBox
	secure      bool
	metrics     *httpMetrics
	payments    models.PaymentVerifier
	stripeHooks webhooks.StripeParser
	paypalHooks webhooks.PayPalParser
	inv         Inventory
	instance    string   // host/pid, in the sync runs webhooks create
	openAPI     huma.API // the storefront API, for its OpenAPI document
}

// Session lifetimes: idle and absolute.
const (
	sessionIdleTimeout = 12 * time.Hour
	sessionLifetime    = 7 * 24 * time.Hour
)

// New builds the Fiber app with every route.
func New(cfg Config, d Deps) (*fiber.App, error) {
	sqlDB, err := d.DB.DB()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: d.DB, log: d.Log, registry: d.Registry, ready: d.Ready, payments: d.Payments, stripeHooks: d.StripeHooks,
		paypalHooks: d.PayPalHooks, secrets: d.Secrets, inv: d.Inventory}
	host, _ := os.Hostname()
	s.instance = fmt.Sprintf("%s/%d", host, os.Getpid())
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme == "https" {
		s.secure = true
	}
	s.sessions = newSessionManager(sqlDB, s.secure)
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	s.metrics = newHTTPMetrics()
	if err := s.registerMetrics(sqlDB); err != nil {
		return nil, err
	}
	app := fiber.New(fiber.Config{
		AppName:               "dropship",
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             64 << 20,
		ProxyHeader:           cfg.ProxyHeader,
		// Without this check anyone could set the header and pick their own address
		// (and so escape the per-address login throttle).
		EnableTrustedProxyCheck: cfg.ProxyHeader != "",
		TrustedProxies:          trustedProxies(cfg.TrustedProxies),
	})
	s.routes(app)
	return app, nil
}

func newSessionManager(db *sql.DB, secure bool) *scs.SessionManager {
	sm := scs.New()
	// Housekeeping purges expired rows; the store's own goroutine would run on every instance.
	sm.Store = postgresstore.NewWithCleanupInterval(db, 0)
	sm.IdleTimeout = sessionIdleTimeout
	sm.Lifetime = sessionLifetime
	sm.Cookie.Name = "dropship_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	return sm
}

func (s *Server) registerMetrics(db *sql.DB) error {
	for _, c := range []prometheus.Collector{
		s.metrics.requests, s.metrics.duration,
		collectors.NewDBStatsCollector(db, "dropship"),
	} {
		if err := s.registry.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func trustedProxies(list []string) []string {
	if len(list) == 0 {
		return []string{"127.0.0.1", "::1"}
	}
	return list
}
