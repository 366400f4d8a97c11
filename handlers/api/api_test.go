package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"dropship/models"
	"dropship/models/dbtest"
)

// payments is the test's payment provider: it answers per reference.
type payments struct {
	mu      sync.Mutex
	answers map[string]models.PaymentCheck
	down    bool
	calls   int
}

func (p *payments) VerifyPayment(_ context.Context, provider, ref string, amount int64, currency string) (models.PaymentCheck, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.down {
		return models.PaymentCheck{}, fmt.Errorf("%s: connection refused", provider)
	}
	if a, ok := p.answers[ref]; ok {
		return a, nil
	}
	return models.PaymentCheck{Status: models.PaymentAuthorized, AmountCents: amount, Currency: currency, CardFingerprint: "fp_" + ref}, nil
}

func (p *payments) set(ref string, c models.PaymentCheck) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answers[ref] = c
}

// apiServer is the API alone on a fresh database, over loopback HTTP.
type apiServer struct {
	t        testing.TB
	db       *gorm.DB
	url      string
	key      string
	oapi     *huma.OpenAPI
	payments *payments
}

func newAPIServer(t *testing.T, cfg Config) *apiServer {
	t.Helper()
	db := dbtest.New(t)
	return newAPIServerOn(t, db, cfg)
}

func newAPIServerOn(t testing.TB, db *gorm.DB, cfg Config) *apiServer {
	t.Helper()
	pay := &payments{answers: map[string]models.PaymentCheck{}}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	h := Mount(app, cfg, Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Payments: pay})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln) //nolint:errcheck
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	_, key, err := models.CreateAPIKey(context.Background(), db, nil, "test storefront")
	if err != nil {
		t.Fatal(err)
	}
	return &apiServer{t: t, db: db, url: "http://" + ln.Addr().String(), key: key, oapi: h.OpenAPI(), payments: pay}
}

// result is a finished API call.
type result struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// call sends a request; route is the OpenAPI path template the response is
// checked against ("" for responses outside any operation, such as 401).
func (s *apiServer) call(method, route, path string, body any, headers ...string) result {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+s.key)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out := result{Status: res.StatusCode, Header: res.Header}
	out.Body, _ = io.ReadAll(res.Body)
	_ = json.Unmarshal(out.Body, &out.JSON)
	ct := res.Header.Get("Content-Type")
	if res.StatusCode >= 400 && ct != "application/problem+json" {
		s.t.Errorf("%s %s: %d with Content-Type %q, want application/problem+json", method, path, res.StatusCode, ct)
	}
	if route != "" {
		s.checkAgainstOpenAPI(method, route, out)
	}
	return out
}

// checkAgainstOpenAPI validates a response body with the OpenAPI document's schema for its status.
func (s *apiServer) checkAgainstOpenAPI(method, route string, r result) {
	s.t.Helper()
	item := s.oapi.Paths[route]
	if item == nil {
		s.t.Errorf("OpenAPI has no path %s", route)
		return
	}
	op := map[string]*huma.Operation{"GET": item.Get, "POST": item.Post}[method]
	if op == nil {
		s.t.Errorf("OpenAPI has no %s %s", method, route)
		return
	}
	resp := op.Responses[strconv.Itoa(r.Status)]
	if resp == nil {
		s.t.Errorf("%s %s answered %d, which the OpenAPI document does not list", method, route, r.Status)
		return
	}
	for _, mt := range resp.Content {
		var v any
		if err := json.Unmarshal(r.Body, &v); err != nil {
			s.t.Errorf("%s %s: body is not JSON: %s", method, route, r.Body)
			return
		}
		res := &huma.ValidateResult{}
		huma.Validate(s.oapi.Components.Schemas, mt.Schema, huma.NewPathBuffer([]byte(""), 0), huma.ModeReadFromServer, v, res)
		for _, e := range res.Errors {
			s.t.Errorf("%s %s %d: response does not match the OpenAPI schema: %v\nbody: %s", method, route, r.Status, e, r.Body)
		}
	}
}

