package x12

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"dropship/integrations/suppliers"
)

// addFixtures seeds a fuzzer with the shared X12 fixtures, read at test time
// (they are not copied into the project).
func addFixtures(f *testing.F) {
	for _, name := range []string{"x12/846.edi", "x12/850.edi", "x12/855.edi", "x12/856.edi"} {
		f.Add(fixture(f, name))
	}
}

// FuzzX12Tokenizer: the envelope reader ends on any input, segment positions
// only grow, and every segment it returns has a valid id.
func FuzzX12Tokenizer(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		xr := NewReader(bytes.NewReader(data))
		last := 0
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more segments than bytes: the reader does not end")
			}
			s, err := xr.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var xe *Error
				if !errors.As(err, &xe) {
					t.Fatalf("error %v is not an *x12.Error", err)
				}
				if _, again := xr.Next(); again != err {
					t.Fatalf("error did not stick: %v then %v", err, again)
				}
				return
			}
			if s.Pos <= last || !validID(s.ID) {
				t.Fatalf("segment %+v after position %d", s, last)
			}
			last = s.Pos
		}
	})
}

// Fuzz846: records always have a SKU and a quantity >= 0, and the reader ends.
func Fuzz846(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rr := Open846(bytes.NewReader(data), InventoryOptions{})
		last := 0
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("the reader does not end")
			}
			rec, err := rr.Next()
			if err == io.EOF {
				return
			}
			var re *suppliers.RowError
			if errors.As(err, &re) {
				if re.Line <= last {
					t.Fatalf("row error at %d after %d", re.Line, last)
				}
				last = re.Line
				continue
			}
			if err != nil {
				return
			}
			if rec.SKU == "" || rec.Quantity < 0 || rec.Line <= last {
				t.Fatalf("record %+v after line %d", rec, last)
			}
			if rec.CostCents != nil && *rec.CostCents < 0 {
				t.Fatalf("negative cost %+v", rec)
			}
			last = rec.Line
		}
	})
}

// FuzzDocuments: the 850, 855 and 856 parsers never panic, and an 850 that
// parses encodes again whenever its values can be written.
func FuzzDocuments(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse855(bytes.NewReader(data))
		_, _ = Parse856(bytes.NewReader(data))
		pos, err := Parse850(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, po := range pos {
			for _, l := range po.Lines {
				if l.Quantity < 0 || l.UnitPriceCents < 0 {
					t.Fatalf("line %+v", l)
				}
			}
			var buf bytes.Buffer
			if Encode850(&buf, po) != nil {
				continue // e.g. a value holding our delimiters, or no date
			}
			again, err := Parse850(&buf)
			if err != nil || len(again) != 1 || again[0].Number != po.Number || len(again[0].Lines) != len(po.Lines) {
				t.Fatalf("re-encoded 850 does not parse the same: %v\n%s", err, buf.String())
			}
		}
	})
}
