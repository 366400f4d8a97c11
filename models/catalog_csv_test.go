package models_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"dropship/models"
	"dropship/models/dbtest"
)

// importFile stores and parses a CSV, returning the import after the preview.
func importFile(t *testing.T, db *gorm.DB, body string) *models.CatalogImport {
	t.Helper()
	ctx := context.Background()
	imp, err := models.StoreCatalogImport(ctx, db, nil, "products.csv", int64(len(body)), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.ParseCatalogImport(ctx, db, imp.ID); err != nil {
		t.Fatal(err)
	}
	imp, _ = models.GetCatalogImport(ctx, db, imp.ID)
	return imp
}

const importHeader = "Handle,Title,Body (HTML),Vendor,Product Category,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Grams,Variant Price,Variant Barcode,Status\n"

func TestCatalogImportErrorsPerRow(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	if _, err := models.CreateCategory(ctx, db, nil, "Apparel"); err != nil {
		t.Fatal(err)
	}
	_, existing := mustProduct(t, db, "Canvas Tote", nil, models.VariantInput{SKU: "TOTE", PriceCents: 2500})
	body := importHeader +
		"linen-shirt,Linen Shirt,<p>Soft</p>,Harbour,Apparel,Size,S,Colour,Navy,LS-S-NAVY,210,49.00,123456789012,active\n" + // 2 create
		"linen-shirt,,,,,,M,,Navy,LS-M-NAVY,220,49.00,,\n" + // 3 create
		"linen-shirt,,,,,,M,,Navy,LS-M-NAVY-2,220,49.00,,\n" + // 4 same options as line 3
		"linen-shirt,,,,,,L,,Navy,LS-S-NAVY,220,49.00,,\n" + // 5 duplicate SKU of line 2
		"linen-shirt,,,,,,XL,,Navy,LS-XL-NAVY,220,-3.00,,\n" + // 6 negative price
		"linen-shirt,,,,,,XXL,,,LS-XXL,220,49.00,,\n" + // 7 missing colour
		"wool-hat,Wool Hat,,,Headwear,,,,,HAT-1,90,19.00,,active\n" + // 8 unknown category
		"canvas-bag,Canvas Bag,,,,,,,,TOTE,100,25.00,,active\n" + // 9 SKU of another product
		"no-title,,,,,,,,,NT-1,100,5.00,,\n" + // 10 new product without a title
		"canvas-tote,,,,,,,,,TOTE,100,27.50,,\n" + // 11 update the existing variant
		"Bad Handle!,X,,,,,,,,BH-1,1,1.00,,\n" + // 12 bad handle
		"linen-shirt,,,,,,S,,Sand,LS-S-SAND,220,abc,,\n" + // 13 price not a number
		"short,row\n" // 14 wrong column count
	imp := importFile(t, db, body)
	if imp.Status != models.ImportPreviewed {
		t.Fatalf("status %s: %s", imp.Status, imp.Error)
	}
	rows, err := models.ListImportRows(ctx, db, imp.ID, models.ImportRowFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct{ action, reason string }{
		2: {"create", ""}, 3: {"create", ""},
		4:  {"error", "line 3 has the same options"},
		5:  {"error", "also on line 2"},
		6:  {"error", "below zero"},
		7:  {"error", "Option2 Value (Colour) is empty"},
		8:  {"error", `unknown category "Headwear"`},
		9:  {"error", "belongs to product canvas-tote"},
		10: {"error", "has no Title"},
		11: {"update", ""},
		12: {"error", "Handle"},
		13: {"error", "not an amount"},
		14: {"error", "has 2 columns"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows staged, want %d: %+v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		w := want[r.Line]
		if r.Action != w.action || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("line %d: %s %q, want %s %q", r.Line, r.Action, r.Reason, w.action, w.reason)
		}
	}
	if imp.RowsCreate != 2 || imp.RowsUpdate != 1 || imp.RowsError != 10 {
		t.Fatalf("counts: create %d update %d error %d", imp.RowsCreate, imp.RowsUpdate, imp.RowsError)
	}
	// The preview wrote nothing to the catalog.
	var n int64
	db.Raw("SELECT count(*) FROM variants").Scan(&n)
	if n != 1 {
		t.Fatalf("the preview wrote variants: %d", n)
	}

	// Rejected rows download as CSV with their reasons.
	var buf bytes.Buffer
	if err := models.WriteRejectedRows(ctx, db, imp.ID, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 11 || recs[0][0] != "Line" || recs[0][len(recs[0])-1] != "Error" || recs[1][0] != "4" || recs[1][10] != "LS-M-NAVY-2" {
		t.Fatalf("rejected rows file: %v", recs[:2])
	}

	// Apply writes the valid rows in one go.
	if _, err := models.ApplyCatalogImport(ctx, db, nil, imp.ID); err != nil {
		t.Fatal(err)
	}
	v, err := models.GetVariantBySKU(ctx, db, "LS-M-NAVY")
	if err != nil || v.Options["Size"] != "M" || v.PriceCents != 4900 || v.WeightGrams != 220 {
		t.Fatalf("imported variant: %+v %v", v, err)
	}
	tote, _ := models.GetVariant(ctx, db, existing[0].ID)
	if tote.PriceCents != 2750 {
		t.Fatalf("updated price %d, want 2750", tote.PriceCents)
	}
	p, _ := models.GetProduct(ctx, db, v.ProductID)
	if p.Title != "Linen Shirt" || p.CategoryID == nil || p.Vendor != "Harbour" {
		t.Fatalf("imported product: %+v", p)
	}
	if available(t, db, v.ID) != 0 {
		t.Fatal("an imported variant has stock")
	}
	if _, err := models.ApplyCatalogImport(ctx, db, nil, imp.ID); !errors.Is(err, models.ErrInvalidTransition) {
		t.Fatalf("applying twice: %v", err)
	}
}

func TestCatalogImportRefusesWholeFiles(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	cases := []struct{ name, body, want string }{
		{"wrong columns", "Name,SKU,Price\nShirt,S-1,10\n", "Wrong columns: the header lacks Handle, Variant SKU, Variant Price"},
		{"latin-1", importHeader + "caf\xe9-mug,Caf\xe9 Mug,,,,,,,,MUG-1,1,1.00,,\n", "not UTF-8"},
		{"binary", "\x00\x01\x02", "not UTF-8"},
	}
	for _, c := range cases {
		imp := importFile(t, db, c.body)
		if imp.Status != models.ImportFailed || !strings.Contains(imp.Error, c.want) {
			t.Errorf("%s: status %s error %q, want failed with %q", c.name, imp.Status, imp.Error, c.want)
		}
	}
	var n int64
	db.Raw("SELECT count(*) FROM catalog_import_rows").Scan(&n)
	if n != 0 {
		t.Fatalf("refused files left %d staged rows", n)
	}
	// A 50 MB file is refused before anything is stored.
	big := int64(50 << 20)
	_, err := models.StoreCatalogImport(ctx, db, nil, "huge.csv", big, strings.NewReader("x"))
	if fe := fieldErrors(t, err); !strings.Contains(fe["file"], "50.0 MB") {
		t.Fatalf("50 MB file: %v", fe)
	}
	// A file that lies about its size is stopped while it streams in.
	_, err = models.StoreCatalogImport(ctx, db, nil, "liar.csv", 10, bytes.NewReader(make([]byte, models.MaxImportBytes+1)))
	if fe := fieldErrors(t, err); fe["file"] == "" {
		t.Fatalf("oversized stream: %v", err)
	}
	db.Raw("SELECT count(*) FROM catalog_import_chunks").Scan(&n)
	var imports int64
	db.Raw("SELECT count(*) FROM catalog_imports WHERE filename IN ('huge.csv', 'liar.csv')").Scan(&imports)
	if imports != 0 {
		t.Fatal("an oversized upload was stored")
	}
}

func TestCatalogExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	mustProduct(t, db, "Linen Shirt", []string{"Size", "Colour"},
		models.VariantInput{SKU: "LS-S", Options: models.Options{"Size": "S", "Colour": "Navy"}, PriceCents: 4900, Barcode: "0001"},
		models.VariantInput{SKU: "LS-M", Options: models.Options{"Size": "M", "Colour": "Navy"}, PriceCents: 4950})
	mustProduct(t, db, "Gift Card", nil, models.VariantInput{SKU: "GIFT", PriceCents: 5000})
	var buf bytes.Buffer
	if err := models.ExportCatalogCSV(ctx, db, &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"Handle,Title,Body (HTML)", "gift-card,Gift Card,,,,,,true,Title,Default Title", "linen-shirt,,,,,,,,,M,,Navy,,,LS-M"} {
		if !strings.Contains(out, want) {
			t.Fatalf("export lacks %q:\n%s", want, out)
		}
	}
	// Importing the export back changes nothing and updates every row.
	imp := importFile(t, db, out)
	if imp.Status != models.ImportPreviewed || imp.RowsUpdate != 3 || imp.RowsError != 0 || imp.RowsCreate != 0 {
		rows, _ := models.ListImportRows(ctx, db, imp.ID, models.ImportRowFilter{})
		t.Fatalf("re-import: %+v %+v", imp, rows)
	}
}

func TestCatalogImportPartialFileKeepsProductOptions(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	mustProduct(t, db, "Canvas Tote", []string{"Colour"},
		models.VariantInput{SKU: "TOTE-NAT", Options: models.Options{"Colour": "Natural"}, PriceCents: 2500},
		models.VariantInput{SKU: "TOTE-BLK", Options: models.Options{"Colour": "Black"}, PriceCents: 2500})
	mustProduct(t, db, "Desk Lamp", []string{"Finish", "Plug"})
	// A price update that names no options: the product's own are used.
	body := "Handle,Option1 Value,Option2 Value,Variant SKU,Variant Price\n" +
		"canvas-tote,Natural,,TOTE-NAT,26.00\n" +
		"canvas-tote,Olive,,TOTE-OLV,26.00\n" +
		"desk-lamp,Brass,,LAMP-BR,60.00\n" + // two options, one value
		"new-thing,Red,,NEW-1,5.00\n" // values for a product that has no option names
	imp := importFile(t, db, body)
	rows, _ := models.ListImportRows(ctx, db, imp.ID, models.ImportRowFilter{})
	want := map[int]string{2: "update", 3: "create", 4: "error", 5: "error"}
	for _, r := range rows {
		if r.Action != want[r.Line] {
			t.Errorf("line %d: %s %q, want %s", r.Line, r.Action, r.Reason, want[r.Line])
		}
		if r.Action == "error" && r.Reason == "" {
			t.Errorf("line %d refused without a reason", r.Line)
		}
	}
	if _, err := models.ApplyCatalogImport(ctx, db, nil, imp.ID); err != nil {
		t.Fatal(err)
	}
	v, err := models.GetVariantBySKU(ctx, db, "TOTE-OLV")
	if err != nil || v.Options["Colour"] != "Olive" {
		t.Fatalf("new variant: %+v %v", v, err)
	}
}

func TestStaleImportsFail(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	imp, err := models.StoreCatalogImport(ctx, db, nil, "dead.csv", 10, strings.NewReader("Handle,Variant SKU,Variant Price\n"))
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("UPDATE catalog_imports SET status = 'parsing', updated_at = now() - interval '11 minutes' WHERE id = ?", imp.ID)
	fresh, _ := models.StoreCatalogImport(ctx, db, nil, "live.csv", 10, strings.NewReader("Handle,Variant SKU,Variant Price\n"))
	n, err := models.FailStaleImports(ctx, db)
	if err != nil || n != 1 {
		t.Fatalf("failed %d imports, %v; want 1", n, err)
	}
	got, _ := models.GetCatalogImport(ctx, db, imp.ID)
	live, _ := models.GetCatalogImport(ctx, db, fresh.ID)
	if got.Status != models.ImportFailed || !strings.Contains(got.Error, "upload it again") || live.Status != models.ImportUploaded {
		t.Fatalf("dead: %s %q; live: %s", got.Status, got.Error, live.Status)
	}
}
