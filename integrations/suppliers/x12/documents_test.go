package x12

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The shared 850 fixture parses into the struct the encoder takes.
func Test850Fixture(t *testing.T) {
	t.Parallel()
	pos, err := Parse850(bytes.NewReader(fixture(t, "x12/850.edi")))
	if err != nil {
		t.Fatal(err)
	}
	if len(pos) != 1 {
		t.Fatalf("%d orders", len(pos))
	}
	po := pos[0]
	wantEnv := Envelope{
		SenderQualifier: "12", SenderID: "4405197800", ReceiverQualifier: "01", ReceiverID: "999999999",
		InterchangeControl: 3438, GroupControl: 1421, SetControl: 10,
		Date: time.Date(2010, 11, 27, 17, 19, 0, 0, time.UTC),
	}
	if po.Envelope != wantEnv {
		t.Errorf("envelope\n got %+v\nwant %+v", po.Envelope, wantEnv)
	}
	if po.Purpose != "00" || po.Type != "SA" || po.Number != "08292233294" || !po.Date.Equal(date(2010, 11, 27)) || po.Currency != "" {
		t.Errorf("header %+v", po)
	}
	wantShipTo := Party{Role: "ST", Name: "XYZ RETAIL", IDQualifier: "9", ID: "0003947268292", Address1: "31875 SOLON RD", City: "SOLON", State: "OH", PostalCode: "44139"}
	if po.ShipTo != wantShipTo {
		t.Errorf("ship to\n got %+v\nwant %+v", po.ShipTo, wantShipTo)
	}
	wantLines := []POLine{
		{Number: "1", Quantity: 120, Unit: "EA", UnitPriceCents: 925, BuyerSKU: "065322-117", VendorSKU: "AB3542", Description: "SMALL WIDGET"},
		{Number: "2", Quantity: 220, Unit: "EA", UnitPriceCents: 1379, BuyerSKU: "066850-116", VendorSKU: "RD5322", Description: "MEDIUM WIDGET"},
		{Number: "3", Quantity: 126, Unit: "EA", UnitPriceCents: 1099, BuyerSKU: "060733-110", VendorSKU: "XY5266", Description: "LARGE WIDGET"},
		{Number: "4", Quantity: 76, Unit: "EA", UnitPriceCents: 435, BuyerSKU: "065308-116", VendorSKU: "VX2332", Description: "NANO WIDGET"},
		{Number: "5", Quantity: 72, Unit: "EA", UnitPriceCents: 750, BuyerSKU: "065374-118", VendorSKU: "RV0524", Description: "BLUE WIDGET"},
		{Number: "6", Quantity: 696, Unit: "EA", UnitPriceCents: 955, BuyerSKU: "067504-118", VendorSKU: "DX1875", Description: "ORANGE WIDGET"},
	}
	if !reflect.DeepEqual(po.Lines, wantLines) {
		t.Errorf("lines\n got %+v\nwant %+v", po.Lines, wantLines)
	}
	// The lines add up to the file's AMT*1*13045.94.
	var total int64
	for _, l := range po.Lines {
		total += l.Quantity * l.UnitPriceCents
	}
	if total != 1304594 {
		t.Errorf("total %d cents, the file says 1304594", total)
	}
}

func Test850RoundTrip(t *testing.T) {
	t.Parallel()
	po := PurchaseOrder{
		Envelope: Envelope{
			SenderQualifier: "ZZ", SenderID: "DROPSHIP", ReceiverQualifier: "ZZ", ReceiverID: "ACME-SUPPLY",
			GroupSender: "DROPSHIPGS", InterchangeControl: 999999999, GroupControl: 12, SetControl: 123456,
			Date: time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC), Test: true,
		},
		Purpose: "00", Type: "SA", Number: "PO-2026-000123", Date: date(2026, 11, 27), Currency: "EUR",
		ShipTo: Party{Role: "ST", Name: "Jane Doe", IDQualifier: "92", ID: "ord_81x", Address1: "Hauptstraße 5", Address2: "3. OG", City: "Berlin", PostalCode: "10115", Country: "DE"},
		Lines: []POLine{
			{Number: "1", Quantity: 2, Unit: "EA", UnitPriceCents: 1995, BuyerSKU: "MUG-RED", VendorSKU: "AC-100", UPC: "036000291452", Description: "Red mug, 300 ml"},
			{Number: "2", Quantity: 1, Unit: "EA", UnitPriceCents: 0, VendorSKU: "AC-FREE"},
		},
	}
	var buf bytes.Buffer
	if err := Encode850(&buf, po); err != nil {
		t.Fatal(err)
	}
	got, err := Parse850(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], po) {
		t.Errorf("round trip\n got %+v\nwant %+v\n%s", got, po, buf.String())
	}
	// What a supplier's translator sees: fixed-width ISA, counts and control numbers that agree.
	text := buf.String()
	for _, want := range []string{
		"ISA*00*          *00*          *ZZ*DROPSHIP       *ZZ*ACME-SUPPLY    *261127*2359*U*00401*999999999*0*T*>~\n",
		"GS*PO*DROPSHIPGS*ACME-SUPPLY*20261127*2359*12*X*004010~\n",
		"ST*850*123456~\n", "BEG*00*SA*PO-2026-000123**20261127~\n", "CUR*BY*EUR~\n",
		"PO1*1*2*EA*19.95*PE*BP*MUG-RED*VN*AC-100*UP*036000291452~\n", "PID*F****Red mug, 300 ml~\n",
		"CTT*2*3~\n", "SE*11*123456~\n", "GE*1*12~\n", "IEA*1*999999999~\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if isa := strings.SplitN(text, "\n", 2)[0]; len(isa) != 106 {
		t.Errorf("ISA is %d bytes, want 106", len(isa))
	}
}

