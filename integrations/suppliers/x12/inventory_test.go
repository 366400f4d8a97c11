package x12

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"dropship/integrations/suppliers"
)

func readRecords(t testing.TB, rr suppliers.RecordReader) ([]suppliers.StockRecord, []*suppliers.RowError, error) {
	t.Helper()
	var recs []suppliers.StockRecord
	var rowErrs []*suppliers.RowError
	for {
		rec, err := rr.Next()
		var re *suppliers.RowError
		switch {
		case err == io.EOF:
			return recs, rowErrs, nil
		case errors.As(err, &re):
			rowErrs = append(rowErrs, re)
		case err != nil:
			return recs, rowErrs, err
		default:
			recs = append(recs, rec)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// The shared 846 fixture: two LIN/QTY pairs, QTY*33 available for sale.
func Test846Fixture(t *testing.T) {
	t.Parallel()
	recs, rowErrs, err := readRecords(t, Open846(bytes.NewReader(fixture(t, "x12/846.edi")), InventoryOptions{}))
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("%v %v", err, rowErrs)
	}
	want := []suppliers.StockRecord{
		{Line: 5, SKU: "TSHIRT-RED-M", Quantity: 25, Barcode: "012345678905"},
		{Line: 7, SKU: "TSHIRT-RED-L", Quantity: 0, Barcode: "012345678912"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records\n got %+v\nwant %+v", recs, want)
	}
}

func Test846QualifierPreference(t *testing.T) {
	t.Parallel()
	doc := string(fixture(t, "x12/846.edi"))
	doc = strings.Replace(doc, "LIN*1*SK*TSHIRT-RED-M*UP*012345678905", "LIN*1*SK*TSHIRT-RED-M*BP*OUR-1*VN*V-100", 1)
	cases := []struct {
		prefs []string
		want  string
	}{
		{nil, "V-100"}, // VN first by default
		{[]string{"BP", "VN"}, "OUR-1"},
		{[]string{"SK"}, "TSHIRT-RED-M"},
	}
	for _, tc := range cases {
		recs, _, err := readRecords(t, Open846(strings.NewReader(doc), InventoryOptions{SKUQualifiers: tc.prefs}))
		if err != nil || len(recs) == 0 || recs[0].SKU != tc.want || recs[0].Barcode != "" {
			t.Errorf("prefs %v: %+v %v, want SKU %s", tc.prefs, recs, err, tc.want)
		}
	}
}

func Test846RowErrors(t *testing.T) {
	t.Parallel()
	base := string(fixture(t, "x12/846.edi"))
	cases := []struct {
		name, from, to, reason string
	}{
		{"no SKU qualifier", "LIN*1*SK*TSHIRT-RED-M*UP*012345678905", "LIN*1*UP*012345678905",
			"LIN has no product id qualified VN, VP, SK, BP for the SKU (it has UP 012345678905)"},
		{"no QTY*33", "QTY*33*25*EA", "QTY*02*25*EA",
			"LIN TSHIRT-RED-M has no QTY*33 (quantity available for sale)"},
		{"negative quantity", "QTY*33*25*EA", "QTY*33*-4*EA",
			"QTY*33 for TSHIRT-RED-M is -4; a quantity can't be negative"},
		{"fraction of a unit", "QTY*33*25*EA", "QTY*33*2.5*EA",
			`QTY*33 for TSHIRT-RED-M is "2.5", not a whole number`},
		{"not a number", "QTY*33*25*EA", "QTY*33*many*EA",
			`QTY*33 for TSHIRT-RED-M is "many", not a whole number`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := strings.Replace(base, tc.from, tc.to, 1)
			recs, rowErrs, err := readRecords(t, Open846(strings.NewReader(doc), InventoryOptions{}))
			if err != nil {
				t.Fatal(err)
			}
			if len(rowErrs) != 1 || rowErrs[0].Line != 5 || rowErrs[0].Reason != tc.reason {
				t.Fatalf("row errors %v, want line 5: %s", rowErrs, tc.reason)
			}
			if len(recs) != 1 || recs[0].SKU != "TSHIRT-RED-L" {
				t.Errorf("records %+v", recs)
			}
		})
	}
}

func Test846FatalErrors(t *testing.T) {
	t.Parallel()
	base := string(fixture(t, "x12/846.edi"))
	cases := []struct {
		name, doc, want string
	}{
		{"not an 846", strings.Replace(base, "ST*846*0001", "ST*850*0001", 1),
			"x12: 846: x12: segment 3 (ST): transaction set 850 is not an 846 inventory advice"},
		{"control numbers differ", strings.Replace(base, "IEA*1*000000101", "IEA*1*000000102", 1),
			`x12: 846: x12: segment 12 (IEA): IEA02 "000000102" does not match ISA13 "000000101" (segment 1)`},
		{"truncated between segments", base[:strings.Index(base, "CTT")],
			"x12: 846: x12: segment 3 (ST): the file ends inside transaction set 0001: no SE; it is probably truncated"},
		{"truncated inside a segment", base[:strings.Index(base, "CTT")+2],
			`x12: 846: x12: segment 9: the file ends inside a segment ("CT") without its terminator '~'; it is probably truncated`},
		{"unknown currency", strings.Replace(base, "LIN*1*", "CUR*SE*XXY~\nLIN*1*", 1),
			`x12: 846: x12: segment 5 (CUR): CUR02 "XXY" is not an ISO 4217 currency code`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := readRecords(t, Open846(strings.NewReader(tc.doc), InventoryOptions{}))
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func Test846ObservedAtCostTitleLeadTime(t *testing.T) {
	t.Parallel()
	doc := "ISA*00*          *00*          *ZZ*SUP            *ZZ*US             *240115*1430*U*00401*000000009*0*P*>~\n" +
		"GS*IB*SUP*US*20240115*1430*9*X*004010~\n" +
		"ST*846*0001~\nBIA*00*MM*R1*20240115~\nCUR*SE*EUR~\nDTM*097*20240115*0900~\n" +
		"LIN*1*VN*A~\nPID*F****Red mug~\nCTP**UCP*4.255~\nLDT*AF*2*WK~\nQTY*33*5*EA~\nQTY*33*3*EA~\nQTY*02*99*EA~\nDTM*007*20240115*1200*ES~\n" +
		"LIN*2*VN*B~\nQTY*33*7~\n" +
		"CTT*2~\nSE*16*0001~\nGE*1*9~\nIEA*1*000000009~\n"
	recs, rowErrs, err := readRecords(t, Open846(strings.NewReader(doc), InventoryOptions{}))
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("%v %v", err, rowErrs)
	}
	want := []suppliers.StockRecord{
		// QTY*33 counts once; 12:00 Eastern Standard is 17:00 UTC.
		{Line: 7, SKU: "A", Quantity: 5, CostCents: ptr(int64(426)), Currency: "EUR", LeadTimeDays: ptr(14), Title: "Red mug",
			ObservedAt: time.Date(2024, 1, 15, 17, 0, 0, 0, time.UTC)},
		// No DTM of its own: the header's creation time.
		{Line: 15, SKU: "B", Quantity: 7, ObservedAt: time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records\n got %+v\nwant %+v", recs, want)
	}
}

func testEnvelope() Envelope {
	return Envelope{
		SenderQualifier: "ZZ", SenderID: "SANDBOX1", ReceiverQualifier: "12", ReceiverID: "DROPSHIP",
		InterchangeControl: 4711, GroupControl: 42, SetControl: 7,
		Date: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
	}
}

// The sandbox supplier writes 846 files with Encode846; Open846 reads them back the same.
func Test846RoundTrip(t *testing.T) {
	t.Parallel()
	records := []suppliers.StockRecord{
		{SKU: "SB-1", Quantity: 12, CostCents: ptr(int64(1999)), Currency: "USD", LeadTimeDays: ptr(3), Barcode: "036000291452", Title: "Sandbox widget",
			ObservedAt: time.Date(2026, 3, 1, 9, 29, 58, 0, time.UTC)},
		{SKU: "SB-2", Quantity: 0, CostCents: ptr(int64(5)), Currency: "USD"},
		{SKU: "SB-3", Quantity: 1_000_000},
	}
	var buf bytes.Buffer
	adv := InventoryAdvice{Envelope: testEnvelope(), Reference: "INV-1", Date: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), Records: records}
	if err := Encode846(&buf, adv); err != nil {
		t.Fatal(err)
	}
	got, rowErrs, err := readRecords(t, Open846(bytes.NewReader(buf.Bytes()), InventoryOptions{}))
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("%v %v\n%s", err, rowErrs, buf.String())
	}
	for i := range got {
		if got[i].Line == 0 {
			t.Errorf("record %d has no line", i)
		}
		got[i].Line = 0
	}
	if !reflect.DeepEqual(got, records) {
		t.Errorf("round trip\n got %+v\nwant %+v\n%s", got, records, buf.String())
	}
	// The envelope comes back too.
	env := envelopeFromStream(t, buf.Bytes())
	if env != adv.Envelope {
		t.Errorf("envelope\n got %+v\nwant %+v", env, adv.Envelope)
	}
}

func envelopeFromStream(t *testing.T, b []byte) Envelope {
	t.Helper()
	xr := NewReader(bytes.NewReader(b))
	var env Envelope
	for {
		s, err := xr.Next()
		if err == io.EOF {
			return env
		}
		if err != nil {
			t.Fatal(err)
		}
		if s.ID == "SE" {
			env = envelopeOf(xr)
		}
	}
}

func TestEncode846Refuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		adv  InventoryAdvice
		want string
	}{
		{"mixed currencies", InventoryAdvice{Envelope: testEnvelope(), Records: []suppliers.StockRecord{
			{SKU: "A", CostCents: ptr(int64(1)), Currency: "USD"}, {SKU: "B", CostCents: ptr(int64(1)), Currency: "EUR"}}},
			`x12: encode 846: every cost needs the same currency (SKU B has "EUR")`},
		{"delimiter in a SKU", InventoryAdvice{Envelope: testEnvelope(), Records: []suppliers.StockRecord{{SKU: "A*B", Quantity: 1}}},
			`x12: encode 846: x12: LIN03 "A*B" contains a delimiter (*>~) or a line break`},
		{"no control number", InventoryAdvice{Envelope: Envelope{SenderID: "A", ReceiverID: "B", Date: time.Now()}, Records: []suppliers.StockRecord{{SKU: "A", Quantity: 1}}},
			`x12: encode 846: x12: the interchange control number (ISA13) must be between 1 and 999999999, not 0`},
	}
	for _, tc := range cases {
		err := Encode846(io.Discard, tc.adv)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.name, err, tc.want)
		}
	}
}
