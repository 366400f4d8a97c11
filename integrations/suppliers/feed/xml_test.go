package feed

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"dropship/integrations/suppliers"
)

func xmlMapping() Mapping {
	return Mapping{
		Format:   FormatXML,
		ItemPath: "inventory/item",
		Fields: Fields{
			SKU: "@sku", Quantity: "stock/available", Cost: "price", Currency: "price/@currency",
			LeadTimeDays: "lead", Discontinued: "@discontinued", Barcode: "g:gtin", Title: "title",
		},
	}
}

func TestXMLReadsEveryField(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<inventory xmlns:g="http://base.google.com/ns/1.0">
  <!-- the supplier's comment -->
  <item sku="A-1" discontinued="no">
    <title>Mug &amp; saucer&nbsp;set</title>
    <stock><available>12</available><reserved>3</reserved></stock>
    <price currency="EUR">9,95</price>
    <lead>3</lead>
    <g:gtin>4006381333931</g:gtin>
  </item>
  <item sku="B-2" discontinued="Y">
    <stock><available> 0 </available></stock>
    <title><![CDATA[Pens <blue>]]></title>
  </item>
  <other><item sku="NOT-AN-ITEM"><stock><available>1</available></stock></item></other>
</inventory>`
	rr, err := Open(strings.NewReader(doc), "feed.xml", xmlMapping())
	if err != nil {
		t.Fatal(err)
	}
	recs, rowErrs, err := readAll(t, rr)
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("err %v, row errors %v", err, rowErrs)
	}
	want := []suppliers.StockRecord{
		{Line: 1, SKU: "A-1", Quantity: 12, CostCents: ptr(int64(995)), Currency: "EUR", LeadTimeDays: ptr(3), Barcode: "4006381333931", Title: "Mug & saucer\u00a0set"},
		{Line: 2, SKU: "B-2", Quantity: 0, Discontinued: true, Title: "Pens <blue>"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("records:\n got %s\nwant %s", dump(recs), dump(want))
	}
}

func TestXMLEncodings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, encoding, doc string
	}{
		{"declared ISO-8859-1", "", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><inventory><item sku=\"A\"><stock><available>1</available></stock><title>Caf\xe9</title></item></inventory>"},
		{"declared windows-1252 in single quotes", "", "<?xml version='1.0' encoding='windows-1252'?><inventory><item sku=\"A\"><stock><available>1</available></stock><title>Caf\xe9</title></item></inventory>"},
		{"no declaration, mapping says latin-1", "latin-1", "<inventory><item sku=\"A\"><stock><available>1</available></stock><title>Caf\xe9</title></item></inventory>"},
		{"declaration wins over the mapping", "latin-1", "<?xml version=\"1.0\" encoding=\"utf-8\"?><inventory><item sku=\"A\"><stock><available>1</available></stock><title>Café</title></item></inventory>"},
		{"UTF-8 BOM", "", "\xef\xbb\xbf<inventory><item sku=\"A\"><stock><available>1</available></stock><title>Café</title></item></inventory>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := xmlMapping()
			m.Encoding = tc.encoding
			rr, err := Open(strings.NewReader(tc.doc), "f.xml", m)
			if err != nil {
				t.Fatal(err)
			}
			recs, rowErrs, err := readAll(t, rr)
			if err != nil || len(rowErrs) > 0 || len(recs) != 1 {
				t.Fatalf("err %v, row errors %v, records %s", err, rowErrs, dump(recs))
			}
			if recs[0].Title != "Café" {
				t.Errorf("title %q, want Café", recs[0].Title)
			}
		})
	}
}

func TestXMLRowErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, item, reason string
	}{
		{"no SKU attribute", `<item><stock><available>1</available></stock></item>`,
			`the SKU is empty (attribute "sku" of the item), in the item on line 3`},
		{"negative quantity", `<item sku="X"><stock><available>-1</available></stock></item>`,
			`the quantity "-1" is negative (<stock/available>), in the item on line 3`},
		{"no quantity element", `<item sku="X"><stock/></item>`,
			`the quantity is empty (<stock/available>), in the item on line 3`},
		{"quantity not a number", `<item sku="X"><stock><available>lots</available></stock></item>`,
			`the quantity "lots" is not a whole number (<stock/available>), in the item on line 3`},
		{"bad cost", `<item sku="X"><stock><available>1</available></stock><price currency="USD">cheap</price></item>`,
			`the cost "cheap" is not a number (<price>), in the item on line 3`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := "<inventory>\n<item sku=\"G1\"><stock><available>1</available></stock></item>\n" + tc.item +
				"\n<item sku=\"G2\"><stock><available>2</available></stock></item>\n</inventory>"
			rr, err := Open(strings.NewReader(doc), "f.xml", xmlMapping())
			if err != nil {
				t.Fatal(err)
			}
			recs, rowErrs, err := readAll(t, rr)
			if err != nil {
				t.Fatalf("fatal %v", err)
			}
			if len(rowErrs) != 1 || rowErrs[0].Line != 2 || rowErrs[0].Reason != tc.reason {
				t.Fatalf("row errors %v\nwant item 2: %s", rowErrs, tc.reason)
			}
			if len(recs) != 2 || recs[0].SKU != "G1" || recs[1].SKU != "G2" || recs[1].Line != 3 {
				t.Errorf("records around the bad item: %s", dump(recs))
			}
		})
	}
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ELEMENT lolz (#PCDATA)>
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<inventory><item sku="&lol9;"><stock><available>1</available></stock></item></inventory>`

func TestXMLFatalErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc string
		m         func(*Mapping)
		class     error
		message   string
	}{
		{"billion laughs", billionLaughs, nil, ErrDTD,
			"feed: DTD refused: line 2: the XML has a DOCTYPE; documents with DTDs or entity declarations are refused (entities can expand to gigabytes)"},
		{"external entity", "<?xml version=\"1.0\"?>\n<!doctype inventory [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<inventory><item sku=\"&xxe;\"/></inventory>", nil, ErrDTD,
			"feed: DTD refused: line 2: the XML has a DOCTYPE; documents with DTDs or entity declarations are refused (entities can expand to gigabytes)"},
		{"entity declared without a DOCTYPE", "<inventory>\n\n<!ENTITY a \"b\"></inventory>", nil, ErrDTD,
			"feed: DTD refused: line 3: the XML declares an entity (<!ENTITY>); documents with DTDs or entity declarations are refused (entities can expand to gigabytes)"},
		{"other declaration", "<inventory>\n<!ELEMENT a ANY></inventory>", nil, ErrDTD,
			"feed: DTD refused: line 2: the XML has a <!ELEMENT> declaration; documents with DTDs are refused"},
		{"undefined entity", "<inventory>\n<item sku=\"&lol9;\"/></inventory>", nil, ErrMalformed,
			"feed: malformed file: the XML is malformed on line 2: invalid character entity &lol9;"},
		{"unclosed element", "<inventory>\n<item sku=\"A\"><stock><available>1</available></stock></item>\n<item>", nil, ErrMalformed,
			"feed: malformed file: the XML is malformed on line 3: unexpected EOF"},
		{"mismatched tags", "<inventory>\n<item></itm></inventory>", nil, ErrMalformed,
			"feed: malformed file: the XML is malformed on line 2: element <item> closed by </itm>"},
		{"wrong root", "<feed><item/></feed>", nil, ErrMalformed,
			`feed: malformed file: the XML's root element is <feed>, but the item path "inventory/item" starts with <inventory>`},
		{"empty document", "", nil, ErrMalformed,
			"feed: malformed file: the XML file has no elements (it is empty)"},
		{"latin-1 bytes in UTF-8", "<inventory>\n<item sku=\"Caf\xe9\"/></inventory>", nil, ErrEncoding,
			"feed: wrong text encoding: line 2 is not valid UTF-8; if the supplier sends Latin-1 or Windows-1252, choose that encoding or declare it in the XML"},
		{"unknown declared encoding", "<?xml version=\"1.0\" encoding=\"EBCDIC\"?><inventory/>", nil, ErrEncoding,
			`feed: wrong text encoding: the XML declares encoding "EBCDIC"; we read UTF-8, ISO-8859-1 and Windows-1252`},
		{"text over 1 MiB", "<inventory>\n<item sku=\"A\"><title>" + strings.Repeat("x", MaxLine+1) + "</title></item></inventory>", nil, ErrLineTooLong,
			"feed: line too long: line 2: the XML has a text or tag longer than 1 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := xmlMapping()
			if tc.m != nil {
				tc.m(&m)
			}
			rr, err := Open(strings.NewReader(tc.doc), "f.xml", m)
			var recs []suppliers.StockRecord
			if err == nil {
				recs, _, err = readAll(t, rr)
			}
			if err == nil || !errors.Is(err, tc.class) || err.Error() != tc.message {
				t.Fatalf("error\n got %v\nwant %s", err, tc.message)
			}
			if len(recs) > 0 && tc.class == ErrDTD {
				t.Errorf("records came out of a refused document: %s", dump(recs))
			}
		})
	}
}

