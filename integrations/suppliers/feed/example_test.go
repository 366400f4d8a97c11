package feed_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/feed"
)

// A supplier's mapping as stored in JSON, and its feed read as a stream.
func ExampleOpen() {
	var m feed.Mapping
	stored := `{"format":"csv","delimiter":";","header_row":true,"currency":"EUR",
		"fields":{"sku":"Artikel","quantity":"Bestand","cost":"Preis"}}`
	if err := json.Unmarshal([]byte(stored), &m); err != nil {
		panic(err)
	}
	file := "Artikel;Bestand;Preis\nA-1;12;9,95\nB-2;-1;3,50\n"
	rr, err := feed.Open(strings.NewReader(file), "lager.csv", m)
	if err != nil {
		panic(err)
	}
	for {
		rec, err := rr.Next()
		var rowErr *suppliers.RowError
		switch {
		case err == io.EOF:
			return
		case errors.As(err, &rowErr):
			fmt.Println("rejected:", rowErr)
		case err != nil:
			fmt.Println("feed refused:", err)
			return
		default:
			fmt.Println(rec.Line, rec.SKU, rec.Quantity, *rec.CostCents, rec.Currency)
		}
	}
	// Output:
	// 2 A-1 12 995 EUR
	// rejected: line 3: the quantity "-1" is negative (column "Bestand")
}
