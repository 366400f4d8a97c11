package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// FuzzRecord maps arbitrary JSON items: never a panic, and a record that comes
// out has a SKU and a quantity of zero or more.
func FuzzRecord(f *testing.F) {
	f.Add([]byte(`{"id":"SUP-1","stock":{"available":3},"pricing":[{"amount":"1.50","currency":"usd"}],"lead":2,"status":"active","seen":"2026-11-27T14:00:00Z"}`))
	f.Add([]byte(`{"id":12,"stock":{"available":"1e3"},"pricing":[{"amount":1e400}]}`))
	f.Add([]byte(`{"id":"x","stock":{"available":-1}}`))
	f.Add([]byte(`[1,2,3]`))
	cfg := Config{URL: "http://127.0.0.1/", Pagination: Pagination{Kind: PageNone}, ItemsPath: "[]", Fields: mapping()}
	r, err := NewReader(context.Background(), cfg, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var item any
		if dec.Decode(&item) != nil {
			return
		}
		rec, err := r.record(item)
		if err != nil {
			return
		}
		if rec.SKU == "" || rec.Quantity < 0 || (rec.CostCents != nil && *rec.CostCents < 0) {
			t.Fatalf("accepted %s as %+v", data, rec)
		}
	})
}

// FuzzParsePath: any path either is refused or can be followed without a panic.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"data.items", "a[0][1].b", "a..b", "[3]", "a[", "x]y", ""} {
		f.Add(s)
	}
	doc := map[string]any{"a": []any{[]any{"x", map[string]any{"b": "y"}}}, "data": map[string]any{"items": []any{}}}
	f.Fuzz(func(t *testing.T, p string) {
		steps, err := parsePath(p)
		if err != nil {
			return
		}
		_, _ = lookup(doc, steps)
	})
}
