package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"dropship/models"
	"dropship/models/dbtest"
	"dropship/models/demo"
)

func fieldErrors(t *testing.T, err error) models.FieldErrors {
	t.Helper()
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	return fe
}

func TestVariantRules(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()

	// A product without options may have one variant with no options; a second one is refused.
	plain, vs := mustProduct(t, db, "Gift Card", nil, models.VariantInput{SKU: "GIFT", PriceCents: 5000})
	_, err := models.CreateVariant(ctx, db, nil, plain.ID, models.VariantInput{SKU: "GIFT-2", PriceCents: 5000})
	if fe := fieldErrors(t, err); fe["options"] == "" {
		t.Fatalf("second option-less variant: %v", fe)
	}

	shirt, _ := mustProduct(t, db, "Linen Shirt", []string{"Size", "Colour"},
		models.VariantInput{SKU: "LS-M-NAVY", Options: models.Options{"Size": "M", "Colour": "Navy"}, PriceCents: 4900})
	cases := []struct {
		name  string
		in    models.VariantInput
		field string
	}{
		{"duplicate SKU", models.VariantInput{SKU: "GIFT", Options: models.Options{"Size": "L", "Colour": "Navy"}}, "sku"},
		{"same options", models.VariantInput{SKU: "LS-M-NAVY-2", Options: models.Options{"Size": "M", "Colour": "Navy"}}, "options"},
		{"missing option", models.VariantInput{SKU: "LS-L", Options: models.Options{"Size": "L"}}, "option.Colour"},
		{"no options", models.VariantInput{SKU: "LS-X"}, "option.Size"},
		{"unknown option", models.VariantInput{SKU: "LS-Y", Options: models.Options{"Size": "L", "Colour": "Red", "Fit": "Slim"}}, "options"},
		{"negative price", models.VariantInput{SKU: "LS-Z", Options: models.Options{"Size": "S", "Colour": "Red"}, PriceCents: -1}, "price"},
		{"bad SKU", models.VariantInput{SKU: "has space", Options: models.Options{"Size": "S", "Colour": "Red"}}, "sku"},
	}
	for _, c := range cases {
		_, err := models.CreateVariant(ctx, db, nil, shirt.ID, c.in)
		if fe := fieldErrors(t, err); fe[c.field] == "" {
			t.Errorf("%s: no error on %s: %v", c.name, c.field, fe)
		}
	}
	var n int64
	db.Raw("SELECT count(*) FROM variants WHERE product_id = ?", shirt.ID).Scan(&n)
	if n != 1 {
		t.Fatalf("refused variants were written: %d variants", n)
	}

	// Unknown category is a field error.
	missing := int64(999)
	_, err = models.CreateProduct(ctx, db, nil, models.ProductInput{Title: "Ghost", CategoryID: &missing})
	if fe := fieldErrors(t, err); fe["category_id"] == "" {
		t.Fatalf("unknown category: %v", fe)
	}
	// Renaming an option renames it in the variants.
	_, err = models.UpdateProduct(ctx, db, nil, shirt.ID, models.ProductInput{Title: "Linen Shirt", Handle: shirt.Handle, OptionNames: []string{"Size", "Color"}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := models.GetVariantBySKU(ctx, db, "LS-M-NAVY")
	if v.Options["Color"] != "Navy" || v.Options["Colour"] != "" {
		t.Fatalf("options after rename: %v", v.Options)
	}
	_, err = models.UpdateProduct(ctx, db, nil, shirt.ID, models.ProductInput{Title: "Linen Shirt", Handle: shirt.Handle, OptionNames: []string{"Size"}})
	if fe := fieldErrors(t, err); fe["option_names"] == "" {
		t.Fatalf("dropping an option with variants: %v", fe)
	}
	_ = vs
}

func TestParseCents(t *testing.T) {
	t.Parallel()
	good := map[string]int64{"0": 0, "12": 1200, "12.5": 1250, "12.50": 1250, " 3.07 ": 307}
	for in, want := range good {
		if got, err := models.ParseCents(in); err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"-1", "-0.01", "1.234", "abc", "", "1,50", "1e3"} {
		if _, err := models.ParseCents(in); !errors.Is(err, models.ErrBadAmount) {
			t.Errorf("ParseCents(%q) accepted", in)
		}
	}
}

func TestSuggestionOrder(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	// The barcode match has a title and SKU unlike the supplier's; it must still come first.
	_, byBarcode := mustProduct(t, db, "Enamel Camp Mug", nil, models.VariantInput{SKU: "MUG-ENAMEL", Barcode: "4006381333931", PriceCents: 1400})
	_, bySKU := mustProduct(t, db, "Desk Lamp", nil, models.VariantInput{SKU: "LAMP-BRASS-01", PriceCents: 8900})
	_, byTitle := mustProduct(t, db, "Merino Wool Beanie", []string{"Colour"},
		models.VariantInput{SKU: "BEANIE-GRY", Options: models.Options{"Colour": "Grey"}, PriceCents: 2900},
		models.VariantInput{SKU: "BEANIE-NVY", Options: models.Options{"Colour": "Navy"}, PriceCents: 2900})
	mustProduct(t, db, "Garden Hose", nil, models.VariantInput{SKU: "HOSE-25M", PriceCents: 3900})
	acme := mustSupplier(t, db, "ACME", 0)

	err := models.RecordUnmapped(ctx, db, acme.ID, models.UnmappedSighting{SupplierSKU: "ACME-LAMP-BRASS-01",
		Title: "Merino wool beanie, navy", Barcode: "4006381333931", ReportedQuantity: 7})
	if err != nil {
		t.Fatal(err)
	}
	var u models.UnmappedSKU
	db.Where("supplier_sku = ?", "ACME-LAMP-BRASS-01").First(&u)
	got, err := models.Suggest(ctx, db, u.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 4 {
		t.Fatalf("got %d suggestions: %+v", len(got), got)
	}
	want := []struct {
		id    int64
		match string
	}{{byBarcode[0].ID, models.MatchBarcode}, {bySKU[0].ID, models.MatchSKU}, {byTitle[1].ID, models.MatchTitle}, {byTitle[0].ID, models.MatchTitle}}
	for i, w := range want {
		if got[i].VariantID != w.id || got[i].Match != w.match {
			t.Fatalf("suggestion %d = %s (%s %.2f), want variant %d by %s; all: %+v", i, got[i].SKU, got[i].Match, got[i].Score, w.id, w.match, got)
		}
	}
	for _, s := range got {
		if s.SKU == "HOSE-25M" {
			t.Fatalf("an unrelated variant was suggested: %+v", s)
		}
	}

	// Accepting a suggestion maps it with the reported quantity: the pool moves.
	if available(t, db, byTitle[1].ID) != 0 {
		t.Fatal("pool not empty before mapping")
	}
	o, err := models.MapUnmapped(ctx, db, nil, u.ID, byTitle[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.SupplierSKU != "ACME-LAMP-BRASS-01" || available(t, db, byTitle[1].ID) != 7 {
		t.Fatalf("after mapping: offer %+v, available %d; want 7", o, available(t, db, byTitle[1].ID))
	}
	row, _ := models.GetUnmapped(ctx, db, u.ID)
	if row.Status != models.UnmappedMapped {
		t.Fatalf("queue status %s", row.Status)
	}
	if _, err := models.MapUnmapped(ctx, db, nil, u.ID, byBarcode[0].ID); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("mapping twice: %v", err)
	}
	// The variant now mapped by ACME is no longer suggested for ACME's other SKUs.
	models.RecordUnmapped(ctx, db, acme.ID, models.UnmappedSighting{SupplierSKU: "ACME-BEANIE", Title: "Merino Wool Beanie Navy"})
	var u2 models.UnmappedSKU
	db.Where("supplier_sku = ?", "ACME-BEANIE").First(&u2)
	got, _ = models.Suggest(ctx, db, u2.ID, 5)
	for _, s := range got {
		if s.VariantID == byTitle[1].ID {
			t.Fatal("a variant ACME already maps was suggested again")
		}
	}
}

func TestOfferMappingRules(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	_, vs := mustProduct(t, db, "Socks", []string{"Size"},
		models.VariantInput{SKU: "SOCK-S", Options: models.Options{"Size": "S"}, PriceCents: 900},
		models.VariantInput{SKU: "SOCK-M", Options: models.Options{"Size": "M"}, PriceCents: 900})
	acme := mustSupplier(t, db, "ACME", 0)
	o := mustOffer(t, db, acme, vs[0], "ACME-000001", 3)
	_, err := models.CreateOffer(ctx, db, nil, models.OfferInput{SupplierID: acme.ID, VariantID: vs[1].ID, SupplierSKU: "ACME-000001"})
	if fe := fieldErrors(t, err); fe["supplier_sku"] == "" {
		t.Fatalf("same supplier SKU twice: %v", fe)
	}
	_, err = models.CreateOffer(ctx, db, nil, models.OfferInput{SupplierID: acme.ID, VariantID: vs[0].ID, SupplierSKU: "ACME-000002"})
	if fe := fieldErrors(t, err); fe["supplier_id"] == "" {
		t.Fatalf("same variant twice at one supplier: %v", fe)
	}
	_, err = models.UpdateOffer(ctx, db, nil, o.ID, models.OfferInput{SupplierSKU: "ACME-000001", UnitCostCents: -5, MinQuantity: 1})
	if fe := fieldErrors(t, err); fe["unit_cost"] == "" {
		t.Fatalf("negative cost: %v", fe)
	}
	_, err = models.UpdateOffer(ctx, db, nil, o.ID, models.OfferInput{SupplierSKU: "ACME-000001", UnitCostCents: 450, ReportedQuantity: 12,
		MinQuantity: 1, Active: true, Reason: "counted on the phone"})
	if err != nil {
		t.Fatal(err)
	}
	if available(t, db, vs[0].ID) != 12 {
		t.Fatal("manual quantity did not reach the pool")
	}
	entries, _ := models.ListAudit(ctx, db, "offer", "", 5)
	if len(entries) == 0 || entries[0].Action != "offer.update" || entries[0].Reason != "counted on the phone" || entries[0].Actor == "" {
		t.Fatalf("audit: %+v", entries)
	}
}

func TestBulkMappingCSV(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	_, vs := mustProduct(t, db, "Socks", []string{"Size"},
		models.VariantInput{SKU: "SOCK-S", Options: models.Options{"Size": "S"}, PriceCents: 900},
		models.VariantInput{SKU: "SOCK-M", Options: models.Options{"Size": "M"}, PriceCents: 900},
		models.VariantInput{SKU: "SOCK-L", Options: models.Options{"Size": "L"}, PriceCents: 900})
	acme := mustSupplier(t, db, "ACME", 0)
	mustOffer(t, db, acme, vs[2], "ACME-000003", 4)
	models.RecordUnmapped(ctx, db, acme.ID, models.UnmappedSighting{SupplierSKU: "ACME-000001", ReportedQuantity: 11})

	bad := "supplier_code,supplier_sku,merchant_sku\nACME,ACME-000001,SOCK-S\nZED,Z-1,SOCK-M\nACME,ACME-000002,NOPE\nACME,ACME-000001,SOCK-M\nACME,ACME-000009,SOCK-L\n"
	res, err := models.ImportMappings(ctx, db, nil, strings.NewReader(bad))
	if !errors.Is(err, models.ErrImportRejected) || len(res.Errors) != 4 {
		t.Fatalf("bad file: %v %+v", err, res)
	}
	for i, want := range []struct {
		line int
		text string
	}{{3, "no supplier has the code ZED"}, {4, "no variant has the SKU NOPE"}, {5, "also on line 2"}, {6, "already maps SOCK-L as ACME-000003"}} {
		if res.Errors[i].Line != want.line || !strings.Contains(res.Errors[i].Reason, want.text) {
			t.Errorf("error %d = %+v, want line %d %q", i, res.Errors[i], want.line, want.text)
		}
	}
	var n int64
	db.Raw("SELECT count(*) FROM offers").Scan(&n)
	if n != 1 {
		t.Fatalf("a refused file wrote offers: %d", n)
	}
	res, err = models.ImportMappings(ctx, db, nil, strings.NewReader("Name,SKU\nx,y\n"))
	if !errors.Is(err, models.ErrImportRejected) || !strings.Contains(res.FileError, "wrong columns") {
		t.Fatalf("wrong columns: %v %+v", err, res)
	}

	good := "supplier_code,supplier_sku,merchant_sku\nacme,ACME-000001,SOCK-S\nACME,ACME-000003,SOCK-L\nACME,ACME-000002,SOCK-M\n"
	res, err = models.ImportMappings(ctx, db, nil, strings.NewReader(good))
	if err != nil || res.Created != 2 || res.Unchanged != 1 {
		t.Fatalf("good file: %v %+v", err, res)
	}
	if available(t, db, vs[0].ID) != 11 {
		t.Fatalf("mapped from the unmapped queue: available %d, want 11", available(t, db, vs[0].ID))
	}
	// Remapping a supplier SKU to another variant moves the offer.
	if _, err := models.SetOfferActive(ctx, db, nil, 0, false, ""); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown offer: %v", err)
	}
}

// TestCatalogPagesEveryOrder walks the whole catalog page by page in every
// sort order, both directions: every variant comes exactly once.
func TestCatalogPagesEveryOrder(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	box, _ := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	if _, err := demo.Seed(ctx, db, box); err != nil {
		t.Fatal(err)
	}
	counts, _ := models.CountCatalog(ctx, db)
	for _, sort := range models.SortKeys {
		for _, desc := range []bool{false, true} {
			seen := map[int64]bool{}
			after := ""
			for page := 0; page < 100; page++ {
				rows, next, err := models.SearchCatalog(ctx, db, models.CatalogFilter{Sort: sort, Desc: desc, After: after, Limit: 37})
				if err != nil {
					t.Fatalf("%s desc=%v page %d: %v", sort, desc, page+1, err)
				}
				for _, r := range rows {
					if seen[r.VariantID] {
						t.Fatalf("%s desc=%v: variant %d on two pages", sort, desc, r.VariantID)
					}
					seen[r.VariantID] = true
				}
				if next == "" {
					break
				}
				after = next
			}
			if int64(len(seen)) != counts.Variants {
				t.Errorf("%s desc=%v: walked %d variants, the catalog has %d", sort, desc, len(seen), counts.Variants)
			}
		}
	}
}

// TestStockAdjustmentsNeedAReason: a hand-made change of a reported quantity
// or of a mapping's on/off state is refused without a reason, and audited with it.
func TestStockAdjustmentsNeedAReason(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	_, vs := mustProduct(t, db, "Mug", nil, models.VariantInput{SKU: "MUG-1", PriceCents: 900})
	sup := mustSupplier(t, db, "ADJ", 0)
	o := mustOffer(t, db, sup, vs[0], "ADJ-1", 10)
	in := models.OfferInput{SupplierSKU: "ADJ-1", ReportedQuantity: 4, MinQuantity: 1, Active: true, UnitCostCents: 500}
	if _, err := models.UpdateOffer(ctx, db, nil, o.ID, in); fieldErrors(t, err)["reason"] == "" {
		t.Fatalf("quantity changed without a reason: %v", err)
	}
	if available(t, db, vs[0].ID) != 10 {
		t.Fatal("a refused adjustment changed the pool")
	}
	in.Reason = "counted the shelf"
	if _, err := models.UpdateOffer(ctx, db, nil, o.ID, in); err != nil {
		t.Fatal(err)
	}
	entries, _ := models.ListAudit(ctx, db, "offer", fmt.Sprint(o.ID), 1)
	if len(entries) != 1 || entries[0].Reason != "counted the shelf" {
		t.Errorf("audit of the adjustment: %+v", entries)
	}
	if _, err := models.SetOfferActive(ctx, db, nil, o.ID, false, " "); fieldErrors(t, err)["reason"] == "" {
		t.Errorf("turned off without a reason: %v", err)
	}
}
