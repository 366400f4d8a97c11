package api

import (
	"context"
	"errors"
	"net/http"

	"dropship/handlers/problem"
	"dropship/models"
)

// GetOrderInput names an order.
type GetOrderInput struct {
	ID string `path:"id" maxLength:"64"`
}

// getOrder answers one order of this key.
func (a *API) getOrder(ctx context.Context, in *GetOrderInput) (*OrderOutput, error) {
	o, err := a.loadOrder(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &OrderOutput{Status: http.StatusOK, Body: orderOf(o)}, nil
}

func (a *API) loadOrder(ctx context.Context, publicID string) (*models.Order, error) {
	o, err := models.GetOrderByPublicID(ctx, a.db, apiKeyFrom(ctx).ID, publicID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, problem.New(http.StatusNotFound, "not-found", "No order "+publicID+" was placed with this API key.")
	}
	return o, err
}
