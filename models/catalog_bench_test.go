package models_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"dropship/models"
	"dropship/models/catalogtest"
	"dropship/models/dbtest"
)

// BenchmarkCatalogSearch runs the catalog page's queries (the list and its
// counts) over 100,000 variants and 300,000 offers and reports p50/p95.
func BenchmarkCatalogSearch(b *testing.B) {
	db := dbtest.New(b)
	catalogtest.FillBigCatalog(b, db)
	ctx := context.Background()
	_, next, _ := models.SearchCatalog(ctx, db, models.CatalogFilter{Sort: "price", Desc: true})
	filters := []models.CatalogFilter{
		{},
		{Query: "linen"},
		{Query: "merino beanie"},
		{Query: "SKU-4242"},
		{Query: "0000000033941"},
		{Stock: models.StockLow},
		{Stock: models.StockOut, CategoryID: 3},
		{Stock: models.StockUnmapped},
		{Sort: "price", Desc: true},
		{Sort: "price", Desc: true, After: next},
		{Sort: "available", Desc: true},
		{Sort: "sku"},
		{Sort: "updated", Desc: true},
		{Status: "draft"},
		{Query: "shirt", Sort: "price"},
	}
	var times []time.Duration
	perFilter := make([]time.Duration, len(filters))
	b.ResetTimer()
	for range b.N {
		for round := 0; round < 10; round++ {
			for fi, f := range filters {
				start := time.Now()
				if _, _, err := models.SearchCatalog(ctx, db, f); err != nil {
					b.Fatal(err)
				}
				if f.After == "" && f.Query == "" { // a full page also shows the counts
					if _, err := models.CountCatalog(ctx, db); err != nil {
						b.Fatal(err)
					}
				}
				times = append(times, time.Since(start))
				perFilter[fi] = max(perFilter[fi], time.Since(start))
			}
		}
	}
	b.StopTimer()
	for i, f := range filters {
		b.Logf("slowest %6.1f ms: %+v", float64(perFilter[i].Microseconds())/1000, f)
	}
	reportPercentiles(b, times)
}

func reportPercentiles(b *testing.B, times []time.Duration) {
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	pct := func(p float64) float64 {
		return float64(times[int(p*float64(len(times)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(0, "ns/op")
}

// csvGenerator streams a Shopify CSV of n variants (8 per product) without
// holding it in memory.
type csvGenerator struct {
	n, row int
	buf    []byte
}

func (g *csvGenerator) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.row > g.n {
			return 0, io.EOF
		}
		if g.row == 0 {
			g.buf = []byte("Handle,Title,Body (HTML),Vendor,Product Category,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Grams,Variant Price,Variant Barcode,Status\n")
		} else {
			i := g.row - 1
			prod, v := i/8, i%8
			size, colour := []string{"S", "M", "L", "XL"}[v%4], []string{"Navy", "Sand"}[v/4]
			if v == 0 {
				g.buf = fmt.Appendf(nil, "bulk-product-%d,Bulk Product %d,<p>Made in bulk</p>,Bulk Co,,Size,%s,Colour,%s,BULK-%d-%s-%s,250,%d.99,%013d,active\n",
					prod, prod, size, colour, prod, size, colour, 10+prod%90, i)
			} else {
				g.buf = fmt.Appendf(nil, "bulk-product-%d,,,,,,%s,,%s,BULK-%d-%s-%s,250,%d.99,%013d,\n", prod, size, colour, prod, size, colour, 10+prod%90, i)
			}
		}
		g.row++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// BenchmarkCatalogImport100k uploads, previews and applies a 100,000-row
// catalog CSV and reports the time of each step and the peak heap in use.
func BenchmarkCatalogImport100k(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		db := dbtest.New(b)
		size, _ := io.Copy(io.Discard, &csvGenerator{n: 100000})
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		imp, err := models.StoreCatalogImport(ctx, db, nil, "bulk.csv", size, &csvGenerator{n: 100000})
		if err != nil {
			b.Fatal(err)
		}
		stored := time.Since(start)
		if err := models.ParseCatalogImport(ctx, db, imp.ID); err != nil {
			b.Fatal(err)
		}
		previewed := time.Since(start)
		imp, err = models.ApplyCatalogImport(ctx, db, nil, imp.ID)
		if err != nil {
			b.Fatal(err)
		}
		applied := time.Since(start)
		b.StopTimer()
		close(stop)
		if imp.RowsCreate != 100000 || imp.RowsError != 0 {
			b.Fatalf("import: %+v", imp)
		}
		var n int64
		db.Raw("SELECT count(*) FROM variants").Scan(&n)
		if n != 100000 {
			b.Fatalf("%d variants after apply", n)
		}
		b.ReportMetric(float64(size)/(1<<20), "file-MB")
		b.ReportMetric(stored.Seconds(), "upload-s")
		b.ReportMetric(previewed.Seconds(), "preview-s")
		b.ReportMetric(applied.Seconds(), "total-s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	}
}
