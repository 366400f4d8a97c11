package feed

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"dropship/integrations/suppliers"
)

// fuzzMapping picks one of many mappings from the bits of v.
func fuzzMapping(format Format, v uint8) Mapping {
	m := Mapping{Format: format, HeaderRow: v&1 != 0, Currency: "EUR"}
	if v&2 != 0 {
		m.Delimiter = ";"
	}
	if v&4 != 0 {
		m.Quote = "'"
	}
	m.Encoding = []string{"", "latin-1", "windows-1252", "utf-8"}[(v>>3)&3]
	if v&32 != 0 {
		m.DecimalSeparator = ","
	}
	all := v&64 != 0
	switch {
	case format == FormatXML:
		m.ItemPath = "inventory/item"
		m.Fields = Fields{SKU: "@sku", Quantity: "qty"}
		if all {
			m.Fields = Fields{SKU: "sku", Quantity: "stock/@qty", Cost: "price", Currency: "price/@currency", LeadTimeDays: "lead", Discontinued: "@eol", Barcode: "ean", Title: "."}
		}
	case m.HeaderRow:
		m.Fields = Fields{SKU: "sku", Quantity: "qty"}
		if all {
			m.Fields = Fields{SKU: "sku", Quantity: "qty", Cost: "cost", Currency: "cur", LeadTimeDays: "lead", Discontinued: "eol", Barcode: "ean", Title: "title"}
		}
	default:
		m.Fields = Fields{SKU: "1", Quantity: "2"}
		if all {
			m.Fields = Fields{SKU: "1", Quantity: "2", Cost: "3", Currency: "4", LeadTimeDays: "5", Discontinued: "6", Barcode: "7", Title: "8"}
		}
	}
	return m
}

// checkFeed reads a fuzzed feed to its end and checks what any feed must
// satisfy: it ends, records have a SKU and a quantity >= 0, lines never go
// back, and a fatal error sticks.
func checkFeed(t *testing.T, data []byte, m Mapping) {
	if fe := m.Validate(); len(fe) > 0 {
		t.Fatalf("fuzz mapping invalid: %v", fe)
	}
	rr, err := Open(bytes.NewReader(data), "fuzz", m)
	if err != nil {
		return
	}
	lastLine := 0
	// Each call consumes at least one line, item or byte of the (possibly
	// decompressed) input; this bound only catches a reader that spins.
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("the reader does not end")
		}
		rec, err := rr.Next()
		if err == io.EOF {
			return
		}
		var re *suppliers.RowError
		if errors.As(err, &re) {
			if re.Line <= lastLine || re.Reason == "" {
				t.Fatalf("row error %+v after line %d", re, lastLine)
			}
			lastLine = re.Line
			continue
		}
		if err != nil {
			if _, again := rr.Next(); again == nil || again == io.EOF || suppliers.IsRowError(again) {
				t.Fatalf("fatal error %v did not stick: %v", err, again)
			}
			return
		}
		if rec.SKU == "" || rec.Quantity < 0 {
			t.Fatalf("record %+v has no SKU or a negative quantity", rec)
		}
		if rec.Line <= lastLine {
			t.Fatalf("record line %d after line %d", rec.Line, lastLine)
		}
		if rec.CostCents != nil && (*rec.CostCents < 0 || rec.Currency == "") {
			t.Fatalf("record %+v has a negative cost or a cost without currency", rec)
		}
		lastLine = rec.Line
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("sku,qty\nA,1\nB,2\n"), uint8(1))
	f.Add([]byte("sku;qty;cost;cur;lead;eol;ean;title\n'A;1';2;\"1,5\";USD;3;yes;123;'t''x\ny'\n"), uint8(1|2|4|64))
	f.Add([]byte("A,1,9.99,EUR,2,N,4006381333931,Mug\n\"B\"\"\",-1,x,,,,\n"), uint8(64))
	f.Add([]byte("\xef\xbb\xbfsku,qty\r\nCaf\xe9,3\r\n"), uint8(1|8))
	f.Fuzz(func(t *testing.T, data []byte, variant uint8) {
		checkFeed(t, data, fuzzMapping(FormatCSV, variant))
	})
}

func FuzzXML(f *testing.F) {
	f.Add([]byte(`<inventory><item sku="A"><qty>1</qty></item><item sku=""><qty>-1</qty></item></inventory>`), uint8(0))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><inventory><item eol="Y">Caf`+"\xe9"+`<sku>A</sku><stock qty="3"/><price currency="EUR">1,5</price></item></inventory>`), uint8(64))
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a \"b\">]><inventory/>"), uint8(0))
	f.Add([]byte(`<inventory><item sku="&amp;&lt;&nbsp;"><qty> 7 </qty></item></inventory>`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, variant uint8) {
		checkFeed(t, data, fuzzMapping(FormatXML, variant))
	})
}
