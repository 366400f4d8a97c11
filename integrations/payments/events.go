package payments

import (
	"fmt"
	"regexp"
	"time"
)

// EventKind is what a webhook event means for an order, the same words for
// every provider.
type EventKind string

// Event kinds the checkout acts on; everything else is KindOther (acknowledge it, do nothing).
const (
	// KindPaymentSucceeded: the money is ours (Stripe payment_intent.succeeded,
	// PayPal PAYMENT.CAPTURE.COMPLETED).
	KindPaymentSucceeded EventKind = "payment_succeeded"
	// KindPaymentFailed: the payment failed (Stripe payment_intent.payment_failed,
	// PayPal PAYMENT.CAPTURE.DENIED): order payment_failed, reservations released.
	KindPaymentFailed EventKind = "payment_failed"
	// KindRefunded: money went back (Stripe charge.refunded, PayPal PAYMENT.CAPTURE.REFUNDED).
	KindRefunded EventKind = "refunded"
	// KindDisputeCreated: the customer disputed the payment (Stripe
	// charge.dispute.created, PayPal CUSTOMER.DISPUTE.CREATED): hold fulfilment.
	KindDisputeCreated EventKind = "dispute_created"
	// KindOrderApproved: the PayPal buyer approved the order; it can be captured.
	KindOrderApproved EventKind = "order_approved"
	// KindOther: an event type the checkout does not handle.
	KindOther EventKind = "other"
)

// Event is one verified webhook event, reduced to what the checkout needs.
type Event struct {
	Provider string
	// ID is the provider's event id: the dedupe key (a redelivery carries the same id).
	ID   string
	Kind EventKind
	// ProviderType is the provider's event type ("charge.refunded", "PAYMENT.CAPTURE.DENIED").
	ProviderType string
	// Reference is the payment's reference as the checkout stored it (PaymentIntent
	// id, PayPal order id) when the event carries it; PayPal refunds and disputes
	// carry only TransactionID.
	Reference string
	// TransactionID is the charge (Stripe) or capture (PayPal) id, when known.
	TransactionID string
	// ObjectID is the id of the object the event is about (intent, charge,
	// refund, dispute, capture, order).
	ObjectID string
	// Amount is the amount the event is about: paid, failed, disputed; for
	// refunds, Stripe gives the total refunded so far, PayPal this refund.
	Amount Money
	// FullyRefunded is true on a Stripe charge.refunded event once the whole charge is refunded.
	FullyRefunded bool
	// Reason explains failures and disputes, for people.
	Reason string
	// CreatedAt is when the provider created the event.
	CreatedAt time.Time
	// APIVersion is the Stripe API version the event was rendered in.
	APIVersion string
}

var (
	stripeIntentID = regexp.MustCompile(`^pi_[A-Za-z0-9_]{1,255}$`)
	paypalOrderID  = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
)

// CheckReference tells whether reference can be a payment reference of
// provider (a PaymentIntent id for Stripe, an order id for PayPal); a bad one
// is a 422 field error in the API rather than a call to the provider.
func CheckReference(provider, reference string) error {
	switch provider {
	case ProviderStripe:
		if !stripeIntentID.MatchString(reference) {
			return fmt.Errorf("payments: %q is not a Stripe PaymentIntent id (pi_...)", reference)
		}
	case ProviderPayPal:
		if !paypalOrderID.MatchString(reference) {
			return fmt.Errorf("payments: %q is not a PayPal order id", reference)
		}
	case ProviderManual:
		if len(reference) > 255 {
			return fmt.Errorf("payments: manual payment reference longer than 255 characters")
		}
	default:
		return fmt.Errorf("payments: unknown provider %q", provider)
	}
	return nil
}
