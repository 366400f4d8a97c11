package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"dropship/integrations/webhooks/standardwebhooks"
	"dropship/models"
)

// BenchmarkWebhookToAPI measures how long a supplier's signed stock webhook
// takes to show in the storefront API: from sending the POST to the first
// GET /api/v1/variants/{sku} that answers the new quantity, over real
// loopback HTTP, 200 deliveries. Metrics: p50-ms, p95-ms, max-ms.
func BenchmarkWebhookToAPI(b *testing.B) {
	secret := standardwebhooks.NewSecret()
	a := newSyncApp(b, 50, models.KindWebhook, secret)
	key := apiKey(b, a.DB)
	client := &http.Client{Timeout: 10 * time.Second}
	var lat []time.Duration
	for b.Loop() {
		for i := range 200 {
			sku := fmt.Sprintf("ACME-%06d", i%50+1)
			qty := int64(1000 + i)
			now := time.Now()
			body := []byte(fmt.Sprintf(`{"type":"stock.updated","data":{"items":[{"sku":%q,"quantity":%d,"observed_at":%q}]}}`,
				sku, qty, now.UTC().Format(time.RFC3339Nano)))
			req, _ := http.NewRequest(http.MethodPost, a.URL+"/webhooks/suppliers/ACME", bytes.NewReader(body))
			req.Header = secret.Headers(fmt.Sprintf("msg_bench_%d_%d", i, now.UnixNano()), now, body)
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("webhook: %d", res.StatusCode)
			}
			for apiAvailable(b, a.URL, key, "MUG-"+sku) != qty {
				if time.Since(start) > 5*time.Second {
					b.Fatalf("%s never showed %d", sku, qty)
				}
			}
			lat = append(lat, time.Since(start))
		}
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}
