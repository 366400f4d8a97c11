package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dropship/models"
	"dropship/models/demo"
)

// seedDemoCatalog fills the test app's database with the demo catalog.
func seedDemoCatalog(t *testing.T, a *testApp) {
	t.Helper()
	box, _ := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	if _, err := demo.Seed(context.Background(), a.DB, box); err != nil {
		t.Fatal(err)
	}
}

// signInChrome signs the user in through the form.
func signInChrome(t *testing.T, ctx context.Context, a *testApp, u *models.User, width, height int) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(int64(width), int64(height)),
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, u.Email),
		chromedp.SendKeys(`input[name=password]`, testPassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`.page-head h1`),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrowserMapSuggestionMovesPool maps an unmapped supplier SKU by accepting
// its first suggestion and checks that the variant's pool grows by what the
// supplier reported.
func TestBrowserMapSuggestionMovesPool(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	seedDemoCatalog(t, a)
	u := a.createUser(models.RoleManager)
	ctx := context.Background()

	rows, err := models.ListUnmapped(ctx, a.DB, models.UnmappedFilter{Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no unmapped SKU in the demo: %v", err)
	}
	first := rows[0]
	sugg, err := models.Suggest(ctx, a.DB, first.ID, 3)
	if err != nil || len(sugg) == 0 {
		t.Fatalf("no suggestion for %s: %v", first.SupplierSKU, err)
	}
	target := sugg[0]
	before, _ := models.PoolOf(ctx, a.DB, target.VariantID)

	chrome := newChrome(t, 1280, 900)
	signInChrome(t, chrome, a, u, 1280, 900)
	accept := fmt.Sprintf(`#unmapped-%d button[data-testid=accept-suggestion]`, first.ID)
	err = chromedp.Do(chrome,
		chromedp.Navigate(a.URL+"/mapping"),
		chromedp.WaitVisible(accept),
	)
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, chrome, "mapping-before-accept.png")
	if err := chromedp.Do(chrome, chromedp.Click(accept), chromedp.WaitVisible(`#pool`)); err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, chrome, "mapping-after-accept.png")
	if flash := run(t, chrome, chromedp.Text(`.flash span`)); !strings.Contains(flash, "Mapped "+first.SupplierSKU+" to "+target.SKU) {
		t.Errorf("flash %q", flash)
	}
	avail := run(t, chrome, chromedp.Text(`#pool .stat:nth-child(3) .value`))
	after, _ := models.PoolOf(ctx, a.DB, target.VariantID)
	wantGain := first.ReportedQuantity - int64(supplierBuffer(t, a, first.SupplierID))
	if after.Available-before.Available != max(wantGain, 0) {
		t.Fatalf("pool went from %d to %d, want +%d", before.Available, after.Available, wantGain)
	}
	if avail != fmt.Sprint(after.Available) {
		t.Fatalf("the page shows %q available, the pool says %d", avail, after.Available)
	}
	// The product page shows the new offer and the same figure.
	err = chromedp.Do(chrome, chromedp.Navigate(fmt.Sprintf("%s/products/%d", a.URL, target.ProductID)),
		chromedp.WaitVisible(fmt.Sprintf(`#variant-%d`, target.VariantID)))
	if err != nil {
		t.Fatal(err)
	}
	row := run(t, chrome, chromedp.Text(fmt.Sprintf(`#variant-%d`, target.VariantID)))
	if !strings.Contains(row, first.SupplierSKU) {
		t.Errorf("product page row lacks the new offer %s: %q", first.SupplierSKU, row)
	}
	if got := run(t, chrome, chromedp.Text(fmt.Sprintf(`#variant-%d .pool-available`, target.VariantID))); got != fmt.Sprint(after.Available) {
		t.Errorf("product page shows %q available, want %d", got, after.Available)
	}
}

