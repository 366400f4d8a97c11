package feed_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"
	"time"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/sandbox"
)

// The sandbox supplier's CSV and XML feeds read back item for item with the
// mappings a merchant would set up for them.
func TestSandboxFeedsParse(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	items := sandbox.NewCatalog("acme", 7, 500, "USD", now).Snapshot().Items
	csvMapping := feed.Mapping{Format: feed.FormatCSV, HeaderRow: true, Fields: feed.Fields{
		SKU: "sku", Quantity: "quantity", Cost: "cost", Currency: "currency", LeadTimeDays: "lead_time_days",
		Discontinued: "discontinued", Barcode: "barcode", Title: "title"}}
	xmlMapping := feed.Mapping{Format: feed.FormatXML, ItemPath: "inventory/item", Fields: feed.Fields{
		SKU: "sku", Quantity: "quantity", Cost: "cost", Currency: "cost/@currency", LeadTimeDays: "lead_time_days",
		Discontinued: "discontinued", Barcode: "barcode", Title: "title"}}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(sandbox.RenderCSV(items))
	_ = zw.Close()
	cases := []struct {
		name string
		data []byte
		m    feed.Mapping
	}{
		{"stock.csv", sandbox.RenderCSV(items), csvMapping},
		{"stock.csv.gz", gz.Bytes(), csvMapping},
		{"stock.xml", sandbox.RenderXML("acme", items, now), xmlMapping},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rr, err := feed.Open(bytes.NewReader(tc.data), tc.name, tc.m)
			if err != nil {
				t.Fatal(err)
			}
			i := 0
			for ; ; i++ {
				rec, err := rr.Next()
				if err == io.EOF {
					break
				}
				var re *suppliers.RowError
				if errors.As(err, &re) || err != nil {
					t.Fatalf("item %d: %v", i, err)
				}
				it := items[i]
				if rec.SKU != it.SKU || rec.Quantity != it.Quantity || rec.CostCents == nil || *rec.CostCents != it.CostCents ||
					rec.Currency != it.Currency || rec.LeadTimeDays == nil || *rec.LeadTimeDays != it.LeadTimeDays ||
					rec.Discontinued != it.Discontinued || rec.Barcode != it.Barcode || rec.Title != it.Title {
					t.Fatalf("item %d\n got %+v\nwant %+v", i, rec, it)
				}
			}
			if i != len(items) {
				t.Errorf("%d records, the sandbox has %d items", i, len(items))
			}
		})
	}
}
