package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"dropship/integrations/suppliers/sandbox"
	"dropship/integrations/webhooks/standardwebhooks"
	"dropship/jobs"
	"dropship/models"
	"dropship/models/dbtest"
)

// syncApp is the admin app with the stock sync running, a sandbox supplier
// on loopback and a catalog whose variants its SKUs map to.
type syncApp struct {
	*testApp
	inv      *jobs.Inventory
	sandbox  *sandbox.Supplier
	supplier *models.Supplier
	variants map[string]int64 // supplier SKU -> variant id
}

func newSyncApp(t testing.TB, skus int, kind string, webhookSecret standardwebhooks.Secret) *syncApp {
	t.Helper()
	db := dbtest.New(t)
	ctx := context.Background()
	box, _ := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	inv := jobs.NewInventory(db, box, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	t.Cleanup(inv.Close)
	a := &syncApp{testApp: newTestAppWith(t, testOptions{DB: db, Deps: func(d *Deps) { d.Inventory = inv }}), inv: inv, variants: map[string]int64{}}
	cfg := sandbox.Config{Code: "acme", Seed: 11, SKUs: skus, HTTPAddr: ":0"}
	if webhookSecret != nil {
		cfg.WebhookURL, cfg.WebhookSecret, cfg.WebhookBackoff = a.URL, webhookSecret, 20*time.Millisecond
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	a.sandbox = sb
	secrets := map[string]string{}
	if webhookSecret != nil {
		secrets[models.SecretSigningSecret] = webhookSecret.String()
	}
	conn := models.Connection{URL: sb.Info().CSVURL, AuthType: models.AuthNone}
	if kind == models.KindWebhook {
		conn = models.Connection{}
	}
	a.supplier, err = models.CreateSupplier(ctx, db, box, nil, models.SupplierInput{Code: "ACME", Name: "Acme Sandbox",
		ConnectionKind: kind, Connection: conn, Secrets: secrets, HandlingDays: 1, ShipsFromCountry: "US", Currency: "USD",
		FeedGuardPct: 50, AllowedLagMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := models.CreateCategory(ctx, db, nil, "Kitchen")
	p, err := models.CreateProduct(ctx, db, nil, models.ProductInput{Title: "Stoneware Mug", OptionNames: []string{"Colour"}, CategoryID: &cat.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range sb.Catalog().Snapshot().Items {
		v, err := models.CreateVariant(ctx, db, nil, p.ID, models.VariantInput{SKU: "MUG-" + it.SKU, PriceCents: 1800, Currency: "USD",
			Options: models.Options{"Colour": it.SKU}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.CreateOffer(ctx, db, nil, models.OfferInput{SupplierID: a.supplier.ID, VariantID: v.ID, SupplierSKU: it.SKU,
			ReportedQuantity: 20, MinQuantity: 1}); err != nil {
			t.Fatal(err)
		}
		a.variants[it.SKU] = v.ID
	}
	db.Exec("UPDATE offers SET observed_at = now() - interval '1 day'")
	return a
}

// sandboxMapping is the mapping form of the sandbox's CSV feed.
func sandboxMapping(b *browser) url.Values {
	return url.Values{"format": {"csv"}, "header_row": {"true"}, "f_sku": {"sku"}, "f_quantity": {"quantity"}, "f_cost": {"cost"},
		"f_currency": {"currency"}, "f_lead_time_days": {"lead_time_days"}, "f_discontinued": {"discontinued"}, "f_title": {"title"},
		"f_barcode": {"barcode"}, "_csrf": {b.csrf}}
}

var runLink = regexp.MustCompile(`href="/syncs/(\d+)"`)

func TestSupplierSyncPages(t *testing.T) {
	t.Parallel()
	a := newSyncApp(t, 60, models.KindFeedHTTP, nil)
	b, _ := a.signedIn(models.RoleManager)
	sup := fmt.Sprintf("/suppliers/%d", a.supplier.ID)

	page := b.get(sup)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "Stock sync") || !strings.Contains(page.Body, "Sync now") || !strings.Contains(page.Body, "Test connection") {
		t.Fatalf("supplier page: %d, no stock sync card", page.StatusCode)
	}
	// A mapping naming a column the feed lacks is previewed with the reason; a wrong one is refused on save.
	bad := sandboxMapping(b)
	bad.Set("f_quantity", "stock")
	if res := b.postRaw(sup+"/mapping/preview", bad, "HX-Request", "true"); !strings.Contains(res.Body, "no column named") {
		t.Errorf("preview with a wrong column: %s", snippet(res.Body))
	}
	bad.Set("f_sku", "")
	b.get(sup + "/mapping")
	bad.Set("_csrf", b.csrf)
	if res := b.postRaw(sup+"/mapping", bad); res.StatusCode != 422 || !strings.Contains(res.Body, "has-error") {
		t.Errorf("saving a mapping without SKU: %d", res.StatusCode)
	}
	good := sandboxMapping(b)
	prev := b.postRaw(sup+"/mapping/preview", good, "HX-Request", "true")
	if !strings.Contains(prev.Body, "ACME-000001") || !strings.Contains(prev.Body, "Columns") {
		t.Errorf("preview: %s", snippet(prev.Body))
	}
	if res := b.postRaw(sup+"/mapping", good); res.StatusCode != 303 {
		t.Fatalf("save mapping: %d %s", res.StatusCode, snippet(res.Body))
	}
	if res := b.postRaw(sup+"/test", url.Values{"_csrf": {b.csrf}}, "HX-Request", "true"); !strings.Contains(res.Body, "200 OK") || !strings.Contains(res.Body, "sku,title") {
		t.Errorf("test connection: %s", snippet(res.Body))
	}

	// Sync now: a run appears and ends applied; the pages show its counts.
	if res := b.postForm(sup+"/sync", nil); res.StatusCode != 303 || res.Header.Get("Location") != sup+"/syncs" {
		t.Fatalf("sync now: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	a.inv.Wait()
	runs := b.get(sup + "/syncs")
	m := runLink.FindStringSubmatch(runs.Body)
	if runs.StatusCode != 200 || m == nil || !strings.Contains(runs.Body, "applied") {
		t.Fatalf("runs page: %d %s", runs.StatusCode, snippet(runs.Body))
	}
	run := b.get("/syncs/" + m[1])
	if run.StatusCode != 200 || !strings.Contains(run.Body, "60 rows") {
		t.Errorf("run page: %d %s", run.StatusCode, snippet(run.Body))
	}
	if all := b.get("/syncs"); !strings.Contains(all.Body, "ACME") || !strings.Contains(all.Body, "applied") {
		t.Errorf("all runs page lacks the run")
	}
	// The sandbox sells some SKUs out: the low-stock page lists them, out of stock first.
	low := b.get("/stock/low")
	if low.StatusCode != 200 || !strings.Contains(low.Body, "Stoneware Mug") || !strings.Contains(low.Body, `class="spark"`) {
		t.Errorf("low stock page: %d %s", low.StatusCode, snippet(low.Body))
	}
	if f := b.get(fmt.Sprintf("/stock/low?supplier=%d&state=out", a.supplier.ID+100)); !strings.Contains(f.Body, "Nothing is low") {
		t.Errorf("a filter on another supplier still lists variants")
	}

	// Upload: a file with a broken row is applied and the row reported by line.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", b.csrf)
	fw, _ := mw.CreateFormFile("feed", "manual.csv")
	var csv strings.Builder
	csv.WriteString("sku,title,barcode,quantity,cost,currency,lead_time_days,discontinued\n")
	for i, it := range a.sandbox.Catalog().Snapshot().Items {
		q := fmt.Sprint(it.Quantity + 1)
		if i == 2 {
			q = "lots"
		}
		fmt.Fprintf(&csv, "%s,%s,%s,%s,1.00,USD,3,false\n", it.SKU, "t", it.Barcode, q)
	}
	fw.Write([]byte(csv.String()))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.URL+sup+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if res := b.do(req); res.StatusCode != 303 {
		t.Fatalf("upload: %d %s", res.StatusCode, snippet(res.Body))
	}
	a.inv.Wait()
	latest, _ := models.ListSyncRuns(context.Background(), a.DB, models.SyncRunFilter{SupplierID: a.supplier.ID, Limit: 1})
	if len(latest) == 0 || latest[0].Source != models.SourceUpload || latest[0].RowsRejected != 1 || latest[0].FirstErrors[0].Line != 4 {
		t.Fatalf("upload run: %+v", latest)
	}
	if res := b.get(fmt.Sprintf("/syncs/%d", latest[0].ID)); !strings.Contains(res.Body, "Rows with problems") || !strings.Contains(res.Body, ">4<") {
		t.Errorf("the upload's run page doesn't show the rejected line 4")
	}
}

func TestHeldFeedApproveFromPage(t *testing.T) {
	t.Parallel()
	a := newSyncApp(t, 10, models.KindFeedHTTP, nil)
	b, _ := a.signedIn(models.RoleManager)
	viewer, _ := a.signedIn(models.RoleViewer)
	ctx := context.Background()
	// 10 SKUs x 20 units -> a feed listing one SKU: held.
	r, err := a.inv.ApplyFile(ctx, a.supplier.ID, nil, "small.csv", strings.NewReader("sku,quantity\nACME-000001,3\n"), 0)
	if err != nil || r.Status != models.SyncHeld {
		t.Fatalf("apply: %v %+v", err, r)
	}
	page := b.get(fmt.Sprintf("/suppliers/%d/syncs", a.supplier.ID))
	if !strings.Contains(page.Body, "waiting for your review") || !strings.Contains(page.Body, "200 → 3") {
		t.Fatalf("runs page doesn't show the held feed with its diff: %s", snippet(page.Body))
	}
	held, _ := models.PendingHeldFeed(ctx, a.DB, a.supplier.ID)
	if res := viewer.postForm(fmt.Sprintf("/held-feeds/%d/approve", held.ID), nil); res.StatusCode != 403 {
		t.Errorf("a viewer approving: %d, want 403", res.StatusCode)
	}
	if res := b.postForm(fmt.Sprintf("/held-feeds/%d/approve", held.ID), url.Values{"note": {"supplier confirmed"}}); res.StatusCode != 303 {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	a.inv.Wait()
	p, _ := models.PoolOf(ctx, a.DB, a.variants["ACME-000001"])
	if p.Supply != 3 {
		t.Errorf("after approval supply %d, want 3", p.Supply)
	}
	if page := b.get(fmt.Sprintf("/suppliers/%d/syncs", a.supplier.ID)); strings.Contains(page.Body, "waiting for your review") {
		t.Error("the approved feed is still shown as waiting")
	}
}

func TestDashboardFlagsLaggingSuppliers(t *testing.T) {
	t.Parallel()
	a := newSyncApp(t, 5, models.KindFeedHTTP, nil)
	b, _ := a.signedIn(models.RoleViewer)
	if res := b.get("/"); !strings.Contains(res.Body, "Lagging suppliers") || !strings.Contains(res.Body, "never synced") {
		t.Errorf("dashboard doesn't flag the never-synced supplier: %s", snippet(res.Body))
	}
	a.DB.Exec(`INSERT INTO supplier_sync_state (supplier_id, last_good_sync_at) VALUES (?, now())`, a.supplier.ID)
	if res := b.get("/"); strings.Contains(res.Body, "never synced") || strings.Contains(res.Body, "ACME</strong></a> Acme") {
		t.Errorf("a fresh supplier is still flagged")
	}
}

func TestSettingsInventoryThreshold(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleOwner)
	b.get("/settings")
	if res := b.postForm("/settings", url.Values{"section": {"inventory"}, "low_stock_threshold": {"-3"}}); res.StatusCode != 422 {
		t.Errorf("negative threshold: %d, want 422", res.StatusCode)
	}
	if res := b.postForm("/settings", url.Values{"section": {"inventory"}, "low_stock_threshold": {"12"}}); res.StatusCode != 303 {
		t.Fatalf("save: %d", res.StatusCode)
	}
	st, _ := models.GetStoreSettings(context.Background(), a.DB)
	if st.LowStockThreshold != 12 || st.StoreName == "" {
		t.Errorf("settings %+v", st)
	}
}

// TestWebhookReachesTheAPI: a stock webhook from the sandbox shows in the
// storefront API's availability.
func TestWebhookReachesTheAPI(t *testing.T) {
	t.Parallel()
	secret := standardwebhooks.NewSecret()
	a := newSyncApp(t, 8, models.KindWebhook, secret)
	key := apiKey(t, a.DB)
	if _, err := a.sandbox.SetQuantity("ACME-000004", 77); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for apiAvailable(t, a.URL, key, "MUG-ACME-000004") != 77 {
		if time.Now().After(deadline) {
			t.Fatal("the webhook's quantity never showed in the API")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func apiKey(t testing.TB, db *gorm.DB) string {
	t.Helper()
	_, key, err := models.CreateAPIKey(context.Background(), db, nil, "storefront")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// apiAvailable is what GET /api/v1/variants/{sku} says is available.
func apiAvailable(t testing.TB, base, key, sku string) int64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/variants/"+sku, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v struct {
		Available int64 `json:"available"`
	}
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET variant %s: %d %s", sku, res.StatusCode, b)
	}
	json.NewDecoder(res.Body).Decode(&v)
	return v.Available
}
