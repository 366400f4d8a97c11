// Package webhooks receives the webhooks outside systems send: suppliers'
// stock updates (Standard Webhooks), and later payment providers and
// carriers, one file per provider. Every receiver verifies the signature
// before it reads the body, answers 401 and changes nothing when it fails,
// and deduplicates deliveries by their id.
package webhooks

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"dropship/handlers/problem"
	"dropship/models"
)

// Deps are what the receivers need.
type Deps struct {
	DB      *gorm.DB
	Log     *slog.Logger
	Secrets *models.SecretBox
	// Instance names this process in the sync runs webhooks create.
	Instance string
	// Now is the clock signatures are checked against; time.Now when nil (tests set it).
	Now func() time.Time
}

// receiver holds the dependencies; its methods are the webhook handlers.
type receiver struct {
	Deps
}

// Mount registers every webhook route on app. They take no session or CSRF
// token: the signature is the authentication.
func Mount(app *fiber.App, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	r := &receiver{Deps: d}
	app.Post("/webhooks/suppliers/:code", r.supplierStock)
}

// fail answers a problem+json with status and a reason for the sender's logs.
func fail(c *fiber.Ctx, status int, slug, detail string) error {
	return problem.Write(c, problem.New(status, slug, detail))
}
