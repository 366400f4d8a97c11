package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// register lists every operation of the API; paths are relative to /api/v1.
func (a *API) register(api huma.API) {
	r := api.OpenAPI().Components.Schemas
	op := func(id, method, path, summary string, status int, errs ...int) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, DefaultStatus: status,
			MaxBodyBytes: MaxBodyBytes, Responses: problemResponses(r, errs...)}
	}
	huma.Register(api, op("list-products", http.MethodGet, "/products",
		"Active products with their variants, pool and delivery estimate", 200, 422), a.listProducts)
	huma.Register(api, op("get-variant", http.MethodGet, "/variants/{sku}",
		"One variant by SKU", 200, 404), a.getVariant)
	huma.Register(api, op("create-quote", http.MethodPost, "/quotes",
		"Price lines for an address and say what is available; reserves nothing", 200, 400, 413, 415, 422), a.createQuote)
	huma.Register(api, op("create-order", http.MethodPost, "/orders",
		"Place an order: stock is reserved for every line in one transaction, or nothing is", 201,
		400, 402, 409, 413, 415, 422, 503), a.createOrder)
	huma.Register(api, op("list-orders", http.MethodGet, "/orders",
		"Orders placed with this key, by external id", 200, 422), a.listOrders)
	huma.Register(api, op("get-order", http.MethodGet, "/orders/{id}",
		"One order placed with this key", 200, 404), a.getOrder)
	huma.Register(api, op("cancel-order", http.MethodPost, "/orders/{id}/cancel",
		"Cancel an order that has not shipped; its stock goes back to the pool", 200, 404, 409), a.cancelOrder)
}
