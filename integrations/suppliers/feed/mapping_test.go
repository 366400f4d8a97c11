package feed

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"dropship/integrations/suppliers"
)

func TestMappingValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		m    Mapping
		want FieldErrors
	}{
		{"good CSV", Mapping{Format: FormatCSV, HeaderRow: true, Fields: Fields{SKU: "sku", Quantity: "3", Cost: "cost"}, Currency: "eur"}, FieldErrors{}},
		{"good XML", xmlMapping(), FieldErrors{}},
		{"nothing filled in", Mapping{}, FieldErrors{
			"format":          "choose the file format: CSV or XML",
			"fields.sku":      "say where the SKU is; every record needs one",
			"fields.quantity": "say where the quantity is; every record needs one",
		}},
		{"CSV settings wrong", Mapping{Format: FormatCSV, Delimiter: ";;", Quote: "a", Encoding: "ebcdic", Compression: "rar", DecimalSeparator: "'", Currency: "EURO",
			Fields: Fields{SKU: "1", Quantity: "0", Cost: "name"}}, FieldErrors{
			"delimiter":         `enter one character, such as "," or ";" or "|", or "tab"`,
			"quote":             `enter one character, usually " or '`,
			"encoding":          "choose UTF-8, Latin-1 (ISO-8859-1) or Windows-1252",
			"compression":       "choose automatic, none, gzip or zip",
			"decimal_separator": `use "." or "," (or leave empty to guess per value)`,
			"currency":          `"EURO" is not an ISO 4217 currency code such as USD or EUR`,
			"fields.quantity":   "column numbers start at 1 (the first column)",
			"fields.cost":       "the file has no header row, so give the cost column as a number (1 for the first column)",
		}},
		{"same column twice, quote equals delimiter", Mapping{Format: FormatCSV, HeaderRow: true, Delimiter: "|", Quote: "|", Fields: Fields{SKU: "Code", Quantity: "code"}}, FieldErrors{
			"quote":           "the quote character must differ from the delimiter",
			"fields.quantity": "the SKU and the quantity can't be the same column",
		}},
		{"cost without currency", Mapping{Format: FormatCSV, HeaderRow: true, Fields: Fields{SKU: "a", Quantity: "b", Cost: "c"}}, FieldErrors{
			"currency": "costs need a currency: choose a currency column or a fixed currency",
		}},
		{"XML paths wrong", Mapping{Format: FormatXML, ItemPath: "inventory//it em", ZipEntry: "x.xml", Compression: CompressionGzip, Fields: Fields{SKU: "@", Quantity: "a/@b/c"}}, FieldErrors{
			"item_path":       `"" is not an element name; write the path as element names separated by "/", such as "inventory/item"`,
			"zip_entry":       "a file name inside the archive only applies to zip feeds",
			"fields.sku":      `"@" is not a path below the item; use a child element such as "sku", an attribute such as "@sku", or both such as "price/@currency"`,
			"fields.quantity": `"a/@b/c" is not a path below the item; use a child element such as "sku", an attribute such as "@sku", or both such as "price/@currency"`,
		}},
		{"XML without item path", Mapping{Format: FormatXML, Fields: Fields{SKU: "sku", Quantity: "qty"}}, FieldErrors{
			"item_path": `say which element is one item, as a path from the root such as "inventory/item"`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.m.Validate()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestOpenRefusesAnInvalidMapping(t *testing.T) {
	t.Parallel()
	_, err := Open(strings.NewReader(smallCSV), "f.csv", Mapping{Format: FormatCSV})
	var fe FieldErrors
	if !errors.As(err, &fe) || fe["fields.sku"] == "" {
		t.Fatalf("error %v, want field errors", err)
	}
}

// The mapping is stored as JSON on the supplier and must come back the same.
func TestMappingJSONRoundTrip(t *testing.T) {
	t.Parallel()
	m := xmlMapping()
	m.Compression = CompressionZip
	m.ZipEntry = "stock.xml"
	m.Encoding = EncodingLatin1
	m.Currency = "EUR"
	m.DecimalSeparator = ","
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Mapping
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, m)
	}
	if !strings.Contains(string(b), `"item_path":"inventory/item"`) || !strings.Contains(string(b), `"sku":"@sku"`) {
		t.Errorf("JSON names: %s", b)
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()
	file := "SKU,Qty,Title\nA,1,a\nB,-1,b\nC,3,c\nD,4,d\n"
	m := Mapping{Format: FormatCSV, HeaderRow: true, Fields: Fields{SKU: "SKU", Quantity: "Qty", Title: "Title"}}
	res, err := Preview(strings.NewReader(file), "f.csv", m, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := PreviewResult{
		Columns: []string{"SKU", "Qty", "Title"},
		Rows: []PreviewRow{
			{Record: suppliers.StockRecord{Line: 2, SKU: "A", Quantity: 1, Title: "a"}},
			{Err: &suppliers.RowError{Line: 3, Reason: `the quantity "-1" is negative (column "Qty")`}},
			{Record: suppliers.StockRecord{Line: 4, SKU: "C", Quantity: 3, Title: "c"}},
		},
		More: true,
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("preview\n got %+v\nwant %+v", res, want)
	}

	res, err = Preview(strings.NewReader(file), "f.csv", m, 10)
	if err != nil || res.More || len(res.Rows) != 4 {
		t.Errorf("whole file: %+v %v", res, err)
	}

	// A fatal error comes with the rows read before it.
	res, err = Preview(strings.NewReader("SKU,Qty,Title\nA,1,a\nB,\xff,b\n"), "f.csv", m, 10)
	if !errors.Is(err, ErrEncoding) || len(res.Rows) != 1 || res.Rows[0].Record.SKU != "A" {
		t.Errorf("fatal: %+v %v", res, err)
	}

	// A preview that stops early closes the reader it opened: a zip spool is released.
	zp := zipped(t, "f.csv", file)
	if _, err := Preview(onlyReader{strings.NewReader(string(zp))}, "f.zip", m, 1); err != nil {
		t.Fatal(err)
	}
}

func TestNextAfterCloseFails(t *testing.T) {
	t.Parallel()
	rr, err := Open(strings.NewReader(smallCSV), "f.csv", csvMapping())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Next(); err != nil {
		t.Fatal(err)
	}
	if err := rr.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v", err)
	}
}
