package api

import (
	"context"

	"dropship/models"
)

// ListOrdersInput filters orders by the storefront's id.
type ListOrdersInput struct {
	ExternalID string `query:"external_id" required:"true" maxLength:"255"`
	PageInput
}

// OrderPage is a list of orders.
type OrderPage struct {
	Body struct {
		Items      []Order `json:"items"`
		NextCursor *string `json:"next_cursor" nullable:"true"`
	}
}

// listOrders finds the key's orders with an external id.
func (a *API) listOrders(ctx context.Context, in *ListOrdersInput) (*OrderPage, error) {
	before, ok := decodeCursor("o", in.Cursor)
	if !ok {
		return nil, invalid(models.FieldErrors{"cursor": "is not a cursor this API gave"})
	}
	orders, err := models.ListOrdersByExternalID(ctx, a.db, apiKeyFrom(ctx).ID, in.ExternalID, before, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &OrderPage{}
	if len(orders) > in.Limit {
		orders = orders[:in.Limit]
		out.Body.NextCursor = encodeCursor("o", orders[len(orders)-1].ID)
	}
	out.Body.Items = make([]Order, 0, len(orders))
	for i := range orders {
		out.Body.Items = append(out.Body.Items, orderOf(&orders[i]))
	}
	return out, nil
}
