package payments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// Stripe verifies, captures and refunds PaymentIntents through stripe-go's
// client API (no package globals: key, URL and HTTP client live in the client).
type Stripe struct {
	client        *stripe.Client
	webhookSecret string
}

var _ Gateway = (*Stripe)(nil)

// NewStripe builds the Stripe gateway; httpClient nil means one with a 30 s timeout.
func NewStripe(cfg StripeConfig, httpClient *http.Client) (*Stripe, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("payments: stripe: %w", err)
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	url := cfg.APIURL
	if url == "" {
		url = StripeAPIURL
	}
	backends := stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		HTTPClient:        httpClient,
		URL:               stripe.String(url),
		MaxNetworkRetries: cfg.MaxNetworkRetries,
		// Errors come back to the caller; stripe-go's own logger would print them again.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return &Stripe{
		client:        stripe.NewClient(cfg.SecretKey, stripe.WithBackends(backends)),
		webhookSecret: cfg.WebhookSecret,
	}, nil
}

// Provider returns ProviderStripe.
func (s *Stripe) Provider() string { return ProviderStripe }

// Verify accepts a PaymentIntent that succeeded or waits for capture, for
// exactly want, and not refunded.
func (s *Stripe) Verify(ctx context.Context, reference string, want Money) (Payment, error) {
	pi, err := s.retrieve(ctx, reference)
	if err != nil {
		return Payment{Provider: ProviderStripe, Reference: reference}, err
	}
	p, err := stripePayment(pi)
	if err != nil {
		return p, err
	}
	if p.Status != StatusCaptured && p.Status != StatusAuthorized {
		return p, s.declined(reference, CodeNotPaid, statusReason(p))
	}
	if pi.LatestCharge != nil && pi.LatestCharge.AmountRefunded > 0 {
		return p, s.declined(reference, CodeRefunded, "the charge was refunded")
	}
	return p, checkAmount(ProviderStripe, reference, p.Amount, want)
}

// Capture captures amount of an intent waiting for capture (amount may be less
// than authorised: Stripe releases the rest). An intent already captured for
// amount is returned as it is, so a retried capture is harmless.
func (s *Stripe) Capture(ctx context.Context, reference string, amount Money, idempotencyKey string) (Payment, error) {
	if idempotencyKey == "" {
		return Payment{}, errors.New("payments: stripe capture: idempotency key required")
	}
	pi, err := s.retrieve(ctx, reference)
	if err != nil {
		return Payment{Provider: ProviderStripe, Reference: reference}, err
	}
	p, err := stripePayment(pi)
	if err != nil {
		return p, err
	}
	if p.Amount.Currency != amount.Currency {
		return p, checkAmount(ProviderStripe, reference, p.Amount, amount)
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		return p, checkAmount(ProviderStripe, reference, p.Amount, amount)
	case stripe.PaymentIntentStatusRequiresCapture:
	default:
		return p, s.declined(reference, CodeNotPaid, statusReason(p))
	}
	if amount.AmountCents <= 0 || amount.AmountCents > p.Amount.AmountCents {
		return p, s.declined(reference, CodeAmountMismatch,
			fmt.Sprintf("capture of %s asked, %s authorised", amount, p.Amount))
	}
	stripeAmount, err := toStripeAmount(amount)
	if err != nil {
		return p, err
	}
	captured, err := s.capture(ctx, reference, stripeAmount, idempotencyKey)
	if err != nil {
		return p, err
	}
	p, err = stripePayment(captured)
	if err != nil {
		return p, err
	}
	if p.Status != StatusCaptured {
		return p, s.declined(reference, CodeDeclined, statusReason(p))
	}
	return p, nil
}

