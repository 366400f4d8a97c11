package sandbox

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"strconv"
	"time"
)

// CSVHeader is the sandbox CSV feed's header row.
var CSVHeader = []string{"sku", "title", "barcode", "quantity", "cost", "currency", "lead_time_days", "discontinued"}

// RenderCSV writes the feed as UTF-8 CSV with a header row.
func RenderCSV(items []Item) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(CSVHeader) // writes to a bytes.Buffer don't fail
	for _, it := range items {
		_ = w.Write([]string{
			it.SKU, it.Title, it.Barcode, strconv.FormatInt(it.Quantity, 10), decimal(it.CostCents),
			it.Currency, strconv.Itoa(it.LeadTimeDays), strconv.FormatBool(it.Discontinued),
		})
	}
	w.Flush()
	return buf.Bytes()
}

// decimal writes minor units as a decimal amount: 1234 -> "12.34".
func decimal(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

type xmlInventory struct {
	XMLName   xml.Name  `xml:"inventory"`
	Supplier  string    `xml:"supplier,attr"`
	Generated string    `xml:"generated,attr"`
	Items     []xmlItem `xml:"item"`
}

type xmlItem struct {
	SKU          string  `xml:"sku"`
	Title        string  `xml:"title"`
	Barcode      string  `xml:"barcode"`
	Quantity     int64   `xml:"quantity"`
	Cost         xmlCost `xml:"cost"`
	LeadTimeDays int     `xml:"lead_time_days"`
	Discontinued bool    `xml:"discontinued"`
}

type xmlCost struct {
	Currency string `xml:"currency,attr"`
	Amount   string `xml:",chardata"`
}

// RenderXML writes the feed as <inventory><item>…</item></inventory>.
func RenderXML(code string, items []Item, generated time.Time) []byte {
	doc := xmlInventory{Supplier: code, Generated: generated.UTC().Format(time.RFC3339)}
	for _, it := range items {
		doc.Items = append(doc.Items, xmlItem{
			SKU: it.SKU, Title: it.Title, Barcode: it.Barcode, Quantity: it.Quantity,
			Cost: xmlCost{Currency: it.Currency, Amount: decimal(it.CostCents)}, LeadTimeDays: it.LeadTimeDays,
			Discontinued: it.Discontinued,
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	_ = enc.Encode(doc) // only fails on types xml can't encode
	buf.WriteByte('\n')
	return buf.Bytes()
}

// restItem is one item of the REST API, nested on purpose so that clients
// exercise field paths (stock.available, price.cost).
type restItem struct {
	SKU          string    `json:"sku"`
	Title        string    `json:"title"`
	Barcode      string    `json:"barcode"`
	Stock        restStock `json:"stock"`
	Price        restPrice `json:"price"`
	LeadTimeDays int       `json:"lead_time_days"`
	Discontinued bool      `json:"discontinued"`
	UpdatedAt    time.Time `json:"updated_at"`
}

type restStock struct {
	Available int64 `json:"available"`
}

type restPrice struct {
	Cost     string `json:"cost"`
	Currency string `json:"currency"`
}

func toREST(it Item) restItem {
	return restItem{
		SKU: it.SKU, Title: it.Title, Barcode: it.Barcode, Stock: restStock{Available: it.Quantity},
		Price: restPrice{Cost: decimal(it.CostCents), Currency: it.Currency}, LeadTimeDays: it.LeadTimeDays,
		Discontinued: it.Discontinued, UpdatedAt: it.UpdatedAt.UTC(),
	}
}

// truncate cuts a body in the middle of a line, as a transfer that died would.
func truncate(b []byte) []byte {
	cut := len(b) / 2
	for cut > 0 && (b[cut] == '\n' || b[cut-1] == '\n') {
		cut--
	}
	return b[:cut]
}

// garble recodes the body's non-ASCII letters to Latin-1 (the wrong encoding
// for a feed that says UTF-8) and overwrites a few bytes with bytes that are
// no text at all (NUL, 0xFF, 0xFE), as a broken export would.
func garble(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, r := range string(b) {
		if r > 0x7f && r <= 0xff {
			out = append(out, byte(r))
		} else {
			out = append(out, string(r)...)
		}
	}
	for i, junk := range []byte{0x00, 0xFF, 0xFE} {
		if pos := len(out) * (i + 1) / 4; pos < len(out) {
			out[pos] = junk
		}
	}
	return out
}
