package feed

import (
	"io"
	"math"
	"testing"
	"time"
)

// BenchmarkCSV1M parses a generated 1,000,000-row CSV feed (sku, quantity,
// cost, title) that arrives through a pipe, as from a download. It reports
// rows/s and the peak live heap during the parse.
func BenchmarkCSV1M(b *testing.B) {
	const rows = 1_000_000
	m := Mapping{Format: FormatCSV, HeaderRow: true, Currency: "USD",
		Fields: Fields{SKU: "sku", Quantity: "quantity", Cost: "cost", Title: "title"}}
	b.ReportAllocs()
	var peak uint64
	var elapsed time.Duration
	for b.Loop() {
		pr, pw := io.Pipe()
		go func() {
			_, err := io.Copy(pw, &csvGenerator{size: math.MaxInt64, maxRows: rows, pending: []byte("sku,quantity,cost,title\n")})
			pw.CloseWithError(err)
		}()
		sampler := startHeapSampler()
		start := time.Now()
		rr, err := Open(pr, "bench.csv", m)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		elapsed += time.Since(start)
		peak = max(peak, sampler.Stop())
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