// Refund pays amount back. An intent that was only authorised is cancelled
// instead, which releases the hold on the customer's card; that needs the full
// amount (capture less to keep part of it).
func (s *Stripe) Refund(ctx context.Context, reference string, amount Money, idempotencyKey string) (Payment, error) {
	if idempotencyKey == "" {
		return Payment{}, errors.New("payments: stripe refund: idempotency key required")
	}
	pi, err := s.retrieve(ctx, reference)
	if err != nil {
		return Payment{Provider: ProviderStripe, Reference: reference}, err
	}
	p, err := stripePayment(pi)
	if err != nil {
		return p, err
	}
	if p.Amount.Currency != amount.Currency {
		return p, checkAmount(ProviderStripe, reference, p.Amount, amount)
	}
	stripeAmount, err := toStripeAmount(amount)
	if err != nil {
		return p, err
	}
	if amount.AmountCents <= 0 {
		return p, fmt.Errorf("payments: stripe refund %s: amount %s must be positive", reference, amount)
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
	case stripe.PaymentIntentStatusRequiresCapture:
		if amount != p.Amount {
			return p, fmt.Errorf("payments: stripe refund %s: %s of an uncaptured %s: capture the smaller amount instead", reference, amount, p.Amount)
		}
		canceled, err := s.cancel(ctx, reference, idempotencyKey)
		if err != nil {
			return p, err
		}
		p.ProviderStatus = string(canceled.Status)
		p.Status = StatusRefunded
		return p, nil
	default:
		return p, s.declined(reference, CodeNotPaid, "nothing captured to refund: "+statusReason(p))
	}
	r, err := s.refund(ctx, reference, stripeAmount, idempotencyKey)
	if err != nil {
		return p, err
	}
	refunded, err := fromStripeAmount(r.Amount, string(r.Currency))
	if err != nil {
		return p, err
	}
	p.Amount = refunded
	p.RefundID = r.ID
	p.ProviderStatus = string(r.Status)
	switch r.Status {
	case stripe.RefundStatusSucceeded:
		p.Status = StatusRefunded
	case stripe.RefundStatusPending, stripe.RefundStatusRequiresAction:
		p.Status = StatusRefundPending
	default:
		p.FailureReason = string(r.FailureReason)
		return p, s.declined(reference, CodeDeclined, "refund "+string(r.Status)+": "+string(r.FailureReason))
	}
	return p, nil
}

func (s *Stripe) retrieve(ctx context.Context, reference string) (*stripe.PaymentIntent, error) {
	if err := CheckReference(ProviderStripe, reference); err != nil {
		return nil, s.declined(reference, CodeNotFound, err.Error())
	}
	params := &stripe.PaymentIntentRetrieveParams{}
	params.AddExpand("latest_charge") // its card fingerprint feeds the velocity checks
	pi, err := s.client.V1PaymentIntents.Retrieve(ctx, reference, params)
	if err != nil {
		return nil, s.apiError("retrieve payment intent", reference, err)
	}
	return pi, nil
}

// The calls to Stripe, one function each so the stripe-mock test checks their
// request shapes whatever state stripe-mock's canned objects are in.

func (s *Stripe) capture(ctx context.Context, reference string, stripeAmount int64, idempotencyKey string) (*stripe.PaymentIntent, error) {
	params := &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(stripeAmount)}
	params.AddExpand("latest_charge")
	params.SetIdempotencyKey(idempotencyKey)
	pi, err := s.client.V1PaymentIntents.Capture(ctx, reference, params)
	if err != nil {
		return nil, s.apiError("capture payment intent", reference, err)
	}
	return pi, nil
}

func (s *Stripe) cancel(ctx context.Context, reference, idempotencyKey string) (*stripe.PaymentIntent, error) {
	params := &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String("requested_by_customer")}
	params.SetIdempotencyKey(idempotencyKey)
	pi, err := s.client.V1PaymentIntents.Cancel(ctx, reference, params)
	if err != nil {
		return nil, s.apiError("cancel payment intent", reference, err)
	}
	return pi, nil
}

func (s *Stripe) refund(ctx context.Context, reference string, stripeAmount int64, idempotencyKey string) (*stripe.Refund, error) {
	params := &stripe.RefundCreateParams{PaymentIntent: stripe.String(reference), Amount: stripe.Int64(stripeAmount)}
	params.SetIdempotencyKey(idempotencyKey)
	r, err := s.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return nil, s.apiError("create refund", reference, err)
	}
	return r, nil
}

