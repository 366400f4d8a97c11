package webhooks

import (
	"github.com/gofiber/fiber/v2"
)

// stripe receives POST /webhooks/stripe, verified by Stripe-Signature.
func (r *Receivers) stripe(c *fiber.Ctx) error {
	if r.Stripe == nil {
		return notConfigured(c, "Stripe")
	}
	ev, err := r.Stripe.ParseWebhook(c.Body(), c.Get("Stripe-Signature"))
	if err != nil {
		return r.verifyError(c, "stripe", err)
	}
	return r.applyPaymentEvent(c, ev)
}
