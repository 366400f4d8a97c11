// Package problem writes RFC 9457 problem+json responses for the JSON API
// and the error handler.
package problem

import (
	"encoding/json"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// TypeBase prefixes every problem type URI.
const TypeBase = "https://dropship.dev/problems/"

// FieldError names one invalid field of a request body.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Details is an RFC 9457 problem document; Extra holds extension members.
type Details struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Errors []FieldError   `json:"errors,omitempty"`
	Extra  map[string]any `json:"-"`
}

// New returns a problem of the given slug ("insufficient-stock") and status.
func New(status int, slug, detail string) *Details {
	t := "about:blank"
	if slug != "" {
		t = TypeBase + slug
	}
	return &Details{Type: t, Title: http.StatusText(status), Status: status, Detail: detail}
}

// Error lets a problem travel as an error to the error handler.
func (d *Details) Error() string { return d.Title + ": " + d.Detail }

// MarshalJSON merges the extension members into the document.
func (d *Details) MarshalJSON() ([]byte, error) {
	type plain Details
	b, err := json.Marshal((*plain)(d))
	if err != nil || len(d.Extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range d.Extra {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Write sends d as application/problem+json.
func Write(c *fiber.Ctx, d *Details) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.Status(d.Status).Send(b)
}

// GetStatus is the HTTP status, for huma.
func (d *Details) GetStatus() int { return d.Status }

// ContentType makes huma send problems as application/problem+json.
func (d *Details) ContentType(string) string { return "application/problem+json" }

// With adds an extension member (e.g. "lines") and returns d.
func (d *Details) With(name string, value any) *Details {
	if d.Extra == nil {
		d.Extra = map[string]any{}
	}
	d.Extra[name] = value
	return d
}
