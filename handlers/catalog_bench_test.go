package handlers

import (
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"

	"dropship/models"
	"dropship/models/catalogtest"
)

// BenchmarkCatalogPageHTTP requests the catalog page (list, counts, render,
// session and CSRF) over loopback HTTP on 100,000 variants and 300,000 offers
// and reports the server's p50/p95.
func BenchmarkCatalogPageHTTP(b *testing.B) {
	a := newTestApp(b)
	catalogtest.FillBigCatalog(b, a.DB)
	br, _ := a.signedIn(models.RoleViewer)
	paths := []string{"/catalog", "/catalog?q=linen", "/catalog?q=SKU-4242", "/catalog?stock=low", "/catalog?stock=out&category=3",
		"/catalog?stock=unmapped", "/catalog?sort=price&dir=desc", "/catalog?sort=available&dir=desc", "/catalog?sort=sku",
		"/catalog?status=draft", "/catalog?q=" + url.QueryEscape("merino beanie")}
	var times []time.Duration
	slowest := map[string]time.Duration{}
	b.ResetTimer()
	for range b.N {
		for round := 0; round < 10; round++ {
			for _, p := range paths {
				start := time.Now()
				res := br.get(p)
				times = append(times, time.Since(start))
				slowest[p] = max(slowest[p], time.Since(start))
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", p, res.StatusCode)
				}
			}
		}
	}
	b.StopTimer()
	for _, p := range paths {
		b.Logf("slowest %6.1f ms  %s", float64(slowest[p].Microseconds())/1000, p)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	pct := func(p float64) float64 { return float64(times[int(p*float64(len(times)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(0, "ns/op")
}