// catalog makes one product "Tee" (TEE-S, TEE-M, TEE-L at 19.99 USD) and a
// second product in the same category, with a supplier offering stock of each.
func (s *apiServer) catalog(stock map[string]int64) {
	s.t.Helper()
	ctx := context.Background()
	cat, err := models.CreateCategory(ctx, s.db, nil, "Tops")
	if err != nil {
		s.t.Fatal(err)
	}
	sup, err := models.CreateSupplier(ctx, s.db, testBox(s.t), nil, models.SupplierInput{Code: "ACME", Name: "Acme",
		ConnectionKind: models.KindEmail, Connection: models.Connection{Email: "po@acme.example"}, HandlingDays: 1,
		ShipsFromCountry: "US", Currency: "USD", FeedGuardPct: 50, AllowedLagMinutes: 60})
	if err != nil {
		s.t.Fatal(err)
	}
	products := []struct {
		title string
		price int64
		skus  []string
	}{{"Tee", 1999, []string{"TEE-S", "TEE-M", "TEE-L"}}, {"Polo", 2499, []string{"POLO-M"}}}
	for _, p := range products {
		prod, err := models.CreateProduct(ctx, s.db, nil, models.ProductInput{Title: p.title, OptionNames: []string{"Size"}, CategoryID: &cat.ID})
		if err != nil {
			s.t.Fatal(err)
		}
		for _, sku := range p.skus {
			v, err := models.CreateVariant(ctx, s.db, nil, prod.ID, models.VariantInput{SKU: sku, PriceCents: p.price, Currency: "USD",
				Options: models.Options{"Size": sku[strings.LastIndexByte(sku, '-')+1:]}})
			if err != nil {
				s.t.Fatal(err)
			}
			if _, err := models.CreateOffer(ctx, s.db, nil, models.OfferInput{SupplierID: sup.ID, VariantID: v.ID, SupplierSKU: "A-" + sku,
				ReportedQuantity: stock[sku], UnitCostCents: 800, MinQuantity: 1, LeadTimeDays: 1}); err != nil {
				s.t.Fatal(err)
			}
		}
	}
}

func testBox(t testing.TB) *models.SecretBox {
	box, err := models.NewSecretBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func orderBody(sku string, qty int, provider, ref string) map[string]any {
	return map[string]any{
		"external_id": "shop-1042",
		"customer":    map[string]any{"email": "ada@example.com", "name": "Ada Lovelace", "phone": "+14155550100"},
		"ship_to": map[string]any{"name": "Ada Lovelace", "line1": "1 Main St", "line2": "", "city": "Springfield",
			"region": "CA", "postal_code": "94107", "country": "US"},
		"lines":   []map[string]any{{"sku": sku, "quantity": qty}},
		"payment": map[string]any{"provider": provider, "reference": ref},
		"notify":  map[string]any{"email": true, "sms": false},
	}
}

func (s *apiServer) available(sku string) int64 {
	r := s.call("GET", "/variants/{sku}", "/api/v1/variants/"+sku, nil)
	return int64(r.JSON["available"].(float64))
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{})
	for _, auth := range []string{"", "Bearer ", "Bearer dsk_nope", "Basic abc"} {
		r := s.call("GET", "", "/api/v1/products", nil, "Authorization", auth)
		if r.Status != 401 || !strings.HasSuffix(r.JSON["type"].(string), "/unauthorized") {
			t.Errorf("Authorization %q: %d %s", auth, r.Status, r.Body)
		}
	}
	ctx := context.Background()
	s.call("GET", "/products", "/api/v1/products", nil)
	k, _ := models.AuthenticateAPIKey(ctx, s.db, s.key)
	if k.LastUsedAt == nil {
		t.Error("a used key has no last use for the keys page")
	}
	models.RevokeAPIKey(ctx, s.db, nil, k.ID)
	// A fresh server: no cached key.
	s2 := newAPIServerOn(t, s.db, Config{})
	s2.key = s.key
	if r := s2.call("GET", "", "/api/v1/products", nil); r.Status != 401 {
		t.Errorf("revoked key: %d, want 401", r.Status)
	}
	if r := s2.call("GET", "", "/api/v1/openapi.json", nil, "Authorization", ""); r.Status != 200 || r.JSON["openapi"] != "3.1.0" {
		t.Errorf("openapi.json: %d", r.Status)
	}
}