// The refusal comes before the decoder reads past the DOCTYPE: a DTD padded
// with an endless stream is refused after a few kilobytes, with a small heap.
func TestXMLRefusesDTDBeforeReadingOn(t *testing.T) {
	t.Parallel()
	endlessDTD := &endless{b: 'x'}
	src := io.MultiReader(strings.NewReader("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \""), endlessDTD)
	sampler := startHeapSampler()
	rr, err := Open(src, "f.xml", xmlMapping())
	if err == nil {
		_, _, err = readAll(t, rr)
	}
	peak := sampler.Stop()
	if !errors.Is(err, ErrDTD) {
		t.Fatalf("error %v, want a refused DTD", err)
	}
	if endlessDTD.read > 1<<20 {
		t.Errorf("read %d KiB of the DTD before refusing it", endlessDTD.read>>10)
	}
	if peak > 32<<20 {
		t.Errorf("peak heap %d MiB while refusing a DTD", peak>>20)
	}
}

func TestXMLNamedItemsAndNestedPaths(t *testing.T) {
	t.Parallel()
	doc := `<r:root xmlns:r="urn:x"><r:products><r:product><r:id>P1</r:id><r:qty>5</r:qty><r:bar code="123"/></r:product></r:products></r:root>`
	m := Mapping{Format: FormatXML, ItemPath: "/root/products/product", Fields: Fields{SKU: "id", Quantity: "r:qty", Barcode: "bar/@code"}}
	rr, err := Open(strings.NewReader(doc), "f.xml", m)
	if err != nil {
		t.Fatal(err)
	}
	recs, rowErrs, err := readAll(t, rr)
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("%v %v", err, rowErrs)
	}
	want := []suppliers.StockRecord{{Line: 1, SKU: "P1", Quantity: 5, Barcode: "123"}}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("got %s want %s", dump(recs), dump(want))
	}
}