func supplierBuffer(t *testing.T, a *testApp, id int64) int {
	s, err := models.GetSupplier(context.Background(), a.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return s.SafetyBuffer
}

// TestBrowserCatalogScreenshots saves the catalog, product, mapping and
// supplier pages at desktop and phone widths, and checks each rendered.
func TestBrowserCatalogScreenshots(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	seedDemoCatalog(t, a)
	u := a.createUser(models.RoleOwner)
	ctx := context.Background()
	rows, _, err := models.SearchCatalog(ctx, a.DB, models.CatalogFilter{Query: "Linen Camp Shirt", Stock: models.StockIn, Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("demo product: %v", err)
	}
	acme, _ := models.GetSupplierByCode(ctx, a.DB, "ACME")
	bolt, _ := models.GetSupplierByCode(ctx, a.DB, "BOLT")
	unm, _ := models.ListUnmapped(ctx, a.DB, models.UnmappedFilter{Limit: 1})
	preview, err := models.StoreCatalogImport(ctx, a.DB, nil, "spring-range.csv", 1, strings.NewReader(
		"Handle,Title,Product Category,Option1 Name,Option1 Value,Variant SKU,Variant Price\n"+
			"rain-hat,Rain Hat,Accessories,Colour,Yellow,RAIN-HAT-YEL,29.00\n"+
			"rain-hat,,,,Navy,RAIN-HAT-NVY,29.00\n"+
			"rain-hat,,,,Navy,RAIN-HAT-NVY-2,29.00\n"+
			"sun-hat,Sun Hat,Hats,,,SUN-HAT,-5\n"+
			"canvas-tote-bag,,,,Natural,CANV-TOTE-BAG-NAT,27.00\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.ParseCatalogImport(ctx, a.DB, preview.ID); err != nil {
		t.Fatal(err)
	}
	reading, _ := models.StoreCatalogImport(ctx, a.DB, nil, "full-catalog.csv", 1, strings.NewReader("Handle,Variant SKU,Variant Price\n"))
	a.DB.Exec("UPDATE catalog_imports SET status = 'parsing', total_bytes = 31457280, read_bytes = 12582912, rows_total = 40000 WHERE id = ?", reading.ID)
	pages := []struct{ name, path, heading string }{
		{"import-preview", fmt.Sprintf("/catalog/import/%d", preview.ID), "spring-range.csv"},
		{"import-progress", fmt.Sprintf("/catalog/import/%d", reading.ID), "full-catalog.csv"},
		{"catalog", "/catalog", "Catalog"},
		{"catalog-low", "/catalog?stock=low", "Catalog"},
		{"product", fmt.Sprintf("/products/%d", rows[0].ProductID), "Linen Camp Shirt"},
		{"variant-offers", fmt.Sprintf("/variants/%d/offers", rows[0].VariantID), "Linen Camp Shirt"},
		{"mapping", "/mapping", "SKU mapping"},
		{"unmapped", fmt.Sprintf("/mapping/unmapped/%d", unm[0].ID), unm[0].SupplierSKU},
		{"suppliers", "/suppliers", "Suppliers"},
		{"supplier", fmt.Sprintf("/suppliers/%d", acme.ID), acme.Name},
		{"supplier-edit", fmt.Sprintf("/suppliers/%d/edit", bolt.ID), "Edit BOLT"},
		{"import", "/catalog/import", "Import a catalog CSV"},
		{"product-new", "/products/new", "New product"},
	}
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			chrome := newChrome(t, size.width, size.height)
			signInChrome(t, chrome, a, u, size.width, size.height)
			for _, p := range pages {
				if err := chromedp.Do(chrome, chromedp.Navigate(a.URL+p.path), chromedp.WaitVisible(`.page-head h1`)); err != nil {
					t.Fatalf("%s: %v", p.path, err)
				}
				if h := run(t, chrome, chromedp.Text(`.page-head h1`)); !strings.HasPrefix(h, p.heading) {
					t.Errorf("%s: heading %q, want %q", p.path, h, p.heading)
				}
				saveScreenshot(t, chrome, p.name+"-"+size.name+".png")
			}
		})
	}
}