func TestEncode850Refuses(t *testing.T) {
	t.Parallel()
	good := func() PurchaseOrder {
		return PurchaseOrder{Envelope: testEnvelope(), Number: "PO1", Date: date(2026, 1, 2), Lines: []POLine{{Quantity: 1, UnitPriceCents: 100, VendorSKU: "V1"}}}
	}
	cases := []struct {
		name   string
		change func(*PurchaseOrder)
		want   string
	}{
		{"no lines", func(p *PurchaseOrder) { p.Lines = nil }, "x12: encode 850 PO1: the order has no lines"},
		{"no PO number", func(p *PurchaseOrder) { p.Number = "" }, `x12: encode 850: the PO number must have 1 to 22 characters, not ""`},
		{"zero quantity", func(p *PurchaseOrder) { p.Lines[0].Quantity = 0 }, "x12: encode 850 PO1: line 1 needs a positive quantity and a price of 0 or more"},
		{"no product", func(p *PurchaseOrder) { p.Lines[0].VendorSKU = "" }, "x12: encode 850 PO1: line 1 names no product (buyer SKU, vendor SKU or UPC)"},
		{"terminator in an address", func(p *PurchaseOrder) { p.ShipTo = Party{Name: "A~B"} }, `x12: encode 850 PO1: x12: N102 "A~B" contains a delimiter (*>~) or a line break`},
		{"line break in a description", func(p *PurchaseOrder) { p.Lines[0].Description = "two\nlines" }, `x12: encode 850 PO1: x12: PID05 "two\nlines" contains a delimiter (*>~) or a line break`},
		{"control number too big", func(p *PurchaseOrder) { p.Envelope.GroupControl = 1_000_000_000 }, "x12: encode 850 PO1: x12: the group control number (GS06) must be between 1 and 999999999, not 1000000000"},
		{"sender id too long", func(p *PurchaseOrder) { p.Envelope.SenderID = "SIXTEEN-CHARS-ID" }, `x12: encode 850 PO1: x12: the sender id (ISA06) must have 1 to 15 characters, not "SIXTEEN-CHARS-ID"`},
		{"lower-case currency", func(p *PurchaseOrder) { p.Currency = "eur" }, `x12: encode 850 PO1: "eur" is not an ISO 4217 currency code`},
	}
	for _, tc := range cases {
		po := good()
		tc.change(&po)
		var buf bytes.Buffer
		err := Encode850(&buf, po)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.name, err, tc.want)
		}
	}
}

func Test855Fixture(t *testing.T) {
	t.Parallel()
	acks, err := Parse855(bytes.NewReader(fixture(t, "x12/855.edi")))
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 {
		t.Fatalf("%d acks", len(acks))
	}
	a := acks[0]
	if a.Envelope.SenderID != "1556150" || a.Envelope.ReceiverID != "123MILL" || a.Envelope.InterchangeControl != 5 || a.Envelope.SetControl != 5 {
		t.Errorf("envelope %+v", a.Envelope)
	}
	if a.Purpose != "00" || a.AckType != "AD" || a.PONumber != "POTEST1112" || !a.PODate.Equal(date(2020, 10, 15)) ||
		a.Reference != "60169126" || !a.AckDate.Equal(date(2020, 10, 15)) || a.Currency != "USD" {
		t.Errorf("header %+v", a)
	}
	type line struct {
		number, upc, desc                           string
		ordered, price, accepted, rejected, backord int64
		codes                                       string
	}
	want := []line{
		{"1", "9780446360265", "DIC WEBSTERS NEW WORLD", 3, 450, 3, 0, 0, "IA"},
		{"2", "9780767928427", "CLAPTON THE AUTOBIOGRAPHY", 2, 1599, 0, 2, 0, "IR"},
		{"3", "9780099599531", "", 1, 0, 0, 1, 0, "IR"},
		{"4", "9780446360272", "WEBSTERS NEW WORLD THESAURUS", 2, 450, 2, 0, 0, "IA"},
	}
	if len(a.Lines) != len(want) {
		t.Fatalf("%d lines", len(a.Lines))
	}
	for i, w := range want {
		l := a.Lines[i]
		var codes []string
		for _, s := range l.Statuses {
			codes = append(codes, s.Code)
		}
		got := line{l.Number, l.UPC, l.Description, l.Quantity, l.UnitPriceCents, l.Accepted, l.Rejected, l.Backordered, strings.Join(codes, ",")}
		if got != w {
			t.Errorf("line %d\n got %+v\nwant %+v", i+1, got, w)
		}
	}
	if ids := a.Lines[0].ProductIDs; len(ids) != 4 || ids[1] != (ProductID{"B6", "NEUFELDT, VICTORIA"}) {
		t.Errorf("product ids %+v", ids)
	}
	if k := a.Lines[1].Statuses[0].Kind(); k != AckRejected {
		t.Errorf("IR kind %v", k)
	}
}

