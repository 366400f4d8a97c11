// Package payments hides the payment providers the checkout accepts (Stripe,
// PayPal, manual) behind one small interface: verify a payment against the
// order total, capture it once the order is routed, refund it; and it verifies
// and parses their webhooks into one Event type. It keeps no state and touches
// no database: what a payment means for an order is decided in models.
package payments

import (
	"context"
	"errors"
	"fmt"
)

// Provider names as the storefront API's payment.provider spells them.
const (
	ProviderStripe = "stripe"
	ProviderPayPal = "paypal"
	ProviderManual = "manual"
)

// Gateway is one payment provider as the checkout uses it. reference is the
// provider's id of the payment (Stripe PaymentIntent id, PayPal order id).
//
// Errors: a *DeclinedError means the payment can't be accepted as it stands
// (declined, not paid, unknown, amount or currency differs): final, the checkout
// answers 402 /payment-failed. A *TemporaryError means the provider could not be
// reached or failed (network, 5xx, 429): try again later with the same
// idempotency key. Anything else is a setup or programming error (bad API key,
// a request the provider refused as malformed) for a person to look at.
type Gateway interface {
	// Provider returns the provider's name (ProviderStripe, ...).
	Provider() string
	// Verify checks that the payment exists, is paid or authorised, and is for
	// exactly want. The Payment is filled as far as known even with a *DeclinedError,
	// so the caller can record the status and fingerprint of a failed payment.
	Verify(ctx context.Context, reference string, want Money) (Payment, error)
	// Capture takes the money of an authorised payment. Capturing a payment that is
	// already captured for that amount returns it unchanged.
	Capture(ctx context.Context, reference string, amount Money, idempotencyKey string) (Payment, error)
	// Refund pays amount of a captured payment back; the Payment returned
	// describes the refund (Amount is the refunded amount, RefundID its id).
	Refund(ctx context.Context, reference string, amount Money, idempotencyKey string) (Payment, error)
}

// Money is an amount in minor units of an ISO 4217 currency (see MinorUnits).
type Money struct {
	AmountCents int64  `json:"amount"`
	Currency    string `json:"currency"`
}

// String formats m for messages, e.g. "19.99 USD".
func (m Money) String() string {
	s, err := FormatAmount(m.AmountCents, m.Currency)
	if err != nil {
		return fmt.Sprintf("%d (minor units) %s", m.AmountCents, m.Currency)
	}
	return s + " " + m.Currency
}

// Status is where a payment stands, the same words for every provider.
type Status string

// Payment statuses.
const (
	// StatusPending: no money yet, but nothing failed either (manual payments,
	// a PayPal capture still pending, a Stripe intent waiting for the customer).
	StatusPending Status = "pending"
	// StatusAuthorized: the money is held for us and must be captured
	// (Stripe requires_capture, PayPal APPROVED).
	StatusAuthorized Status = "authorized"
	// StatusCaptured: the money is ours (Stripe succeeded, PayPal capture COMPLETED).
	StatusCaptured Status = "captured"
	// StatusFailed: declined, cancelled or voided; this payment will not pay.
	StatusFailed Status = "failed"
	// StatusRefunded: money was paid back.
	StatusRefunded Status = "refunded"
	// StatusRefundPending: a refund was accepted but has not completed yet.
	StatusRefundPending Status = "refund_pending"
)

// Payment is what a provider told us about one payment.
type Payment struct {
	Provider  string
	Reference string
	Status    Status
	// ProviderStatus is the provider's own word ("requires_capture", "APPROVED"), for people.
	ProviderStatus string
	// Amount is the payment's amount (for Refund: the refunded amount).
	Amount Money
	// TransactionID is the charge (Stripe) or capture (PayPal) id once there is one;
	// disputes and refund webhooks name the payment by it.
	TransactionID string
	// RefundID is the provider's id of the refund (Refund only).
	RefundID string
	// Fingerprint identifies the card (Stripe card fingerprint) or PayPal account
	// (payer id) that paid, for velocity checks; empty when unknown.
	Fingerprint string
	// Country is the card's issuing country (Stripe) or the payer's country
	// (PayPal), ISO 3166-1 alpha-2; empty when unknown. Risk rules compare it
	// with the shipping country.
	Country string
	// FailureReason is the provider's explanation of a decline, for people.
	FailureReason string
}

// Decline codes of DeclinedError.
const (
	CodeAmountMismatch   = "amount_mismatch"
	CodeCurrencyMismatch = "currency_mismatch"
	CodeNotPaid          = "not_paid"  // the status is not one we accept
	CodeNotFound         = "not_found" // the provider doesn't know the reference
	CodeDeclined         = "declined"  // the provider refused the operation (card declined, unexpected state)
	CodeRefunded         = "refunded"  // the payment was paid back already
)

// DeclinedError says the payment can't be accepted as it stands. It is final:
// asking again gives the same answer. The checkout maps it to 402 /payment-failed.
type DeclinedError struct {
	Provider  string
	Reference string
	Code      string // one of the Code... constants
	Reason    string // for people: what the provider said or what differs
}

func (e *DeclinedError) Error() string {
	return fmt.Sprintf("payments: %s payment %q declined (%s): %s", e.Provider, e.Reference, e.Code, e.Reason)
}

// TemporaryError says the provider could not answer now (network, timeout,
// 5xx, 429). Retry later with the same idempotency key.
type TemporaryError struct {
	Provider   string
	Op         string
	StatusCode int // 0 when no HTTP response came back
	Err        error
}

func (e *TemporaryError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("payments: %s %s: temporary failure (HTTP %d): %v", e.Provider, e.Op, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("payments: %s %s: temporary failure: %v", e.Provider, e.Op, e.Err)
}

func (e *TemporaryError) Unwrap() error { return e.Err }

// IsDeclined reports whether err is (or wraps) a *DeclinedError.
func IsDeclined(err error) bool {
	var d *DeclinedError
	return errors.As(err, &d)
}

// IsTemporary reports whether err is (or wraps) a *TemporaryError.
func IsTemporary(err error) bool {
	var t *TemporaryError
	return errors.As(err, &t)
}

// ErrInvalidSignature means a webhook delivery is not from the provider
// (bad, missing or stale signature): answer 401 and change nothing.
var ErrInvalidSignature = errors.New("payments: invalid webhook signature")

// checkAmount compares what the provider holds with what the order wants.
func checkAmount(provider, reference string, got, want Money) error {
	if got.Currency != want.Currency {
		return &DeclinedError{Provider: provider, Reference: reference, Code: CodeCurrencyMismatch,
			Reason: fmt.Sprintf("payment is in %s, order total is in %s", got.Currency, want.Currency)}
	}
	if got.AmountCents != want.AmountCents {
		return &DeclinedError{Provider: provider, Reference: reference, Code: CodeAmountMismatch,
			Reason: fmt.Sprintf("payment is for %s, order total is %s", got, want)}
	}
	return nil
}
