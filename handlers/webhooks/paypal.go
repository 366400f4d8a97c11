package webhooks

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// paypal receives POST /webhooks/paypal, verified with PayPal's verify-webhook-signature.
func (r *Receivers) paypal(c *fiber.Ctx) error {
	if r.PayPal == nil {
		return notConfigured(c, "PayPal")
	}
	header := http.Header(c.GetReqHeaders())
	ev, err := r.PayPal.ParseWebhook(c.UserContext(), header, c.Body())
	if err != nil {
		return r.verifyError(c, "paypal", err)
	}
	return r.applyPaymentEvent(c, ev)
}
