package api

import (
	"context"
	"errors"

	"dropship/models"
)

// QuoteInput is the lines to price and where they would ship.
type QuoteInput struct {
	Body struct {
		Lines  []LineIn `json:"lines" doc:"Lines of the same SKU are added together."`
		ShipTo struct {
			Country    string `json:"country" example:"US"`
			PostalCode string `json:"postal_code,omitempty"`
		} `json:"ship_to"`
	}
}

// QuoteLine is a priced line with what can be had.
type QuoteLine struct {
	SKU              string            `json:"sku"`
	Quantity         int               `json:"quantity"`
	Available        int64             `json:"available"`
	Status           string            `json:"status" enum:"available,partial,unavailable"`
	DeliveryEstimate *DeliveryEstimate `json:"delivery_estimate,omitempty" doc:"Absent when no offer can ship."`
	Alternatives     []Alternative     `json:"alternatives" doc:"For partial and unavailable lines: other variants of the product in stock first, then in-stock products of the same category by closeness of price."`
}

// QuoteOutput is a quote.
type QuoteOutput struct {
	Body struct {
		Lines    []QuoteLine `json:"lines"`
		Subtotal Money       `json:"subtotal"`
		Shipping Money       `json:"shipping"`
		Total    Money       `json:"total"`
	}
}

// createQuote prices lines without reserving anything.
func (a *API) createQuote(ctx context.Context, in *QuoteInput) (*QuoteOutput, error) {
	s, err := a.settings.get(ctx)
	if err != nil {
		return nil, err
	}
	lines := make([]models.CheckoutLine, len(in.Body.Lines))
	for i, l := range in.Body.Lines {
		lines[i] = models.CheckoutLine{SKU: l.SKU, Quantity: l.Quantity}
	}
	zones, err := a.zones.get(ctx)
	if err != nil {
		return nil, err
	}
	q, err := models.QuoteLines(ctx, a.db, zones, lines, in.Body.ShipTo.Country, s)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return nil, invalid(fe)
	}
	if err != nil {
		return nil, err
	}
	out := &QuoteOutput{}
	out.Body.Lines = make([]QuoteLine, 0, len(q.Lines))
	for _, l := range q.Lines {
		out.Body.Lines = append(out.Body.Lines, QuoteLine{SKU: l.SKU, Quantity: l.Quantity, Available: l.Available, Status: l.Status,
			DeliveryEstimate: estimate(l.Estimate), Alternatives: alternatives(l.Alternatives)})
	}
	out.Body.Subtotal, out.Body.Shipping, out.Body.Total = money(q.SubtotalCents, q.Currency), money(q.ShippingCents, q.Currency), money(q.TotalCents, q.Currency)
	return out, nil
}
