package feed

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"dropship/integrations/suppliers"
)

func csvMapping() Mapping {
	return Mapping{
		Format:    FormatCSV,
		HeaderRow: true,
		Fields:    Fields{SKU: "sku", Quantity: "qty"},
	}
}

func TestCSVReadsEveryField(t *testing.T) {
	t.Parallel()
	file := "Item;Stock;Price;Cur;Lead;EOL;EAN;Name\r\n" +
		"A-1;12;9,95;EUR;3;no;4006381333931;'Mug; large'\r\n" +
		"\r\n" + // blank lines are skipped, line numbers still count them
		"B-2;0;1.234,50;;;Y;;'He said ''hi''\r\nand left'\r\n" +
		"C-3; 7 ;;USD;0;1;; plain \r\n"
	m := Mapping{
		Format:    FormatCSV,
		Delimiter: ";",
		Quote:     "'",
		HeaderRow: true,
		Currency:  "EUR",
		Fields: Fields{
			SKU: "item", Quantity: "STOCK", Cost: "Price", Currency: "cur",
			LeadTimeDays: "5", Discontinued: "EOL", Barcode: "ean", Title: "8",
		},
	}
	rr, err := Open(strings.NewReader(file), "stock.csv", m)
	if err != nil {
		t.Fatal(err)
	}
	recs, rowErrs, err := readAll(t, rr)
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("err %v, row errors %v", err, rowErrs)
	}
	want := []suppliers.StockRecord{
		{Line: 2, SKU: "A-1", Quantity: 12, CostCents: ptr(int64(995)), Currency: "EUR", LeadTimeDays: ptr(3), Barcode: "4006381333931", Title: "Mug; large"},
		{Line: 4, SKU: "B-2", Quantity: 0, CostCents: ptr(int64(123450)), Currency: "EUR", Discontinued: true, Title: "He said 'hi'\nand left"},
		{Line: 6, SKU: "C-3", Quantity: 7, Currency: "USD", LeadTimeDays: ptr(0), Discontinued: true, Title: "plain"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("records:\n got %s\nwant %s", dump(recs), dump(want))
	}
}

func dump(recs []suppliers.StockRecord) string {
	var b strings.Builder
	for _, r := range recs {
		cost, lead := "nil", "nil"
		if r.CostCents != nil {
			cost = fmt.Sprint(*r.CostCents)
		}
		if r.LeadTimeDays != nil {
			lead = fmt.Sprint(*r.LeadTimeDays)
		}
		fmt.Fprintf(&b, "\n  {line %d sku %q qty %d cost %s %s lead %s disc %v bar %q title %q}", r.Line, r.SKU, r.Quantity, cost, r.Currency, lead, r.Discontinued, r.Barcode, r.Title)
	}
	return b.String()
}

func TestCSVWithoutHeaderUsesColumnNumbers(t *testing.T) {
	t.Parallel()
	m := Mapping{Format: FormatCSV, Delimiter: "tab", Fields: Fields{SKU: "2", Quantity: "1", Cost: "3"}, Currency: "JPY"}
	rr, err := Open(strings.NewReader("5\tX\t1200\n6\tY\t99.6\n"), "f.tsv", m)
	if err != nil {
		t.Fatal(err)
	}
	recs, rowErrs, err := readAll(t, rr)
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("err %v, row errors %v", err, rowErrs)
	}
	want := []suppliers.StockRecord{
		{Line: 1, SKU: "X", Quantity: 5, CostCents: ptr(int64(1200)), Currency: "JPY"},
		{Line: 2, SKU: "Y", Quantity: 6, CostCents: ptr(int64(100)), Currency: "JPY"}, // yen have no minor unit: rounded
	}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("records:\n got %s\nwant %s", dump(recs), dump(want))
	}
}

