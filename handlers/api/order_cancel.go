package api

import (
	"context"
	"errors"
	"net/http"

	"dropship/handlers/problem"
	"dropship/models"
)

// cancelOrder cancels an order that has not shipped.
func (a *API) cancelOrder(ctx context.Context, in *GetOrderInput) (*OrderOutput, error) {
	o, err := a.loadOrder(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	o, err = models.CancelOrder(ctx, a.db, o.ID, "storefront", "cancelled through the API")
	if errors.Is(err, models.ErrNotCancellable) {
		return nil, problem.New(http.StatusConflict, "not-cancellable", "The order has shipped and can no longer be cancelled.")
	}
	if err != nil {
		return nil, err
	}
	return &OrderOutput{Status: http.StatusOK, Body: orderOf(o)}, nil
}
