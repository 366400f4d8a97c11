package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"dropship/models"
)

// FuzzOrderDecoder feeds arbitrary bodies through the order decoder: strict
// JSON (unknown fields refused, as the API does), the body → request
// conversion, normalisation and validation. It must never panic, and a
// request that validates must be one the checkout can take.
func FuzzOrderDecoder(f *testing.F) {
	for _, seed := range []string{
		`{"external_id":"shop-1042","customer":{"email":"ada@example.com","name":"Ada Lovelace","phone":"+14155550100"},"ship_to":{"name":"Ada","line1":"1 Main St","city":"Springfield","region":"CA","postal_code":"94107","country":"US"},"lines":[{"sku":"TEE-RED-M","quantity":2}],"payment":{"provider":"stripe","reference":"pi_123"},"notify":{"email":true,"sms":false}}`,
		`{"customer":{"email":"a@b.co"},"ship_to":{"name":"x","line1":"y","city":"z","country":"de"},"lines":[{"sku":"A","quantity":1},{"sku":"A","quantity":9999},{"sku":" A ","quantity":1}],"payment":{"provider":"manual"}}`,
		`{"lines":[{"sku":"","quantity":-1}],"payment":{"provider":"PAYPAL","reference":"  "}}`,
		`{"customer":{"email":"ä@ß.de","phone":"(415) 555-0100"},"lines":[{"sku":"X","quantity":10001}],"notify":{"sms":true}}`,
		`{"lines":null,"customer":null}`,
		`[]`, `{"unknown":1}`, `{"lines":[{"sku":"\u0000","quantity":1e3}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var body CreateOrderBody
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			return // the API answers 400 or 422 before anything else
		}
		req := body.checkoutRequest()
		fe := req.Validate()
		if len(fe) > 0 {
			for field, msg := range fe {
				if field == "" || msg == "" {
					t.Fatalf("an error without a field or message: %q %q", field, msg)
				}
			}
			return
		}
		seen := map[string]bool{}
		for _, l := range req.Lines {
			if l.SKU == "" || strings.TrimSpace(l.SKU) != l.SKU || l.Quantity < 1 || l.Quantity > models.MaxLineQuantity || seen[l.SKU] {
				t.Fatalf("validated line %+v (seen before: %v)", l, seen[l.SKU])
			}
			seen[l.SKU] = true
		}
		if !models.ValidCountry(req.ShipTo.Country) || req.Customer.Email != strings.ToLower(req.Customer.Email) {
			t.Fatalf("validated request with country %q email %q", req.ShipTo.Country, req.Customer.Email)
		}
		switch req.PaymentProvider {
		case models.ProviderManual, models.ProviderStripe, models.ProviderPayPal:
		default:
			t.Fatalf("validated provider %q", req.PaymentProvider)
		}
	})
}
