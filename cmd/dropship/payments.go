package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"dropship/integrations/payments"
	"dropship/models"
)

// paymentGateways are the providers configured in the environment, by name.
type paymentGateways map[string]payments.Gateway

// loadPaymentGateways builds the Stripe and PayPal gateways whose keys are
// set; a provider without keys is absent (its orders wait with a 503).
func loadPaymentGateways() (paymentGateways, error) {
	gws := paymentGateways{payments.ProviderManual: payments.Manual{}}
	if key := os.Getenv("STRIPE_SECRET_KEY"); key != "" {
		s, err := payments.NewStripe(payments.StripeConfig{SecretKey: key, WebhookSecret: os.Getenv("STRIPE_WEBHOOK_SECRET"),
			APIURL: os.Getenv("STRIPE_API_URL")}, nil)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		gws[payments.ProviderStripe] = s
	}
	if id := os.Getenv("PAYPAL_CLIENT_ID"); id != "" {
		p, err := payments.NewPayPal(payments.PayPalConfig{ClientID: id, ClientSecret: os.Getenv("PAYPAL_CLIENT_SECRET"),
			WebhookID: os.Getenv("PAYPAL_WEBHOOK_ID"), Environment: envOr("PAYPAL_ENVIRONMENT", "sandbox"), APIURL: os.Getenv("PAYPAL_API_URL")}, nil)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		gws[payments.ProviderPayPal] = p
	}
	return gws, nil
}

// VerifyPayment asks the order's provider about its payment, in the terms models use.
func (g paymentGateways) VerifyPayment(ctx context.Context, provider, reference string, amountCents int64, currency string) (models.PaymentCheck, error) {
	gw, ok := g[provider]
	if !ok {
		return models.PaymentCheck{}, fmt.Errorf("payments: no %s account is configured", provider)
	}
	p, err := gw.Verify(ctx, reference, payments.Money{AmountCents: amountCents, Currency: currency})
	check := models.PaymentCheck{AmountCents: p.Amount.AmountCents, Currency: p.Amount.Currency,
		CardFingerprint: p.Fingerprint, CardCountry: p.Country, TransactionID: p.TransactionID}
	var declined *payments.DeclinedError
	switch {
	case errors.As(err, &declined) && stillSettling(p):
		// Stripe is still processing (bank debits) or the customer is in 3-D Secure:
		// not a failure; the order keeps its stock until the webhook or the recovery job settles it.
		check.Status = models.PaymentPending
		return check, nil
	case errors.As(err, &declined):
		check.Status, check.FailureReason = models.PaymentFailed, declined.Reason
		return check, nil
	case err != nil:
		return models.PaymentCheck{}, err
	}
	switch p.Status {
	case payments.StatusAuthorized:
		check.Status = models.PaymentAuthorized
	case payments.StatusCaptured:
		check.Status = models.PaymentCaptured
	case payments.StatusPending:
		check.Status = models.PaymentPending
	default:
		check.Status, check.FailureReason = models.PaymentFailed, fmt.Sprintf("the payment is %s at %s", p.ProviderStatus, provider)
	}
	return check, nil
}

// CapturePayment takes the money of an authorised payment at its provider.
func (g paymentGateways) CapturePayment(ctx context.Context, provider, reference string, amountCents int64, currency, idempotencyKey string) (string, error) {
	gw, ok := g[provider]
	if !ok {
		return "", &payments.TemporaryError{Provider: provider, Op: "capture", Err: fmt.Errorf("no %s account is configured", provider)}
	}
	p, err := gw.Capture(ctx, reference, payments.Money{AmountCents: amountCents, Currency: currency}, idempotencyKey)
	if err != nil {
		return "", err
	}
	return p.TransactionID, nil
}

// stillSettling tells a payment that may yet succeed from one that will not.
func stillSettling(p payments.Payment) bool {
	return p.Status == payments.StatusPending && (p.ProviderStatus == "processing" || p.ProviderStatus == "requires_action")
}
