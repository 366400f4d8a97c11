package api

import (
	"context"
	"errors"
	"net/http"

	"dropship/handlers/problem"
	"dropship/models"
)

// PageInput is keyset pagination.
type PageInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
	Cursor string `query:"cursor" doc:"The next_cursor of the previous page."`
}

// ListProductsInput asks for a page of products.
type ListProductsInput struct {
	PageInput
	Country string `query:"country" pattern:"^[A-Z]{2}$" doc:"Destination for delivery estimates; the store's default country when absent."`
}

// ProductPage is one page of products.
type ProductPage struct {
	Body struct {
		Items      []Product `json:"items"`
		NextCursor *string   `json:"next_cursor" nullable:"true"`
	}
}

// listProducts pages through the sellable catalog.
func (a *API) listProducts(ctx context.Context, in *ListProductsInput) (*ProductPage, error) {
	after, ok := decodeCursor("p", in.Cursor)
	if !ok {
		return nil, invalid(models.FieldErrors{"cursor": "is not a cursor this API gave"})
	}
	s, err := a.settings.get(ctx)
	if err != nil {
		return nil, err
	}
	country := in.Country
	if country == "" {
		country = s.DefaultCountry
	} else if !models.ValidCountry(country) {
		return nil, invalid(models.FieldErrors{"country": "must be an ISO 3166-1 alpha-2 country code"})
	}
	zones, err := models.LoadShippingZones(ctx, a.db)
	if err != nil {
		return nil, err
	}
	products, more, err := models.ListSellableProducts(ctx, a.db, zones, after, in.Limit, country)
	if err != nil {
		return nil, err
	}
	out := &ProductPage{}
	out.Body.Items = make([]Product, 0, len(products))
	for _, p := range products {
		item := Product{ID: productID(p.ID), Title: p.Title, Handle: p.Handle, Variants: make([]Variant, 0, len(p.Variants))}
		for _, v := range p.Variants {
			item.Variants = append(item.Variants, variantOf(v))
		}
		out.Body.Items = append(out.Body.Items, item)
	}
	if more {
		out.Body.NextCursor = encodeCursor("p", products[len(products)-1].ID)
	}
	return out, nil
}

// GetVariantInput names a variant.
type GetVariantInput struct {
	SKU     string `path:"sku" maxLength:"64"`
	Country string `query:"country" pattern:"^[A-Z]{2}$" doc:"Destination for the delivery estimate."`
}

// VariantOutput is one variant with its product.
type VariantOutput struct {
	Body struct {
		Variant
		ProductID string `json:"product_id"`
	}
}

// getVariant answers one SKU's availability.
func (a *API) getVariant(ctx context.Context, in *GetVariantInput) (*VariantOutput, error) {
	s, err := a.settings.get(ctx)
	if err != nil {
		return nil, err
	}
	country := in.Country
	if country == "" {
		country = s.DefaultCountry
	}
	zones, err := models.LoadShippingZones(ctx, a.db)
	if err != nil {
		return nil, err
	}
	v, err := models.GetSellableVariant(ctx, a.db, zones, in.SKU, country)
	if errors.Is(err, models.ErrNotFound) {
		return nil, problem.New(http.StatusNotFound, "not-found", "No variant is sold under SKU "+in.SKU+".")
	}
	if err != nil {
		return nil, err
	}
	out := &VariantOutput{}
	out.Body.Variant = variantOf(*v)
	out.Body.ProductID = productID(v.ProductID)
	return out, nil
}

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
	q, err := models.QuoteLines(ctx, a.db, lines, in.Body.ShipTo.Country, s)
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
