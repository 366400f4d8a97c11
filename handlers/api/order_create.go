package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"dropship/handlers/problem"
	"dropship/models"
)

// CreateOrderInput is an order as the storefront places it.
type CreateOrderInput struct {
	IdempotencyKey string `header:"Idempotency-Key" required:"true" minLength:"1" maxLength:"255" doc:"Required. A retry with the same key and body replays the first response (Idempotent-Replayed: true); another body gets 422 idempotency-key-reused. Kept 48 hours."`
	Body           CreateOrderBody
}

// CreateOrderBody is the JSON body of POST /orders.
type CreateOrderBody struct {
	ExternalID string   `json:"external_id,omitempty" maxLength:"255" doc:"The storefront's own order id."`
	Customer   Customer `json:"customer"`
	ShipTo     Address  `json:"ship_to"`
	Lines      []LineIn `json:"lines" doc:"Lines of the same SKU are merged into one line (quantities added). Quantities from 1 to 10,000."`
	Payment    struct {
		Provider  string `json:"provider" doc:"stripe (reference: PaymentIntent id), paypal (reference: PayPal order id) or manual (no payment yet: pending_payment until a person marks it paid; the stock is held for the configured time, 30 minutes by default)."`
		Reference string `json:"reference,omitempty" maxLength:"255"`
	} `json:"payment"`
	Notify *struct {
		Email bool `json:"email"`
		SMS   bool `json:"sms"`
	} `json:"notify,omitempty" doc:"Which messages the customer gets; email only by default."`
}

// checkoutRequest turns the body into the model's request, normalised.
func (b CreateOrderBody) checkoutRequest() models.CheckoutRequest {
	req := models.CheckoutRequest{ExternalID: b.ExternalID,
		Customer: models.Customer{Email: b.Customer.Email, Name: b.Customer.Name, Phone: b.Customer.Phone},
		ShipTo: models.Address{Name: b.ShipTo.Name, Line1: b.ShipTo.Line1, Line2: b.ShipTo.Line2, City: b.ShipTo.City,
			Region: b.ShipTo.Region, PostalCode: b.ShipTo.PostalCode, Country: b.ShipTo.Country},
		PaymentProvider: b.Payment.Provider, PaymentReference: b.Payment.Reference, NotifyEmail: true,
	}
	if b.Notify != nil {
		req.NotifyEmail, req.NotifySMS = b.Notify.Email, b.Notify.SMS
	}
	for _, l := range b.Lines {
		req.Lines = append(req.Lines, models.CheckoutLine{SKU: l.SKU, Quantity: l.Quantity})
	}
	req.Normalize()
	return req
}

// OrderOutput is one order.
type OrderOutput struct {
	Status int
	Body   Order
}

// createOrder places an order: price, reserve, then verify the payment.
func (a *API) createOrder(ctx context.Context, in *CreateOrderInput) (*OrderOutput, error) {
	key := apiKeyFrom(ctx)
	claim := claimFrom(ctx)
	s, err := a.settings.get(ctx)
	if err != nil {
		return nil, err
	}
	if claim != nil && claim.OrderID != 0 {
		// An earlier run with this key placed the order and was cut short: finish it.
		o, err := models.GetOrder(ctx, a.db, claim.OrderID)
		if err != nil {
			return nil, err
		}
		return a.finishCheckout(ctx, o, s)
	}
	req := in.Body.checkoutRequest()
	if fe := req.Validate(); len(fe) > 0 {
		return nil, invalid(fe)
	}
	opts := models.PlaceOptions{APIKeyID: key.ID}
	if claim != nil {
		opts.IdempotencyKey = claim.Key
	}
	o, err := models.PlaceOrder(ctx, a.db, req, opts, s)
	var fe models.FieldErrors
	var short *models.InsufficientStockError
	switch {
	case errors.As(err, &fe):
		return nil, invalid(fe)
	case errors.As(err, &short):
		return nil, insufficientStock(short)
	case err != nil:
		return nil, err
	}
	return a.finishCheckout(ctx, o, s)
}

// finishCheckout asks the payment provider about a pending order and answers
// 201 (paid, on hold or awaiting a manual payment) or 402 (payment failed).
func (a *API) finishCheckout(ctx context.Context, o *models.Order, s models.StoreSettings) (*OrderOutput, error) {
	if o.Status == models.OrderPendingPayment && o.PaymentProvider != models.ProviderManual {
		check, err := a.payments.VerifyPayment(ctx, o.PaymentProvider, o.PaymentReference, o.TotalCents, o.Currency)
		if err != nil {
			a.log.Warn("payment provider unreachable", "order", o.Number, "provider", o.PaymentProvider, "err", err)
			return nil, problem.New(http.StatusServiceUnavailable, "payment-provider-unavailable",
				"The payment provider did not answer. Retry with the same Idempotency-Key: the stock stays reserved.")
		}
		if o, err = models.ApplyPayment(ctx, a.db, o.ID, check, s); err != nil {
			return nil, err
		}
	}
	if o.Status == models.OrderPaymentFailed {
		body := orderOf(o)
		return nil, problem.New(http.StatusPaymentRequired, "payment-failed", "The payment failed: "+o.PaymentFailure+". The order is kept as payment_failed and nothing is reserved.").
			With("order", body)
	}
	return &OrderOutput{Status: http.StatusCreated, Body: orderOf(o)}, nil
}

func insufficientStock(e *models.InsufficientStockError) *problem.Details {
	lines := make([]StockLine, 0, len(e.Lines))
	var short []string
	for _, l := range e.Lines {
		lines = append(lines, StockLine{SKU: l.SKU, Requested: l.Requested, Available: l.Available, Alternatives: alternatives(l.Alternatives)})
		if l.Available < l.Requested {
			short = append(short, fmt.Sprintf("%s (%d of %d)", l.SKU, l.Available, l.Requested))
		}
	}
	return problem.New(http.StatusConflict, "insufficient-stock",
		"Not enough stock for "+strings.Join(short, ", ")+". Nothing was reserved.").With("lines", lines)
}
