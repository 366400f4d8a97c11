// Package webhooks receives signed notifications from payment providers,
// carriers and suppliers: each request is verified before anything is read,
// deduplicated by its event id, and applied through models.
package webhooks

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"dropship/handlers/problem"
	"dropship/integrations/payments"
	"dropship/models"
)

// StripeParser verifies a Stripe-Signature and parses the event.
type StripeParser interface {
	ParseWebhook(payload []byte, signatureHeader string) (payments.Event, error)
}

// PayPalParser verifies a PayPal delivery with PayPal and parses the event.
type PayPalParser interface {
	ParseWebhook(ctx context.Context, header http.Header, body []byte) (payments.Event, error)
}

// Deps are what the receivers need; a nil parser means that provider is not configured.
type Deps struct {
	DB     *gorm.DB
	Log    *slog.Logger
	Stripe StripeParser
	PayPal PayPalParser
	// Secrets opens the suppliers' sealed signing secrets.
	Secrets *models.SecretBox
	// Instance names this process in the sync runs supplier webhooks create.
	Instance string
	// Now is the clock supplier signatures are checked against; time.Now when nil (tests set it).
	Now func() time.Time
}

// Receivers holds the dependencies; its methods are the handlers.
type Receivers struct {
	Deps
}

// Mount registers the webhook routes on app.
func Mount(app *fiber.App, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	r := &Receivers{Deps: d}
	app.Post("/webhooks/stripe", r.stripe)
	app.Post("/webhooks/paypal", r.paypal)
	app.Post("/webhooks/suppliers/:code", r.supplierStock)
}

// fail answers a problem+json with status and a reason for the sender's logs.
func fail(c *fiber.Ctx, status int, slug, detail string) error {
	return problem.Write(c, problem.New(status, slug, detail))
}

// applyPaymentEvent acts on a verified payment event once, and answers the provider.
func (r *Receivers) applyPaymentEvent(c *fiber.Ctx, ev payments.Event) error {
	kind := map[payments.EventKind]string{
		payments.KindPaymentSucceeded: models.PaymentEventSucceeded,
		payments.KindPaymentFailed:    models.PaymentEventFailed,
		payments.KindRefunded:         models.PaymentEventRefunded,
		payments.KindDisputeCreated:   models.PaymentEventDisputed,
	}[ev.Kind]
	if kind == "" {
		return c.JSON(fiber.Map{"received": true, "handled": false})
	}
	ctx := c.UserContext()
	s, err := models.GetStoreSettings(ctx, r.DB)
	if err != nil {
		return err
	}
	applied, err := models.ApplyPaymentEvent(ctx, r.DB, models.PaymentEvent{Provider: ev.Provider, EventID: ev.ID, Kind: kind,
		Reference: ev.Reference, TransactionID: ev.TransactionID, AmountCents: ev.Amount.AmountCents, Currency: ev.Amount.Currency,
		Reason: ev.Reason, FullRefund: ev.FullyRefunded}, s)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"received": true, "handled": true, "duplicate": !applied})
}

// refuse answers a delivery that failed verification: 401, nothing changed.
func refuse(c *fiber.Ctx, err error) error {
	return problem.Write(c, problem.New(http.StatusUnauthorized, "bad-signature", "The signature does not verify: "+err.Error()))
}

func notConfigured(c *fiber.Ctx, provider string) error {
	return problem.Write(c, problem.New(http.StatusNotFound, "not-configured", "No "+provider+" account is configured on this back office."))
}

// verifyError sorts a parser's error into the answer the provider should get.
func (r *Receivers) verifyError(c *fiber.Ctx, provider string, err error) error {
	switch {
	case errors.Is(err, payments.ErrInvalidSignature):
		r.Log.Warn("webhook refused", "provider", provider, "err", err)
		return refuse(c, err)
	case payments.IsTemporary(err):
		// We could not ask the provider to verify: let it deliver again.
		return problem.Write(c, problem.New(http.StatusServiceUnavailable, "verification-unavailable", err.Error()))
	}
	return problem.Write(c, problem.New(http.StatusBadRequest, "bad-event", err.Error()))
}
