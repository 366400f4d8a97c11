package handlers

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"dropship/models"
)

// upload posts a file as multipart/form-data with the CSRF token.
func (b *browser) upload(path, field, name, body string) response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("_csrf", b.csrf) //nolint:errcheck
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write([]byte(body)) //nolint:errcheck
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func mustContain(t *testing.T, what string, res response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(res.Body, w) {
			t.Errorf("%s lacks %q; body: %s", what, w, snippet(res.Body))
		}
	}
}

// TestCatalogPagesRender opens every catalog, mapping and supplier page as a
// viewer (who can read) on the demo data.
func TestCatalogPagesRender(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	seedDemoCatalog(t, a)
	ctx := context.Background()
	b, _ := a.signedIn(models.RoleViewer)
	rows, _, _ := models.SearchCatalog(ctx, a.DB, models.CatalogFilter{Query: "Merino Wool Beanie", Limit: 1})
	acme, _ := models.GetSupplierByCode(ctx, a.DB, "ACME")
	unm, _ := models.ListUnmapped(ctx, a.DB, models.UnmappedFilter{Limit: 1})
	pages := []struct {
		path  string
		wants []string
	}{
		{"/catalog", []string{"Catalog", "Acacia Cutting Board", "Next page", `href="/catalog/export.csv"`}},
		{"/catalog?q=beanie", []string{"Merino Wool Beanie", "MERI-WOOL-BEAN"}},
		{"/catalog?stock=unmapped", []string{"unmapped"}},
		{"/catalog?sort=price&dir=desc", []string{"Price ↓"}},
		{fmt.Sprintf("/products/%d", rows[0].ProductID), []string{"Merino Wool Beanie", "Variants", "Mapping"}},
		{fmt.Sprintf("/variants/%d/offers", rows[0].VariantID), []string{"Supply", "Available", "Offers"}},
		{"/mapping", []string{"Unmapped supplier SKUs", unm[0].SupplierSKU, "same barcode"}},
		{fmt.Sprintf("/mapping/unmapped/%d", unm[0].ID), []string{unm[0].SupplierSKU, "Map by hand"}},
		{fmt.Sprintf("/mapping/unmapped/%d?q=tee", unm[0].ID), []string{"Classic Organic Tee"}},
		{"/suppliers", []string{"ACME", "BOLT", "CRANE", "DELTA", "Acme Wholesale US"}},
		{fmt.Sprintf("/suppliers/%d", acme.ID), []string{"Acme Wholesale US", "ACME-000001", "Token or API key", "set"}},
		{"/categories", []string{"Apparel", "Outdoor"}},
	}
	for _, p := range pages {
		res := b.get(p.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p.path, res.StatusCode)
			continue
		}
		mustContain(t, p.path, res, p.wants...)
		// A viewer sees no editing controls.
		for _, no := range []string{`href="/products/new"`, `data-testid="accept-suggestion"`, "/edit\""} {
			if strings.Contains(res.Body, no) {
				t.Errorf("GET %s as a viewer shows %s", p.path, no)
			}
		}
	}
	// The search box asks for a fragment: only the results, no page chrome.
	res := b.get("/catalog?q=beanie", "HX-Request", "true")
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, `id="catalog-results"`) {
		t.Fatalf("fragment: %d %s", res.StatusCode, snippet(res.Body))
	}
	res = b.get("/mapping/variants?q=beanie", "HX-Request", "true")
	mustContain(t, "variant finder", res, "Merino Wool Beanie", "/offers")

	// Keyset pages don't repeat or skip.
	seen := map[string]bool{}
	next := "/catalog?sort=sku"
	pages2 := 0
	skuCell := regexp.MustCompile(`<td class="nowrap hide-sm"><span class="mono">([^<]+)</span>`)
	for next != "" && pages2 < 20 {
		res := b.get(next)
		for _, m := range skuCell.FindAllStringSubmatch(res.Body, -1) {
			if seen[m[1]] {
				t.Fatalf("SKU %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := regexp.MustCompile(`href="(/catalog\?[^"]*after=[^"]+)">Next page`).FindStringSubmatch(res.Body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
		pages2++
	}
	var variants int64
	a.DB.Raw("SELECT count(*) FROM variants").Scan(&variants)
	if int64(len(seen)) != variants {
		t.Fatalf("paging by SKU saw %d variants of %d", len(seen), variants)
	}

	// Export is a Shopify CSV of every variant.
	res = b.get("/catalog/export.csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Body, "Handle,Title,Body (HTML),Vendor") || strings.Count(res.Body, "\n") != int(variants)+1 {
		t.Fatalf("export: %d, %d lines, starts %q", res.StatusCode, strings.Count(res.Body, "\n"), snippet(res.Body)[:60])
	}
}

func TestProductAndVariantForms(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	b, _ := a.signedIn(models.RoleManager)
	cat, _ := models.CreateCategory(ctx, a.DB, nil, "Apparel")

	b.get("/products/new")
	res := b.postForm("/products", url.Values{"title": {""}, "category_id": {"999"}, "status": {"active"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty title: %d", res.StatusCode)
	}
	mustContain(t, "product form", res, "enter a title")
	res = b.postForm("/products", url.Values{"title": {"Ghost"}, "category_id": {"999"}, "status": {"active"}})
	mustContain(t, "unknown category", res, "choose a category from the list")
	res = b.postForm("/products", url.Values{"title": {"Linen Shirt"}, "category_id": {fmt.Sprint(cat.ID)}, "status": {"active"},
		"option1": {"Size"}, "option2": {"Colour"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create product: %d %s", res.StatusCode, snippet(res.Body))
	}
	loc := res.Header.Get("Location")
	p, err := models.GetProduct(ctx, a.DB, mustID(t, loc))
	if err != nil || p.Handle != "linen-shirt" || len(p.OptionNames) != 2 {
		t.Fatalf("product: %+v %v", p, err)
	}

	// The option matrix makes sizes x colours.
	b.get(loc)
	res = b.postForm(fmt.Sprintf("/products/%d/matrix", p.ID), url.Values{"values1": {"S, M, L"}, "values2": {"Navy, Sand"}, "sku_prefix": {"LS"}, "price": {"49.00"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("matrix: %d %s", res.StatusCode, snippet(res.Body))
	}
	res = b.get(loc)
	mustContain(t, "product page", res, "LS-M-NAVY", "LS-L-SAND", "Added 6 variants", "No supplier maps this variant.")

	// Bad variants: the error is next to the field and nothing is written.
	b.get(fmt.Sprintf("/products/%d/variants/new", p.ID))
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"sku": {"LS-M-NAVY"}, "option.Size": {"XL"}, "option.Colour": {"Navy"}, "price": {"10"}}, "another variant already uses this SKU"},
		{url.Values{"sku": {"LS-X"}, "option.Size": {"M"}, "option.Colour": {"Navy"}, "price": {"10"}}, "another variant of this product has these options"},
		{url.Values{"sku": {"LS-Y"}, "option.Size": {"XL"}, "option.Colour": {""}, "price": {"10"}}, "enter the colour"},
		{url.Values{"sku": {"LS-Z"}, "option.Size": {"XL"}, "option.Colour": {"Red"}, "price": {"-4.00"}}, "a price can&#39;t be below zero"},
	} {
		res := b.postForm(fmt.Sprintf("/products/%d/variants", p.ID), c.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.want) {
			t.Errorf("variant %v: %d, want 422 with %q", c.form, res.StatusCode, c.want)
		}
	}
	var n int64
	a.DB.Raw("SELECT count(*) FROM variants").Scan(&n)
	if n != 6 {
		t.Fatalf("%d variants after refused forms, want 6", n)
	}
	v, _ := models.GetVariantBySKU(ctx, a.DB, "LS-M-NAVY")
	b.get(fmt.Sprintf("/variants/%d/edit", v.ID))
	res = b.postForm(fmt.Sprintf("/variants/%d", v.ID), url.Values{"sku": {"LS-M-NAVY"}, "option.Size": {"M"}, "option.Colour": {"Navy"},
		"price": {"52.50"}, "currency": {"USD"}, "status": {"active"}, "barcode": {"4006381333931"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit variant: %d %s", res.StatusCode, snippet(res.Body))
	}
	v, _ = models.GetVariant(ctx, a.DB, v.ID)
	if v.PriceCents != 5250 || v.Barcode != "4006381333931" {
		t.Fatalf("variant after edit: %+v", v)
	}
	b.get(fmt.Sprintf("/products/%d/edit", p.ID))
	res = b.postForm(fmt.Sprintf("/products/%d", p.ID), url.Values{"title": {"Linen Shirt"}, "handle": {"linen-shirt"}, "status": {"draft"}, "option1": {"Size"}})
	mustContain(t, "dropping an option", res, "keep 2")
	res = b.postForm("/categories", url.Values{"name": {"apparel"}})
	mustContain(t, "duplicate category", res, "a category with this name exists")
	entries, _ := models.ListAudit(ctx, a.DB, "", "", 20)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"product.create", "variant.generate", "variant.update"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}

func mustID(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path[strings.LastIndex(path, "/")+1:], "%d", &id); err != nil {
		t.Fatalf("no id in %q", path)
	}
	return id
}

func TestSupplierPagesKeepSecretsWriteOnly(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	b, _ := a.signedIn(models.RoleManager)
	const token = "tok_live_9f8e7d6c5b4a"
	b.get("/suppliers/new")
	form := url.Values{"code": {"ACME"}, "name": {"Acme"}, "status": {"active"}, "connection_kind": {"rest"},
		"conn_url": {"https://api.acme.example/v1"}, "conn_auth_type": {"bearer"}, "secret_token": {token},
		"ships_from_country": {"US"}, "currency": {"USD"}, "handling_days": {"1"}, "safety_buffer": {"2"},
		"feed_guard_pct": {"50"}, "allowed_lag_minutes": {"60"}, "schedule": {"15m"}, "missing_sku_policy": {"zero"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("ships_from_country", "USA")
	res := b.postForm("/suppliers", bad)
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(res.Body, token) {
		t.Fatalf("refused form: %d, echoes the token: %v", res.StatusCode, strings.Contains(res.Body, token))
	}
	mustContain(t, "refused supplier", res, "use a two-letter country code")
	res = b.postForm("/suppliers", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create supplier: %d %s", res.StatusCode, snippet(res.Body))
	}
	id := mustID(t, res.Header.Get("Location"))
	for _, p := range []string{fmt.Sprintf("/suppliers/%d", id), fmt.Sprintf("/suppliers/%d/edit", id), "/suppliers", "/audit"} {
		res := b.get(p)
		if strings.Contains(res.Body, token) || strings.Contains(res.Body, "v1:") {
			t.Errorf("%s shows the token or its sealed form", p)
		}
	}
	mustContain(t, "edit page", b.get(fmt.Sprintf("/suppliers/%d/edit", id)), "set — leave blank to keep it", "Clear the stored Token")
	// Saving with the token field blank keeps it.
	form.Set("secret_token", "")
	form.Set("name", "Acme Wholesale")
	if res := b.postForm(fmt.Sprintf("/suppliers/%d", id), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d %s", res.StatusCode, snippet(res.Body))
	}
	s, _ := models.GetSupplier(ctx, a.DB, id)
	box, _ := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	if got, _ := s.Secret(box, models.SecretToken); got != token || s.Name != "Acme Wholesale" {
		t.Fatalf("after a blank save: token %q name %q", got, s.Name)
	}
	// Clearing it while the auth needs it is refused with the reason.
	form.Set("clear_token", "true")
	res = b.postForm(fmt.Sprintf("/suppliers/%d", id), form)
	mustContain(t, "clear needed secret", res, "enter the token")

	// Pause takes the supplier's stock out of the pool.
	_, vs := createVariantFor(t, a, "Mug")
	if _, err := models.CreateOffer(ctx, a.DB, nil, models.OfferInput{SupplierID: id, VariantID: vs.ID, SupplierSKU: "ACME-000001", ReportedQuantity: 12, MinQuantity: 1}); err != nil {
		t.Fatal(err)
	}
	b.get(fmt.Sprintf("/suppliers/%d", id))
	b.postForm(fmt.Sprintf("/suppliers/%d/status", id), url.Values{"status": {"paused"}})
	if p, _ := models.PoolOf(ctx, a.DB, vs.ID); p.Available != 0 {
		t.Fatalf("paused supplier still supplies %d", p.Available)
	}
	b.postForm(fmt.Sprintf("/suppliers/%d/status", id), url.Values{"status": {"active"}})
	if p, _ := models.PoolOf(ctx, a.DB, vs.ID); p.Available != 10 {
		t.Fatalf("active supplier supplies %d, want 12-2", p.Available)
	}
	// Deleting a supplier with offers asks first, then deactivates and keeps the offers.
	res = b.get(fmt.Sprintf("/suppliers/%d/delete", id))
	mustContain(t, "delete confirmation", res, "it is deactivated instead of deleted", "Deactivate ACME")
	res = b.postForm(fmt.Sprintf("/suppliers/%d/delete", id), url.Values{"reason": {"stopped trading"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	s, _ = models.GetSupplier(ctx, a.DB, id)
	offers, _ := models.ListOffersForVariants(ctx, a.DB, []int64{vs.ID})
	if s.Status != models.SupplierDeactivated || len(offers) != 1 {
		t.Fatalf("after delete: status %s, %d offers", s.Status, len(offers))
	}
}

func createVariantFor(t *testing.T, a *testApp, title string) (*models.Product, *models.Variant) {
	t.Helper()
	p, err := models.CreateProduct(context.Background(), a.DB, nil, models.ProductInput{Title: title})
	if err != nil {
		t.Fatal(err)
	}
	v, err := models.CreateVariant(context.Background(), a.DB, nil, p.ID, models.VariantInput{SKU: strings.ToUpper(p.Handle), PriceCents: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return p, v
}

func TestOfferInlineEditAndMappingActions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	seedDemoCatalog(t, a)
	ctx := context.Background()
	b, _ := a.signedIn(models.RoleManager)
	rows, _, _ := models.SearchCatalog(ctx, a.DB, models.CatalogFilter{Stock: models.StockIn, Limit: 1})
	v := rows[0]
	offers, _ := models.ListOffersForVariants(ctx, a.DB, []int64{v.VariantID})
	o := offers[0]
	page := fmt.Sprintf("/variants/%d/offers", v.VariantID)
	b.get(page)
	edit := url.Values{"supplier_sku": {o.SupplierSKU}, "unit_cost": {"-1"}, "shipping_cost": {"2.00"}, "reported_quantity": {"40"},
		"lead_time_days": {"3"}, "min_quantity": {"1"}, "currency": {o.Currency}, "active": {"true"}, "reason": {"phone call"}}
	res := b.postForm(fmt.Sprintf("/offers/%d", o.ID), edit)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("negative cost: %d", res.StatusCode)
	}
	mustContain(t, "row error", res, "row-errors", "enter an amount of zero or more")
	edit.Set("unit_cost", "11.20")
	if res := b.postForm(fmt.Sprintf("/offers/%d", o.ID), edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save row: %d %s", res.StatusCode, snippet(res.Body))
	}
	saved, _ := models.GetOffer(ctx, a.DB, o.ID)
	if saved.UnitCostCents != 1120 || saved.ReportedQuantity != 40 {
		t.Fatalf("saved offer %+v", saved)
	}
	b.postForm(fmt.Sprintf("/offers/%d/active", o.ID), url.Values{"active": {"false"}})
	if saved, _ = models.GetOffer(ctx, a.DB, o.ID); !saved.Active {
		t.Fatal("a mapping was turned off without a reason")
	}
	b.postForm(fmt.Sprintf("/offers/%d/active", o.ID), url.Values{"active": {"false"}, "reason": {"supplier stopped the line"}})
	if saved, _ = models.GetOffer(ctx, a.DB, o.ID); saved.Active {
		t.Fatal("offer still active")
	}
	// Add a mapping for a supplier that already maps the variant: refused next to the field.
	res = b.postForm("/offers", url.Values{"variant_id": {fmt.Sprint(v.VariantID)}, "supplier_id": {fmt.Sprint(o.SupplierID)}, "supplier_sku": {"NEW-1"}})
	mustContain(t, "duplicate mapping", res, "already maps this variant as "+o.SupplierSKU)

	// Queue: ignore, restore, map.
	unm, _ := models.ListUnmapped(ctx, a.DB, models.UnmappedFilter{Limit: 1})
	u := unm[0]
	b.get("/mapping")
	b.postForm(fmt.Sprintf("/mapping/unmapped/%d/ignore", u.ID), nil)
	if r, _ := models.GetUnmapped(ctx, a.DB, u.ID); r.Status != models.UnmappedIgnored {
		t.Fatalf("status after ignore %s", r.Status)
	}
	mustContain(t, "ignored filter", b.get("/mapping?status=ignored"), u.SupplierSKU, "Back to the queue")
	b.postForm(fmt.Sprintf("/mapping/unmapped/%d/restore", u.ID), nil)
	res = b.postForm(fmt.Sprintf("/mapping/unmapped/%d/map", u.ID), url.Values{"variant_id": {"0"}})
	mustContain(t, "map without variant", res, "Not mapped: choose a variant")

	// Bulk mapping: a bad file writes nothing and lists every bad line.
	b.get("/mapping")
	res = b.upload("/mapping/import", "file", "map.csv", "supplier_code,supplier_sku,merchant_sku\nZED,Z-1,X\nACME,ACME-999999,NOPE\n")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad mapping file: %d", res.StatusCode)
	}
	mustContain(t, "bulk errors", res, "2 rows have errors; nothing was written", "no supplier has the code ZED", "no variant has the SKU NOPE")
	res = b.upload("/mapping/import", "file", "map.csv", "sku,qty\n1,2\n")
	mustContain(t, "wrong columns", res, "wrong columns")
	res = b.upload("/mapping/import", "file", "map.csv", "supplier_code,supplier_sku,merchant_sku\n"+
		strings.Split(u.SupplierSKU, "-")[0]+","+u.SupplierSKU+","+rows[0].SKU+"\n")
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("good mapping file: %d", res.StatusCode)
	}
}

func TestCatalogImportOverHTTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	b, _ := a.signedIn(models.RoleManager)
	models.CreateCategory(ctx, a.DB, nil, "Apparel") //nolint:errcheck
	b.get("/catalog/import")
	res := b.upload("/catalog/import", "file", "bad.csv", "Name,Price\nx,1\n")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, snippet(res.Body))
	}
	show := res.Header.Get("Location")
	waitImport(t, a, mustID(t, show))
	mustContain(t, "refused file", b.get(show), "Wrong columns", "Nothing was written")

	body := "Handle,Title,Product Category,Option1 Name,Option1 Value,Variant SKU,Variant Price\n" +
		"wool-hat,Wool Hat,Apparel,Colour,Grey,HAT-GRY,19.00\n" +
		"wool-hat,,,,Navy,HAT-NVY,19.00\n" +
		"wool-hat,,,,Navy,HAT-NVY-2,19.00\n"
	res = b.upload("/catalog/import", "file", "hats.csv", body)
	show = res.Header.Get("Location")
	id := mustID(t, show)
	waitImport(t, a, id)
	res = b.get(show)
	mustContain(t, "preview", res, "Apply 2 valid rows", "line 3 has the same options", "Download rejected rows")
	var n int64
	a.DB.Raw("SELECT count(*) FROM variants").Scan(&n)
	if n != 0 {
		t.Fatal("the preview wrote variants")
	}
	res = b.get(show + "/rejected.csv")
	if !strings.Contains(res.Body, "HAT-NVY-2") || !strings.Contains(res.Body, "same options") {
		t.Fatalf("rejected rows: %s", res.Body)
	}
	res = b.postForm(show+"/apply", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d %s", res.StatusCode, snippet(res.Body))
	}
	a.DB.Raw("SELECT count(*) FROM variants").Scan(&n)
	if n != 2 {
		t.Fatalf("%d variants after apply, want 2", n)
	}
	res = b.postForm(show+"/apply", nil)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second apply: %d", res.StatusCode)
	}
	// While a file is read, the page polls itself.
	imp, _ := models.StoreCatalogImport(ctx, a.DB, nil, "slow.csv", 10, strings.NewReader("Handle,X\n"))
	res = b.get(fmt.Sprintf("/catalog/import/%d", imp.ID), "HX-Request", "true")
	mustContain(t, "progress fragment", res, `hx-trigger="every 1s"`, "<progress")
}

func waitImport(t *testing.T, a *testApp, id int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		imp, err := models.GetCatalogImport(context.Background(), a.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		if !imp.Busy() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("import %d still busy", id)
}
