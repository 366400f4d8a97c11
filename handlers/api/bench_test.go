package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"dropship/models"
	"dropship/models/dbtest"
)

// seedBenchCatalog makes 1,000 variants (100 products of 10) with one offer
// each of a billion units, so the load measures checkout, not stock-outs.
func seedBenchCatalog(b *testing.B, db *gorm.DB) {
	b.Helper()
	for _, q := range []string{
		`INSERT INTO categories (name) VALUES ('Bench')`,
		`INSERT INTO products (handle, title, category_id) SELECT 'bench-' || g, 'Bench ' || g, (SELECT id FROM categories) FROM generate_series(1, 100) g`,
		`INSERT INTO variants (product_id, sku, options, price_cents, currency)
			SELECT p.id, 'B-' || lpad(g::text, 4, '0'), jsonb_build_object('n', g::text), 1000 + g, 'USD'
			FROM generate_series(1, 1000) g JOIN products p ON p.handle = 'bench-' || ((g - 1) / 10 + 1)`,
		`INSERT INTO suppliers (code, name, connection_kind, ships_from_country) VALUES ('BENCH', 'Bench', 'email', 'US')`,
		`INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity)
			SELECT (SELECT id FROM suppliers), v.id, 'S-' || v.sku, 1000000000 FROM variants v`,
	} {
		if err := db.Exec(q).Error; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckoutThroughput: 64 concurrent clients place 1-3 line orders
// over 1,000 variants through the HTTP API for 10 s; then pgbench runs the same
// SQL transaction (PlaceOrder's statement) with 64 clients on the same
// database for 10 s.
func BenchmarkCheckoutThroughput(b *testing.B) {
	const clients, duration = 64, 10 * time.Second
	url := dbtest.NewURL(b)
	db := dbtest.Open(b, url)
	seedBenchCatalog(b, db)
	s := newAPIServerOn(b, db, Config{RatePerSecond: 1e6, Burst: 1e6})
	for range b.N {
		var mu sync.Mutex
		var latencies []time.Duration
		failures := 0
		deadline := time.Now().Add(duration)
		start := time.Now()
		var wg sync.WaitGroup
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
				var mine []time.Duration
				bad := 0
				for i := 0; time.Now().Before(deadline); i++ {
					var lines []map[string]any
					for _, v := range rand.Perm(1000)[:1+rand.IntN(3)] {
						lines = append(lines, map[string]any{"sku": fmt.Sprintf("B-%04d", v+1), "quantity": 1 + rand.IntN(2)})
					}
					body, _ := json.Marshal(map[string]any{
						"customer": map[string]any{"email": fmt.Sprintf("c%d@example.com", c), "name": "Bench"},
						"ship_to":  map[string]any{"name": "Bench", "line1": "1 Main St", "city": "Springfield", "country": "US"},
						"lines":    lines, "payment": map[string]any{"provider": "manual"},
					})
					req, _ := http.NewRequest("POST", s.url+"/api/v1/orders", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+s.key)
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d-%d", time.Now().UnixNano(), c, i))
					t0 := time.Now()
					res, err := client.Do(req)
					if err != nil {
						bad++
						continue
					}
					res.Body.Close()
					if res.StatusCode != 201 {
						bad++
						continue
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				latencies = append(latencies, mine...)
				failures += bad
				mu.Unlock()
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(latencies)
		if len(latencies) == 0 {
			b.Fatalf("no order succeeded (%d failures)", failures)
		}
		ordersPerSec := float64(len(latencies)) / elapsed.Seconds()
		p50 := latencies[len(latencies)/2]
		p99 := latencies[len(latencies)*99/100]
		tps := pgbenchPlaceOrder(b, url, clients, duration)
		b.ReportMetric(ordersPerSec, "orders/s")
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(tps, "pgbench-tps")
		b.ReportMetric(ordersPerSec/tps, "ratio")
		b.Logf("API: %d orders in %s = %.0f orders/s, p50 %s, p99 %s, %d failures; pgbench same transaction: %.0f tps; ratio %.2f",
			len(latencies), elapsed.Round(time.Millisecond), ordersPerSec, p50, p99, failures, tps, ordersPerSec/tps)
	}
}

// pgbenchValues stand in for PlaceOrder's parameters: a two-line manual
// order over two random variants of the 1,000.
var pgbenchValues = map[string]string{
	"public_id": "'ord_pgb_' || md5(random()::text)", "api_key_id": "NULL", "external_id": "''",
	"email": "'pgbench@example.com'", "name": "'Bench'", "phone": "''", "ship_name": "'Bench'", "line1": "'1 Main St'",
	"line2": "''", "city": "'Springfield'", "region": "''", "postal": "''", "country": "'US'", "currency": "'USD'",
	"subtotal": "2000", "shipping": "599", "total": "2599", "provider": "'manual'", "reference": "''",
	"notify_email": "true", "notify_sms": "false", "hold": "now() + interval '30 minutes'", "now": "now()",
	"line_nos": "ARRAY[1, 2]", "variant_ids": "ARRAY[:v1, :v2]", "skus": "ARRAY['X', 'Y']", "titles": "ARRAY['Bench', 'Bench']",
	"options": "ARRAY['{}', '{}']", "quantities": "ARRAY[1, 1]", "prices": "ARRAY[1000, 1000]", "message": "'placed'",
	"idempotency_key": "''",
}

var sqlParam = regexp.MustCompile(`@(\w+)`)

// placeOrderScript is PlaceOrder's statement itself, with literal values, as a pgbench script.
func placeOrderScript(b *testing.B) string {
	var missing []string
	stmt := sqlParam.ReplaceAllStringFunc(models.PlaceOrderSQL, func(m string) string {
		v, ok := pgbenchValues[m[1:]]
		if !ok {
			missing = append(missing, m)
		}
		return v
	})
	if len(missing) > 0 {
		b.Fatalf("no pgbench value for %v", missing)
	}
	return "\\set v1 random(:base, :base + 999)\n\\set v2 random(:base, :base + 999)\n" + strings.TrimSpace(stmt) + ";\n"
}

var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbenchPlaceOrder runs the transaction with pgbench and returns its tps.
func pgbenchPlaceOrder(b *testing.B, url string, clients int, d time.Duration) float64 {
	b.Helper()
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
		if len(matches) == 0 {
			b.Fatal("pgbench not found: install the postgresql package")
		}
		bin = matches[len(matches)-1]
	}
	var base int64
	db := dbtest.Open(b, url)
	if err := db.Raw("SELECT min(id) FROM variants").Scan(&base).Error; err != nil {
		b.Fatal(err)
	}
	script := filepath.Join(b.TempDir(), "place_order.sql")
	if err := os.WriteFile(script, []byte(placeOrderScript(b)), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), bin, "-n", "-c", strconv.Itoa(clients), "-j", "2",
		"-T", strconv.Itoa(int(d.Seconds())), "-D", "base="+strconv.FormatInt(base, 10), "-f", script, url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := pgbenchTPS.FindSubmatch(out)
	if m == nil {
		b.Fatalf("pgbench printed no tps:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return tps
}