func (s *Stripe) declined(reference, code, reason string) *DeclinedError {
	return &DeclinedError{Provider: ProviderStripe, Reference: reference, Code: code, Reason: reason}
}

// apiError sorts a stripe-go error into declined, temporary or other.
func (s *Stripe) apiError(op, reference string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		// No Stripe error body: the network, a timeout, or a proxy's non-JSON 5xx.
		return &TemporaryError{Provider: ProviderStripe, Op: op, Err: err}
	}
	switch {
	case se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode == http.StatusConflict:
		return &TemporaryError{Provider: ProviderStripe, Op: op, StatusCode: se.HTTPStatusCode, Err: errors.New(se.Msg)}
	case se.HTTPStatusCode == http.StatusNotFound || se.Code == stripe.ErrorCodeResourceMissing:
		return s.declined(reference, CodeNotFound, se.Msg)
	case se.Type == stripe.ErrorTypeCard:
		reason := se.Msg
		if se.DeclineCode != "" {
			reason += " (" + string(se.DeclineCode) + ")"
		}
		return s.declined(reference, CodeDeclined, reason)
	case se.Code == stripe.ErrorCodePaymentIntentUnexpectedState,
		se.Code == stripe.ErrorCodeChargeAlreadyRefunded,
		se.Code == stripe.ErrorCodeChargeAlreadyCaptured,
		se.Code == stripe.ErrorCodeChargeDisputed,
		se.Code == stripe.ErrorCodeChargeExpiredForCapture,
		se.Code == stripe.ErrorCodeAmountTooLarge:
		return s.declined(reference, CodeDeclined, se.Msg)
	}
	return fmt.Errorf("payments: stripe %s %s: HTTP %d %s %s: %s", op, reference, se.HTTPStatusCode, se.Type, se.Code, se.Msg)
}

// stripePayment maps an intent (with latest_charge expanded) to a Payment.
func stripePayment(pi *stripe.PaymentIntent) (Payment, error) {
	p := Payment{Provider: ProviderStripe, Reference: pi.ID, ProviderStatus: string(pi.Status)}
	amount := pi.Amount
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		p.Status = StatusCaptured
		amount = pi.AmountReceived
	case stripe.PaymentIntentStatusRequiresCapture:
		p.Status = StatusAuthorized
		amount = pi.AmountCapturable
	case stripe.PaymentIntentStatusCanceled:
		p.Status = StatusFailed
		p.FailureReason = "canceled"
		if pi.CancellationReason != "" {
			p.FailureReason += ": " + string(pi.CancellationReason)
		}
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		p.Status = StatusPending // not paid yet, or a failed attempt (see below)
	default: // processing, requires_action, requires_confirmation
		p.Status = StatusPending
	}
	if e := pi.LastPaymentError; e != nil && pi.Status == stripe.PaymentIntentStatusRequiresPaymentMethod {
		p.Status = StatusFailed
		p.FailureReason = e.Msg
		if e.DeclineCode != "" {
			p.FailureReason += " (" + string(e.DeclineCode) + ")"
		} else if e.Code != "" {
			p.FailureReason += " (" + string(e.Code) + ")"
		}
	}
	if ch := pi.LatestCharge; ch != nil {
		p.TransactionID = ch.ID
		if d := ch.PaymentMethodDetails; d != nil && d.Card != nil {
			p.Fingerprint, p.Country = d.Card.Fingerprint, d.Card.Country
		}
	}
	m, err := fromStripeAmount(amount, string(pi.Currency))
	if err != nil {
		return p, &DeclinedError{Provider: ProviderStripe, Reference: pi.ID, Code: CodeCurrencyMismatch, Reason: err.Error()}
	}
	p.Amount = m
	return p, nil
}

func statusReason(p Payment) string {
	if p.FailureReason != "" {
		return fmt.Sprintf("status %s: %s", p.ProviderStatus, p.FailureReason)
	}
	return "status " + strings.ReplaceAll(p.ProviderStatus, "_", " ")
}