func Test855Backorders(t *testing.T) {
	t.Parallel()
	doc := "ISA*00*          *00*          *ZZ*SUP            *ZZ*US             *240115*1430*U*00401*000000009*0*P*>~\n" +
		"GS*PR*SUP*US*20240115*1430*9*X*004010~\nST*855*0001~\nBAK*00*AC*PO-9*20240114~\n" +
		"PO1*1*10*EA*2*PE*VN*A~\nACK*IA*6*EA~\nACK*IB*4*EA*068*20240201~\n" +
		"PO1*2*5*EA*2*PE*VN*B~\nACK*IR~\n" +
		"PO1*3*5*EA*2*PE*VN*C~\nACK*IA~\n" +
		"SE*10*0001~\nGE*1*9~\nIEA*1*000000009~\n"
	acks, err := Parse855(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	l := acks[0].Lines
	if l[0].Accepted != 6 || l[0].Backordered != 4 || l[0].Rejected != 0 || !l[0].Statuses[1].Date.Equal(date(2024, 2, 1)) {
		t.Errorf("line 1 %+v", l[0])
	}
	if l[1].Rejected != 5 || l[1].Accepted != 0 {
		t.Errorf("line 2 (rejected without a quantity) %+v", l[1])
	}
	if l[2].Accepted != 5 {
		t.Errorf("line 3 (accepted without a quantity) %+v", l[2])
	}
}

func Test856Fixture(t *testing.T) {
	t.Parallel()
	notes, err := Parse856(bytes.NewReader(fixture(t, "x12/856.edi")))
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 {
		t.Fatalf("%d notices", len(notes))
	}
	n := notes[0]
	if n.Envelope.InterchangeControl != 49 || n.Envelope.GroupControl != 49 || n.Envelope.SetControl != 8 {
		t.Errorf("envelope %+v", n.Envelope)
	}
	if n.Purpose != "14" || n.ShipmentID != "829716" || !n.Date.Equal(time.Date(2011, 12, 6, 14, 24, 28, 0, time.UTC)) {
		t.Errorf("BSN %+v", n)
	}
	if n.Carrier != "XXXX" || n.Routing != "XXXX" || n.BillOfLading != "999999-001" || !reflect.DeepEqual(n.TrackingNumbers, []string{"5787970539"}) {
		t.Errorf("carrier %q routing %q BOL %q tracking %v", n.Carrier, n.Routing, n.BillOfLading, n.TrackingNumbers)
	}
	if !n.ShippedAt.Equal(date(2011, 12, 6)) {
		t.Errorf("shipped at %v", n.ShippedAt)
	}
	wantParties := []Party{
		{Role: "SH", Name: "1 EDI SOURCE", Address1: "31875 SOLON RD", City: "SOLON", State: "OH", PostalCode: "44139"},
		{Role: "OB", Name: "XYZ RETAIL", Address1: "P O BOX 9999999", City: "ATLANTA", State: "GA", PostalCode: "31139-0020"},
		{Role: "SF", Name: "1 EDI SOURCE", Address1: "31875 SOLON ROAD", City: "SOLON", State: "OH", PostalCode: "44139"},
	}
	if !reflect.DeepEqual(n.Parties, wantParties) {
		t.Errorf("parties\n got %+v\nwant %+v", n.Parties, wantParties)
	}
	wantOrders := []ShipOrder{{
		PONumber: "99999817", PODate: date(2011, 12, 5),
		Items: []ShipItem{
			{Number: "1", ProductIDs: []ProductID{{"VP", "87787D"}, {"UP", "999999310145"}}, VendorSKU: "87787D", UPC: "999999310145", Shipped: 24, Unit: "EA", Description: "BLUE WIDGET"},
			{Number: "2", ProductIDs: []ProductID{{"VP", "99887D"}, {"UP", "999999311746"}}, VendorSKU: "99887D", UPC: "999999311746", Shipped: 6, Unit: "EA", Description: "RED WIDGET"},
		},
	}}
	if !reflect.DeepEqual(n.Orders, wantOrders) {
		t.Errorf("orders\n got %+v\nwant %+v", n.Orders, wantOrders)
	}
}

func TestParseRefusesOtherSets(t *testing.T) {
	t.Parallel()
	_, err := Parse855(bytes.NewReader(fixture(t, "x12/856.edi")))
	want := "x12: 855: x12: segment 3 (ST): transaction set 856 where an 855 was expected"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}
