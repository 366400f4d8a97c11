package api

import (
	"context"

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
	zones, err := a.zones.get(ctx)
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