func TestProductsAndVariants(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{})
	s.catalog(map[string]int64{"TEE-S": 5, "TEE-M": 0, "TEE-L": 12, "POLO-M": 3})
	r := s.call("GET", "/products", "/api/v1/products?limit=1", nil)
	if r.Status != 200 {
		t.Fatalf("products: %d %s", r.Status, r.Body)
	}
	items := r.JSON["items"].([]any)
	first := items[0].(map[string]any)
	if len(items) != 1 || first["title"] != "Tee" || r.JSON["next_cursor"] == nil {
		t.Fatalf("first page %s", r.Body)
	}
	v := first["variants"].([]any)[0].(map[string]any)
	if v["sku"] != "TEE-S" || v["available"].(float64) != 5 || v["price"].(map[string]any)["amount"].(float64) != 1999 {
		t.Errorf("variant %v", v)
	}
	// 1 handling + 1 lead time + 2-5 domestic transit.
	if est := v["delivery_estimate"].(map[string]any); est["min_days"].(float64) != 4 || est["max_days"].(float64) != 7 {
		t.Errorf("estimate %v, want 4-7 days", est)
	}
	if out := first["variants"].([]any)[1].(map[string]any); out["available"].(float64) != 0 || out["delivery_estimate"] != nil {
		t.Errorf("out-of-stock variant %v: want available 0 and no estimate", out)
	}
	r = s.call("GET", "/products", "/api/v1/products?limit=1&cursor="+r.JSON["next_cursor"].(string), nil)
	if items := r.JSON["items"].([]any); len(items) != 1 || items[0].(map[string]any)["title"] != "Polo" || r.JSON["next_cursor"] != nil {
		t.Errorf("last page %s", r.Body)
	}
	for _, q := range []string{"limit=0", "limit=101", "cursor=garbage"} {
		if r := s.call("GET", "/products", "/api/v1/products?"+q, nil); r.Status != 422 {
			t.Errorf("%s: %d, want 422", q, r.Status)
		}
	}
	if r := s.call("GET", "/variants/{sku}", "/api/v1/variants/TEE-L", nil); r.Status != 200 || r.JSON["available"].(float64) != 12 {
		t.Errorf("variant: %d %s", r.Status, r.Body)
	}
	if r := s.call("GET", "/variants/{sku}", "/api/v1/variants/NOPE", nil); r.Status != 404 {
		t.Errorf("unknown SKU: %d", r.Status)
	}
	if r := s.call("GET", "", "/api/v1/nothing", nil); r.Status != 404 {
		t.Errorf("unknown route: %d", r.Status)
	}
}

func TestQuotes(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{})
	s.catalog(map[string]int64{"TEE-S": 5, "TEE-M": 1, "TEE-L": 12, "POLO-M": 3})
	r := s.call("POST", "/quotes", "/api/v1/quotes", map[string]any{
		"lines":   []map[string]any{{"sku": "TEE-S", "quantity": 2}, {"sku": "TEE-M", "quantity": 3}},
		"ship_to": map[string]any{"country": "US", "postal_code": "94107"}})
	if r.Status != 200 {
		t.Fatalf("quote: %d %s", r.Status, r.Body)
	}
	lines := r.JSON["lines"].([]any)
	if l := lines[0].(map[string]any); l["status"] != "available" || len(l["alternatives"].([]any)) != 0 {
		t.Errorf("line 0 %v", l)
	}
	l := lines[1].(map[string]any)
	alts := l["alternatives"].([]any)
	if l["status"] != "partial" || l["available"].(float64) != 1 || len(alts) != 3 {
		t.Fatalf("line 1 %v", l)
	}
	// Same product first (TEE-S, TEE-L at the same price), then the Polo of the same category.
	if alts[0].(map[string]any)["sku"] == "POLO-M" || alts[2].(map[string]any)["sku"] != "POLO-M" {
		t.Errorf("alternatives order %v", alts)
	}
	if r.JSON["total"].(map[string]any)["amount"].(float64) != 5*1999 {
		t.Errorf("total %v, want 99.95 (free shipping over 75)", r.JSON["total"])
	}
	if s.available("TEE-S") != 5 {
		t.Error("a quote reserved stock")
	}
	bad := s.call("POST", "/quotes", "/api/v1/quotes", map[string]any{"lines": []map[string]any{{"sku": "TEE-S", "quantity": 0}}, "ship_to": map[string]any{"country": "ZZ"}})
	if bad.Status != 422 || len(bad.JSON["errors"].([]any)) != 2 {
		t.Errorf("bad quote: %d %s", bad.Status, bad.Body)
	}
}

