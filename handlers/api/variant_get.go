package api

import (
	"context"
	"errors"
	"net/http"

	"dropship/handlers/problem"
	"dropship/models"
)

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
	zones, err := a.zones.get(ctx)
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