// A rejected row is reported with its line and a reason a person can act on,
// and the rows around it still come through.
func TestCSVRowErrors(t *testing.T) {
	t.Parallel()
	m := csvMapping()
	m.Fields.Cost = "cost"
	m.Fields.Currency = "cur"
	m.Fields.Discontinued = "eol"
	m.Fields.LeadTimeDays = "lead"
	m.Currency = "USD"
	const header = "sku,qty,cost,cur,eol,lead\n"
	cases := []struct {
		name, row, reason string
	}{
		{"too few columns", "X,1,2,USD", `the line has 4 columns, but the header row has 6`},
		{"too many columns", "X,1,2,USD,no,3,extra", `the line has 7 columns, but the header row has 6`},
		{"negative quantity", "X,-3,,,,", `the quantity "-3" is negative (column "qty")`},
		{"word for quantity", "X,ten,,,,", `the quantity "ten" is not a whole number (column "qty")`},
		{"fraction of a unit", "X,2.5,,,,", `the quantity "2.5" is not a whole number (column "qty")`},
		{"quantity with unit", "X,5 pcs,,,,", `the quantity "5 pcs" is not a whole number (column "qty")`},
		{"huge quantity", "X,99999999999999999999,,,,", `the quantity "99999999999999999999" is too large (column "qty")`},
		{"empty quantity", "X,,,,,", `the quantity is empty (column "qty")`},
		{"empty SKU", " ,4,,,,", `the SKU is empty (column "sku")`},
		{"quoted empty SKU", `"",4,,,,`, `the SKU is empty (column "sku")`},
		{"cost not a number", "X,1,abc,,,", `the cost "abc" is not a number (column "cost")`},
		{"cost with bad grouping", "X,1,\"1,2,3\",,,", `the cost "1,2,3" is not a number (column "cost")`},
		{"negative cost", "X,1,-2.00,,,", `the cost "-2.00" is negative (column "cost")`},
		{"unknown currency", "X,1,2,EURO,,", `the currency "EURO" is not an ISO 4217 code such as USD or EUR (column "cur")`},
		{"discontinued unclear", "X,1,2,,maybe,", `discontinued is "maybe"; use true/false, yes/no, Y/N or 1/0 (column "eol")`},
		{"lead time in words", "X,1,2,,,3 days", `the lead time "3 days" is not a whole number of days between 0 and 3650 (column "lead")`},
		{"text after a closing quote", `"X"Y,1,2,,,`, `a quoted field is followed by "Y,1,2,,," before the next delimiter; a quote inside a quoted field must be doubled`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := header + "GOOD-1,1,,,,\n" + tc.row + "\nGOOD-2,2,,,,\n"
			rr, err := Open(strings.NewReader(file), "f.csv", m)
			if err != nil {
				t.Fatal(err)
			}
			recs, rowErrs, err := readAll(t, rr)
			if err != nil {
				t.Fatalf("fatal error %v; a bad row must not stop the feed", err)
			}
			if len(rowErrs) != 1 {
				t.Fatalf("row errors %v, want one", rowErrs)
			}
			if rowErrs[0].Line != 3 || rowErrs[0].Reason != tc.reason {
				t.Errorf("row error\n got line %d: %s\nwant line 3: %s", rowErrs[0].Line, rowErrs[0].Reason, tc.reason)
			}
			if len(recs) != 2 || recs[0].SKU != "GOOD-1" || recs[1].SKU != "GOOD-2" || recs[1].Line != 4 {
				t.Errorf("records around the bad row: %s", dump(recs))
			}
		})
	}
}

