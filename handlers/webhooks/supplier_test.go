package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"dropship/integrations/suppliers/sandbox"
	"dropship/integrations/webhooks/standardwebhooks"
	"dropship/models"
	"dropship/models/dbtest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// receiverApp is the webhook routes on a fresh database, served over loopback.
type receiverApp struct {
	db       *gorm.DB
	url      string
	supplier *models.Supplier
	variants map[string]int64 // supplier SKU -> variant id
}

// newReceiver starts the routes with a supplier CODE whose signing secret is
// secret and an offer of quantity 10 for each of skus (last observed a day ago).
func newReceiver(t *testing.T, code, secret string, now func() time.Time, skus ...string) *receiverApp {
	t.Helper()
	db := dbtest.New(t)
	ctx := context.Background()
	box, _ := models.NewSecretBox(testKey)
	sup, err := models.CreateSupplier(ctx, db, box, nil, models.SupplierInput{Code: code, Name: code, ConnectionKind: models.KindWebhook,
		Secrets: map[string]string{models.SecretSigningSecret: secret}, HandlingDays: 1, ShipsFromCountry: "US", Currency: "USD",
		FeedGuardPct: 50, AllowedLagMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	a := &receiverApp{db: db, supplier: sup, variants: map[string]int64{}}
	if len(skus) > 0 {
		p, err := models.CreateProduct(ctx, db, nil, models.ProductInput{Title: "Goods", OptionNames: []string{"N"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, sku := range skus {
			v, err := models.CreateVariant(ctx, db, nil, p.ID, models.VariantInput{SKU: "V-" + sku, PriceCents: 100, Currency: "USD", Options: models.Options{"N": sku}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.CreateOffer(ctx, db, nil, models.OfferInput{SupplierID: sup.ID, VariantID: v.ID, SupplierSKU: sku, ReportedQuantity: 10, MinQuantity: 1}); err != nil {
				t.Fatal(err)
			}
			a.variants[sku] = v.ID
		}
		db.Exec("UPDATE offers SET observed_at = now() - interval '1 day'")
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	Mount(app, Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Secrets: box, Instance: "test", Now: now})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln) //nolint:errcheck // ends at Shutdown
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	a.url = "http://" + ln.Addr().String()
	return a
}

func (a *receiverApp) post(t *testing.T, path string, h http.Header, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url+path, bytes.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (a *receiverApp) available(t *testing.T, sku string) int64 {
	t.Helper()
	p, err := models.PoolOf(context.Background(), a.db, a.variants[sku])
	if err != nil {
		t.Fatal(err)
	}
	return p.Available
}

func (a *receiverApp) count(t *testing.T, q string) int64 {
	t.Helper()
	var n int64
	a.db.Raw(q).Scan(&n)
	return n
}

// fixtures finds ../shared/fixtures above the repository (or $DROPSHIP_FIXTURES).
func fixtures(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("DROPSHIP_FIXTURES"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for {
		if fi, err := os.Stat(filepath.Join(dir, "shared", "fixtures")); err == nil && fi.IsDir() {
			return filepath.Join(dir, "shared", "fixtures")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("shared/fixtures not found above the package; set DROPSHIP_FIXTURES")
		}
		dir = parent
	}
}

// TestSupplierWebhookStandardVector checks the signature of the Standard
// Webhooks test vector through the route: it verifies as signed, and any
// change to it is a 401.
func TestSupplierWebhookStandardVector(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(fixtures(t), "webhooks", "standard-webhooks-vector.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vec map[string]string
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}
	ts, _ := strconv.ParseInt(vec["webhook-timestamp"], 10, 64)
	a := newReceiver(t, "VECTOR", vec["secret"], func() time.Time { return time.Unix(ts, 0).Add(time.Minute) })
	headers := func(sig string) http.Header {
		h := http.Header{}
		h.Set("webhook-id", vec["webhook-id"])
		h.Set("webhook-timestamp", vec["webhook-timestamp"])
		h.Set("webhook-signature", sig)
		return h
	}
	if status, body := a.post(t, "/webhooks/suppliers/vector", headers(vec["webhook-signature"]), []byte(vec["body"])); status != 200 || !strings.Contains(body, "ignored") {
		t.Errorf("the vector: %d %s, want 200 (signed, not a stock event: ignored)", status, body)
	}
	tampered := strings.Replace(vec["body"], "2432232314", "2432232315", 1)
	if status, _ := a.post(t, "/webhooks/suppliers/vector", headers(vec["webhook-signature"]), []byte(tampered)); status != 401 {
		t.Errorf("a changed body: %d, want 401", status)
	}
	if status, _ := a.post(t, "/webhooks/suppliers/vector", headers("v1,"+strings.Repeat("A", 43)+"="), []byte(vec["body"])); status != 401 {
		t.Errorf("a wrong signature: %d, want 401", status)
	}
}

func stockBody(items ...string) []byte {
	return []byte(`{"type":"stock.updated","data":{"items":[` + strings.Join(items, ",") + `]}}`)
}

func item(sku string, qty int, at time.Time) string {
	return fmt.Sprintf(`{"sku":%q,"quantity":%d,"observed_at":%q}`, sku, qty, at.UTC().Format(time.RFC3339Nano))
}

func TestSupplierWebhookAppliesDedupesAndRefuses(t *testing.T) {
	t.Parallel()
	secret := standardwebhooks.NewSecret()
	a := newReceiver(t, "ACME", secret.String(), nil, "ACME-1", "ACME-2")
	now := time.Now()
	body := stockBody(item("ACME-1", 4, now), item("ACME-2", 7, now), item("ACME-9", 3, now))
	h := secret.Headers("msg_one", now, body)
	status, resp := a.post(t, "/webhooks/suppliers/ACME", h, body)
	if status != 200 || !strings.Contains(resp, `"changed":2`) || !strings.Contains(resp, `"unmapped":1`) {
		t.Fatalf("first delivery: %d %s", status, resp)
	}
	if got := a.available(t, "ACME-1"); got != 4 {
		t.Errorf("pool %d, want 4", got)
	}
	// The same delivery again (a retry): deduplicated.
	if status, resp := a.post(t, "/webhooks/suppliers/ACME", h, body); status != 200 || !strings.Contains(resp, "duplicate") {
		t.Errorf("retry: %d %s", status, resp)
	}
	if n := a.count(t, "SELECT count(*) FROM sync_runs WHERE source = 'webhook'"); n != 1 {
		t.Errorf("%d webhook runs, want 1", n)
	}
	// An older update for a SKU: ignored.
	old := stockBody(item("ACME-1", 99, now.Add(-time.Minute)))
	if status, resp := a.post(t, "/webhooks/suppliers/ACME", secret.Headers("msg_two", now, old), old); status != 200 || !strings.Contains(resp, `"stale":1`) {
		t.Errorf("older update: %d %s", status, resp)
	}
	// Refused, nothing changes: wrong secret, stale timestamp, unknown supplier, missing headers.
	newer := stockBody(item("ACME-1", 50, now.Add(time.Second)))
	cases := []struct {
		name   string
		path   string
		h      http.Header
		status int
	}{
		{"wrong secret", "/webhooks/suppliers/ACME", standardwebhooks.NewSecret().Headers("msg_3", now, newer), 401},
		{"stale timestamp", "/webhooks/suppliers/ACME", secret.Headers("msg_4", now.Add(-6*time.Minute), newer), 401},
		{"future timestamp", "/webhooks/suppliers/ACME", secret.Headers("msg_5", now.Add(6*time.Minute), newer), 401},
		{"no headers", "/webhooks/suppliers/ACME", http.Header{}, 401},
		{"unknown supplier", "/webhooks/suppliers/NOPE", secret.Headers("msg_6", now, newer), 404},
	}
	for _, c := range cases {
		status, resp := a.post(t, c.path, c.h, newer)
		if status != c.status || !strings.Contains(resp, `"status"`) {
			t.Errorf("%s: %d %s, want %d problem+json", c.name, status, resp, c.status)
		}
	}
	if got := a.available(t, "ACME-1"); got != 4 {
		t.Errorf("after refused webhooks the pool says %d, want 4", got)
	}
	if n := a.count(t, "SELECT count(*) FROM webhook_events"); n != 2 {
		t.Errorf("%d deliveries recorded, want 2 (refused ones leave no trace)", n)
	}
	// Not JSON, or a quantity that is not a whole number: 400.
	for _, b := range []string{`{"type":"stock.updated","data":{"items":[{"sku":"ACME-1","quantity":1.5,"observed_at":"2026-01-01T00:00:00Z"}]}}`, `not json`} {
		if status, _ := a.post(t, "/webhooks/suppliers/ACME", secret.Headers("msg_x"+b[:3], now, []byte(b)), []byte(b)); status != 400 {
			t.Errorf("body %q: %d, want 400", b, status)
		}
	}
}

// TestSupplierWebhookFromSandbox: the sandbox supplier's own deliveries,
// good ones applied, wrongly signed and stale ones refused.
func TestSupplierWebhookFromSandbox(t *testing.T) {
	t.Parallel()
	secret := standardwebhooks.NewSecret()
	var skus []string
	for i := 1; i <= 20; i++ {
		skus = append(skus, fmt.Sprintf("LIMA-%06d", i))
	}
	a := newReceiver(t, "LIMA", secret.String(), nil, skus...)
	start := func(f sandbox.Faults) *sandbox.Supplier {
		sb, err := sandbox.New(sandbox.Config{Code: "lima", Seed: 3, SKUs: 20, WebhookURL: a.url, WebhookSecret: secret,
			WebhookBackoff: 20 * time.Millisecond, Faults: f})
		if err != nil {
			t.Fatal(err)
		}
		if err := sb.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sb.Close() })
		return sb
	}
	good := start(sandbox.Faults{})
	if _, err := good.SetQuantity("LIMA-000003", 42); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.available(t, "LIMA-000003") != 42 {
		if time.Now().After(deadline) {
			t.Fatal("the sandbox's webhook never reached the pool")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, f := range []sandbox.Faults{{WrongSignature: true}, {StaleTimestamp: true}} {
		bad := start(f)
		bad.SetQuantity("LIMA-000004", 1)
	}
	time.Sleep(500 * time.Millisecond) // the bad senders have tried (and retried) by now
	if got := a.available(t, "LIMA-000004"); got != 10 {
		t.Errorf("a wrongly signed or stale webhook changed the pool to %d", got)
	}
}