func TestBadBodies(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{})
	s.catalog(map[string]int64{"TEE-S": 5})
	if r := s.call("POST", "/quotes", "/api/v1/quotes", `{"lines": [`); r.Status != 400 {
		t.Errorf("malformed JSON: %d %s", r.Status, r.Body)
	}
	if r := s.call("POST", "", "/api/v1/quotes", `lines=1`, "Content-Type", "application/x-www-form-urlencoded"); r.Status != 415 {
		t.Errorf("form body: %d", r.Status)
	}
	big := `{"lines":[{"sku":"TEE-S","quantity":1}],"ship_to":{"country":"US","postal_code":"` + strings.Repeat("9", 1<<20) + `"}}`
	if r := s.call("POST", "", "/api/v1/quotes", big); r.Status != 413 {
		t.Errorf("2 MiB body: %d", r.Status)
	}
	r := s.call("POST", "/quotes", "/api/v1/quotes", `{"lines":[{"sku":"TEE-S","quantity":1}],"ship_to":{"country":"US"},"coupon":"FREE"}`)
	if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"coupon"`) {
		t.Errorf("unknown field: %d %s", r.Status, r.Body)
	}
}

func TestCreateOrder(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{})
	s.catalog(map[string]int64{"TEE-S": 5, "TEE-M": 0, "TEE-L": 12, "POLO-M": 3})

	r := s.call("POST", "/orders", "/api/v1/orders", orderBody("TEE-S", 2, "stripe", "pi_ok"), "Idempotency-Key", "k-1")
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	o := r.JSON
	if o["status"] != "paid" || !strings.HasPrefix(o["id"].(string), "ord_") || o["number"] != "1001" || o["external_id"] != "shop-1042" {
		t.Errorf("order %s", r.Body)
	}
	if l := o["lines"].([]any)[0].(map[string]any); l["status"] != "reserved" || l["unit_price"].(map[string]any)["amount"].(float64) != 1999 {
		t.Errorf("line %v", l)
	}
	if s.available("TEE-S") != 3 {
		t.Errorf("TEE-S available %d, want 3", s.available("TEE-S"))
	}

	// Replay: same key and body.
	again := s.call("POST", "/orders", "/api/v1/orders", orderBody("TEE-S", 2, "stripe", "pi_ok"), "Idempotency-Key", "k-1")
	if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, r.Body) {
		t.Errorf("replay: %d %q", again.Status, again.Header.Get("Idempotent-Replayed"))
	}
	if s.available("TEE-S") != 3 {
		t.Error("a replay reserved again")
	}
	reused := s.call("POST", "", "/api/v1/orders", orderBody("TEE-S", 1, "stripe", "pi_ok"), "Idempotency-Key", "k-1")
	if reused.Status != 422 || !strings.HasSuffix(reused.JSON["type"].(string), "/idempotency-key-reused") {
		t.Errorf("reused key: %d %s", reused.Status, reused.Body)
	}
	if r := s.call("POST", "", "/api/v1/orders", orderBody("TEE-S", 1, "stripe", "pi_2")); r.Status != 400 {
		t.Errorf("no Idempotency-Key: %d", r.Status)
	}

	// Get and list.
	id := o["id"].(string)
	if g := s.call("GET", "/orders/{id}", "/api/v1/orders/"+id, nil); g.Status != 200 || g.JSON["id"] != id {
		t.Errorf("get: %d", g.Status)
	}
	if l := s.call("GET", "/orders", "/api/v1/orders?external_id=shop-1042", nil); l.Status != 200 || len(l.JSON["items"].([]any)) != 1 {
		t.Errorf("list: %d %s", l.Status, l.Body)
	}
	// A second order with the same external id: pages of one, linked by the cursor.
	if r := s.call("POST", "/orders", "/api/v1/orders", orderBody("POLO-M", 1, "stripe", "pi_second"), "Idempotency-Key", "k-2"); r.Status != 201 {
		t.Fatalf("second order: %d %s", r.Status, r.Body)
	}
	p1 := s.call("GET", "/orders", "/api/v1/orders?external_id=shop-1042&limit=1", nil)
	if len(p1.JSON["items"].([]any)) != 1 || p1.JSON["next_cursor"] == nil {
		t.Fatalf("page 1: %s", p1.Body)
	}
	p2 := s.call("GET", "/orders", "/api/v1/orders?external_id=shop-1042&limit=1&cursor="+p1.JSON["next_cursor"].(string), nil)
	if items := p2.JSON["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id || p2.JSON["next_cursor"] != nil {
		t.Errorf("page 2: %s", p2.Body)
	}
	other := newAPIServerOn(t, s.db, Config{})
	if g := other.call("GET", "/orders/{id}", "/api/v1/orders/"+id, nil); g.Status != 404 {
		t.Errorf("another key's order: %d, want 404", g.Status)
	}

	// Short stock: 409 with every line, nothing reserved.
	body := orderBody("TEE-L", 2, "stripe", "pi_3")
	body["lines"] = []map[string]any{{"sku": "TEE-L", "quantity": 2}, {"sku": "TEE-M", "quantity": 1}}
	short := s.call("POST", "/orders", "/api/v1/orders", body, "Idempotency-Key", "k-short")
	if short.Status != 409 || !strings.HasSuffix(short.JSON["type"].(string), "/insufficient-stock") {
		t.Fatalf("short: %d %s", short.Status, short.Body)
	}
	lines := short.JSON["lines"].([]any)
	if m := lines[1].(map[string]any); len(lines) != 2 || m["sku"] != "TEE-M" || m["requested"].(float64) != 1 || m["available"].(float64) != 0 || len(m["alternatives"].([]any)) == 0 {
		t.Errorf("short lines %v", lines)
	}
	if s.available("TEE-L") != 12 {
		t.Error("a refused order held TEE-L")
	}

	// Payment for another amount: 402, the order kept as payment_failed.
	s.payments.set("pi_wrong", models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: 1, Currency: "USD"})
	failed := s.call("POST", "/orders", "/api/v1/orders", orderBody("TEE-L", 1, "stripe", "pi_wrong"), "Idempotency-Key", "k-402")
	if failed.Status != 402 || !strings.HasSuffix(failed.JSON["type"].(string), "/payment-failed") {
		t.Fatalf("402: %d %s", failed.Status, failed.Body)
	}
	kept := failed.JSON["order"].(map[string]any)
	if kept["status"] != "payment_failed" || s.available("TEE-L") != 12 {
		t.Errorf("failed order %v, TEE-L available %d", kept["status"], s.available("TEE-L"))
	}

	// Invalid bodies: 422 with the fields.
	inv := orderBody("NOPE", 0, "stripe", "pi_x")
	inv["customer"] = map[string]any{"email": "nope"}
	inv["ship_to"].(map[string]any)["country"] = "USA"
	bad := s.call("POST", "/orders", "/api/v1/orders", inv, "Idempotency-Key", "k-422")
	fields := map[string]bool{}
	for _, e := range bad.JSON["errors"].([]any) {
		fields[e.(map[string]any)["field"].(string)] = true
	}
	if bad.Status != 422 || !fields["lines[0].quantity"] || !fields["customer.email"] || !fields["ship_to.country"] {
		t.Errorf("invalid order: %d %s", bad.Status, bad.Body)
	}

	// Cancel: 200 and the stock is back; a shipped order is 409.
	c := s.call("POST", "/orders/{id}/cancel", "/api/v1/orders/"+id+"/cancel", nil)
	if c.Status != 200 || c.JSON["status"] != "cancelled" || s.available("TEE-S") != 5 {
		t.Errorf("cancel: %d %s; TEE-S available %d", c.Status, c.Body, s.available("TEE-S"))
	}
	m := s.call("POST", "/orders", "/api/v1/orders", orderBody("TEE-S", 1, "manual", ""), "Idempotency-Key", "k-manual")
	if m.Status != 201 || m.JSON["status"] != "pending_payment" {
		t.Fatalf("manual: %d %s", m.Status, m.Body)
	}
	s.db.Exec("UPDATE orders SET status = 'shipped' WHERE public_id = ?", m.JSON["id"])
	if c := s.call("POST", "/orders/{id}/cancel", "/api/v1/orders/"+m.JSON["id"].(string)+"/cancel", nil); c.Status != 409 || !strings.HasSuffix(c.JSON["type"].(string), "/not-cancellable") {
		t.Errorf("cancel shipped: %d %s", c.Status, c.Body)
	}
}

// TestConcurrentDuplicates: many requests with one key at once make one order.
func TestConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{})
	s.catalog(map[string]int64{"TEE-S": 50})
	var wg sync.WaitGroup
	statuses := make([]int, 12)
	bodies := make([][]byte, 12)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.call("POST", "", "/api/v1/orders", orderBody("TEE-S", 1, "stripe", "pi_dup"), "Idempotency-Key", "same")
			statuses[i], bodies[i] = r.Status, r.Body
		}()
	}
	wg.Wait()
	var orders int64
	s.db.Model(&models.Order{}).Count(&orders)
	if orders != 1 || s.available("TEE-S") != 49 {
		t.Fatalf("%d orders, TEE-S available %d: want one order", orders, s.available("TEE-S"))
	}
	for i, st := range statuses {
		if st == 201 && !bytes.Equal(bodies[i], bodies[0]) && statuses[0] == 201 {
			t.Errorf("duplicate %d got a different body", i)
		}
		if st != 201 && st != 409 {
			t.Errorf("duplicate %d: status %d, want 201 (replayed) or 409 in progress", i, st)
		}
	}
}

// TestPaymentProviderDown: 503, the stock stays held, and a retry with the
// same key finishes the same order.
func TestPaymentProviderDown(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{})
	s.catalog(map[string]int64{"TEE-S": 5})
	s.payments.down = true
	r := s.call("POST", "/orders", "/api/v1/orders", orderBody("TEE-S", 1, "paypal", "PP-1"), "Idempotency-Key", "k")
	if r.Status != 503 || s.available("TEE-S") != 4 {
		t.Fatalf("provider down: %d, available %d", r.Status, s.available("TEE-S"))
	}
	s.payments.down = false
	r = s.call("POST", "/orders", "/api/v1/orders", orderBody("TEE-S", 1, "paypal", "PP-1"), "Idempotency-Key", "k")
	var orders int64
	s.db.Model(&models.Order{}).Count(&orders)
	if r.Status != 201 || r.JSON["status"] != "paid" || orders != 1 || s.available("TEE-S") != 4 {
		t.Errorf("retry: %d %s; %d orders", r.Status, r.Body, orders)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{RatePerSecond: 1, Burst: 3})
	var limited result
	for i := 0; i < 5; i++ {
		if r := s.call("GET", "", "/api/v1/products", nil); r.Status == 429 {
			limited = r
			break
		}
	}
	if limited.Status != 429 || limited.Header.Get("Retry-After") == "" || !strings.HasSuffix(limited.JSON["type"].(string), "/rate-limited") {
		t.Errorf("no 429 with Retry-After after the burst: %+v", limited)
	}
}
