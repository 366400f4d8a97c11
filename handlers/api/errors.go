package api

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"dropship/handlers/problem"
	"dropship/models"
)

// toProblem rewrites huma's own errors (validation, malformed JSON, size)
// into the contract's problem shape: errors as {field, message}.
func toProblem(_ huma.Context, _ string, v any) (any, error) {
	em, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	p := problem.New(em.Status, problemSlug(em.Status), em.Detail)
	for _, d := range em.Errors {
		field, msg := strings.TrimPrefix(d.Location, "body."), d.Message
		if field == "body" {
			field = ""
		}
		if msg == "unexpected property" {
			msg = "is not a known field"
		}
		p.Errors = append(p.Errors, problem.FieldError{Field: field, Message: msg})
	}
	if em.Status == http.StatusBadRequest && len(p.Errors) > 0 {
		p.Detail = "The body is not valid JSON: " + p.Errors[0].Message
		p.Errors = nil
	}
	if em.Status == http.StatusUnprocessableEntity && p.Detail == "validation failed" {
		p.Detail = "Some fields are invalid; see errors."
	}
	return p, nil
}

func problemSlug(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad-request"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusRequestEntityTooLarge:
		return "body-too-large"
	case http.StatusUnsupportedMediaType:
		return "unsupported-media-type"
	case http.StatusUnprocessableEntity:
		return "validation-failed"
	}
	return ""
}

// invalid turns model field errors into a 422 problem.
func invalid(fe models.FieldErrors) *problem.Details {
	p := problem.New(http.StatusUnprocessableEntity, "validation-failed", "Some fields are invalid; see errors.")
	for _, f := range sortedKeys(fe) {
		p.Errors = append(p.Errors, problem.FieldError{Field: f, Message: fe[f]})
	}
	return p
}

func sortedKeys(fe models.FieldErrors) []string {
	return slices.Sorted(maps.Keys(fe))
}

// problemResponses documents the error responses of an operation with the problem schema.
func problemResponses(r huma.Registry, codes ...int) map[string]*huma.Response {
	schema := r.Schema(problemSchemaType, true, "Problem")
	out := map[string]*huma.Response{}
	for _, code := range append([]int{http.StatusUnauthorized, http.StatusTooManyRequests}, codes...) {
		out[strconv.Itoa(code)] = &huma.Response{
			Description: http.StatusText(code),
			Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: schema}},
		}
	}
	return out
}

// problemDoc is the problem document as the OpenAPI describes it, with the
// extension members some problems carry.
type problemDoc struct {
	Type   string               `json:"type" doc:"A URI naming the kind of problem; the last segment is stable (e.g. insufficient-stock)."`
	Title  string               `json:"title"`
	Status int                  `json:"status"`
	Detail string               `json:"detail,omitempty"`
	Errors []problem.FieldError `json:"errors,omitempty" doc:"422: one entry per invalid field, named by its JSON path (lines[0].quantity)."`
	Lines  []StockLine          `json:"lines,omitempty" doc:"409 insufficient-stock: every line of the order with what the pool holds and what could be taken instead."`
	Order  *Order               `json:"order,omitempty" doc:"402 payment-failed: the order, kept with status payment_failed."`
}

var problemSchemaType = reflect.TypeOf(problemDoc{})
