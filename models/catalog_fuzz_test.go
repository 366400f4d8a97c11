package models

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzImportRow feeds arbitrary CSV text to the catalog import's row parser:
// it must never panic, and every row it accepts must be one the catalog's
// constraints accept (a valid handle and SKU, a price of zero or more, one
// value per option).
func FuzzImportRow(f *testing.F) {
	f.Add("Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\nshirt,Shirt,Size,M,SH-M,19.00\nshirt,,,L,SH-L,19.00\n")
	f.Add("Handle,Variant SKU,Variant Price,Variant Grams\nmug,MUG-1,-1,abc\n")
	f.Add("Handle,Variant SKU,Variant Price\n\"bad\"quote,X,1\n")
	f.Add("\ufeffHandle,Variant SKU,Variant Price,Status\ngift,GIFT,0,archived\ngift,GIFT-2,1.5,\n")
	f.Add("Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\ncard,Card,Title,Default Title,CARD,5\n")
	f.Fuzz(func(t *testing.T, data string) {
		cr := csv.NewReader(strings.NewReader(data))
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if err != nil {
			return
		}
		p, err := newImportParser(header)
		if err != nil {
			return
		}
		for line := 2; line < 200; line++ {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				continue
			}
			r := p.parse(line, rec)
			if r.action == "error" {
				if r.reason == "" {
					t.Fatalf("line %d refused without a reason", line)
				}
				continue
			}
			if !handleRe.MatchString(r.handle) || !skuRe.MatchString(r.sku) || r.price == nil || *r.price < 0 {
				t.Fatalf("accepted a bad row: %+v", r)
			}
			if len(r.options) != len(r.product.optionNames) {
				t.Fatalf("options %v for names %v", r.options, r.product.optionNames)
			}
			if r.grams != nil && *r.grams < 0 {
				t.Fatalf("negative grams accepted: %+v", r)
			}
		}
	})
}

// FuzzParseCents checks that every accepted amount round-trips and is never negative.
func FuzzParseCents(f *testing.F) {
	for _, s := range []string{"0", "12.5", "12.50", "-1", "1e3", "999999999999.99", " 3.07 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCents(s)
		if err != nil {
			return
		}
		if c < 0 {
			t.Fatalf("%q parsed to %d", s, c)
		}
		back, err := ParseCents(FormatCents(c))
		if err != nil || back != c {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, c, FormatCents(c), back, err)
		}
	})
}