// Whole-file problems stop the feed with an error naming the line.
func TestCSVFatalErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxLine+10)
	cases := []struct {
		name    string
		file    string
		m       func(*Mapping)
		class   error
		message string
		before  int // records returned before the error
	}{
		{
			name: "latin-1 bytes in a UTF-8 feed", file: "sku,qty,title\nA,1,ok\nB,2,Caf\xe9\n",
			m:     func(m *Mapping) { m.Fields.Title = "title" },
			class: ErrEncoding, before: 1,
			message: "feed: wrong text encoding: line 3 is not valid UTF-8 (byte 0xE9 at position 8); if the supplier sends Latin-1 or Windows-1252, choose that encoding",
		},
		{
			name: "UTF-16 file", file: "\xff\xfes\x00k\x00u\x00",
			class: ErrEncoding, message: "feed: wrong text encoding: the file is UTF-16 text; ask the supplier for UTF-8, Latin-1 or Windows-1252",
		},
		{
			name: "line over 1 MiB", file: "sku,qty\nA,1\nB," + long + "\nC,3\n",
			class: ErrLineTooLong, before: 1,
			message: "feed: line too long: line 3 is longer than 1 MiB; the file is probably not a CSV feed",
		},
		{
			name: "quote never closed", file: "sku,qty\nA,1\n\"B,2\nC,3\n",
			class: ErrMalformed, before: 1,
			message: "feed: malformed file: line 3 opens a quoted field that is never closed (the file ends inside it)",
		},
		{
			name: "quote never closed in a large file", file: "sku,qty\nA,1\n\"B,2\n" + strings.Repeat("C,3\n", MaxLine/4+10),
			class: ErrLineTooLong, before: 1,
			message: "feed: line too long: the record starting on line 3 is longer than 1 MiB; a quote is probably never closed",
		},
		{
			name: "mapped column missing from the header", file: "SKU,Stock\nA,1\n",
			class: ErrMalformed, message: `feed: malformed file: line 1: the header row has no column named "qty" for the quantity (it has "SKU", "Stock")`,
		},
		{
			name: "column number past the header", file: "sku,stock\nA,1\n", m: func(m *Mapping) { m.Fields.Quantity = "4" },
			class: ErrMalformed, message: `feed: malformed file: line 1: the quantity is mapped to column 4 but the header row has 2 columns`,
		},
		{
			name: "header names a column twice", file: "sku,qty,QTY\nA,1,2\n",
			class: ErrMalformed, message: `feed: malformed file: line 1: the header row has two columns named "QTY", so the quantity column is ambiguous`,
		},
		{
			name: "empty file", file: "",
			class: ErrMalformed, message: "feed: malformed file: the file is empty; a header row was expected",
		},
		{
			name: "no header, too few columns for the mapping", file: "A;1\nB;2\n",
			m:     func(m *Mapping) { m.HeaderRow = false; m.Delimiter = ";"; m.Fields = Fields{SKU: "1", Quantity: "3"} },
			class: ErrMalformed, message: "feed: malformed file: line 1 has 2 columns, but the mapping uses column 3",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := csvMapping()
			if tc.m != nil {
				tc.m(&m)
			}
			var recs []suppliers.StockRecord
			rr, err := Open(strings.NewReader(tc.file), "f.csv", m)
			if err == nil {
				recs, _, err = readAll(t, rr)
				// The error sticks: asking again does not resume the feed.
				if _, again := rr.Next(); again == nil || again == io.EOF {
					t.Errorf("Next after a fatal error returned %v", again)
				}
			}
			if err == nil {
				t.Fatalf("no error; records %s", dump(recs))
			}
			if !errors.Is(err, tc.class) || err.Error() != tc.message {
				t.Errorf("error\n got %v\nwant %s", err, tc.message)
			}
			if len(recs) != tc.before {
				t.Errorf("%d records before the error, want %d", len(recs), tc.before)
			}
		})
	}
}

func TestCSVEncodings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, encoding, file, title string
	}{
		{"UTF-8", "utf-8", "sku,qty,title\nA,1,Café €5\n", "Café €5"},
		{"UTF-8 with BOM", "", "\xef\xbb\xbfsku,qty,title\nA,1,Café\n", "Café"},
		{"BOM wins over a Latin-1 mapping", "latin-1", "\xef\xbb\xbfsku,qty,title\nA,1,Café\n", "Café"},
		{"Latin-1", "iso-8859-1", "sku,qty,title\nA,1,Caf\xe9 \xbd\n", "Café ½"},
		{"Windows-1252", "windows-1252", "sku,qty,title\nA,1,\x93Caf\xe9\x94 \x805\n", "“Café” €5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := csvMapping()
			m.Encoding = tc.encoding
			m.Fields.Title = "title"
			rr, err := Open(strings.NewReader(tc.file), "f.csv", m)
			if err != nil {
				t.Fatal(err)
			}
			recs, rowErrs, err := readAll(t, rr)
			if err != nil || len(rowErrs) > 0 || len(recs) != 1 {
				t.Fatalf("err %v, row errors %v, records %s", err, rowErrs, dump(recs))
			}
			if recs[0].SKU != "A" || recs[0].Title != tc.title {
				t.Errorf("got %q %q, want A %q", recs[0].SKU, recs[0].Title, tc.title)
			}
		})
	}
}

func TestCSVMultiLineRecordKeepsLineNumbers(t *testing.T) {
	t.Parallel()
	m := csvMapping()
	m.Fields.Title = "title"
	file := "sku,qty,title\nA,1,\"two\nlines\"\nB,x,t\nC,3,\"three\n\nlines\"\nD,4,d"
	rr, err := Open(strings.NewReader(file), "f.csv", m)
	if err != nil {
		t.Fatal(err)
	}
	recs, rowErrs, err := readAll(t, rr)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, r := range recs {
		lines = append(lines, r.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 5, 8}) || recs[1].Title != "three\n\nlines" {
		t.Errorf("record lines %v, records %s", lines, dump(recs))
	}
	if len(rowErrs) != 1 || rowErrs[0].Line != 4 {
		t.Errorf("row errors %v, want one on line 4", rowErrs)
	}
}
