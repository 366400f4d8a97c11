package x12

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/internal/money"
)

// DefaultSKUQualifiers is the LIN qualifier preference for an 846's SKU:
// the vendor's item number, the vendor's part number, the SKU, the buyer's part number.
var DefaultSKUQualifiers = []string{"VN", "VP", "SK", "BP"}

// InventoryOptions configures Open846 per supplier.
type InventoryOptions struct {
	// SKUQualifiers lists the LIN product id qualifiers to take the SKU from,
	// in order of preference; DefaultSKUQualifiers when empty.
	SKUQualifiers []string
}

// Open846 streams the items of X12 846 inventory advices as stock records:
// one per LIN loop, with QTY*33 (available for sale) as the quantity, the
// SKU per opts, the UPC/GTIN/EAN as barcode, PID*F as title, CTP03 as cost
// in the CUR currency, LDT as lead time, and a DTM 007 (effective) or 097
// (creation) of the item or, failing that, of the header as ObservedAt. Other
// QTY qualifiers are ignored, and so is any QTY*33 after the first of a LIN
// (per-location breakdowns must not count twice). Record.Line is the LIN
// segment's ordinal in the file. Envelope problems are fatal errors.
func Open846(r io.Reader, opts InventoryOptions) suppliers.RecordReader {
	if len(opts.SKUQualifiers) == 0 {
		opts.SKUQualifiers = DefaultSKUQualifiers
	}
	return &inventoryReader{r: NewReader(r), prefs: opts.SKUQualifiers}
}

type inventoryReader struct {
	r        *Reader
	prefs    []string
	err      error
	currency string
	observed time.Time // the header's DTM
	cur      *invItem
}

// invItem is a LIN loop being read.
type invItem struct {
	lin      Segment
	ids      []ProductID
	qty      *Segment
	title    string
	ctp      *Segment
	lead     *int
	observed time.Time
}

func (x *inventoryReader) Next() (suppliers.StockRecord, error) {
	if x.err != nil {
		return suppliers.StockRecord{}, x.err
	}
	for {
		s, err := x.r.Next()
		if err != nil {
			x.err = err
			if err != io.EOF {
				x.err = fmt.Errorf("x12: 846: %w", err)
			}
			return suppliers.StockRecord{}, x.err
		}
		done, err := x.apply(s)
		if err != nil {
			x.err = fmt.Errorf("x12: 846: %w", err)
			return suppliers.StockRecord{}, x.err
		}
		if done != nil {
			return x.record(done)
		}
	}
}

// apply takes one segment in and returns a LIN loop it completed, if any.
func (x *inventoryReader) apply(s Segment) (*invItem, error) {
	var done *invItem
	switch s.ID {
	case "ST":
		if s.Elem(1) != "846" {
			return nil, segErr(s, "transaction set %s is not an 846 inventory advice", s.Elem(1))
		}
		x.currency, x.observed, x.cur = "", time.Time{}, nil
	case "SE", "CTT":
		done, x.cur = x.cur, nil
	case "LIN":
		done = x.cur
		x.cur = &invItem{lin: s, ids: productIDs(s, 2)}
	case "CUR":
		if x.cur == nil {
			c, _, ok := money.Currency(s.Elem(2))
			if !ok {
				return nil, segErr(s, "CUR02 %q is not an ISO 4217 currency code", s.Elem(2))
			}
			x.currency = c
		}
	case "DTM":
		if t, ok := observedAt(s); ok {
			if x.cur != nil {
				x.cur.observed = t
			} else {
				x.observed = t
			}
		}
	case "QTY":
		if x.cur != nil && s.Elem(1) == "33" && x.cur.qty == nil {
			x.cur.qty = &s
		}
	case "PID":
		if x.cur != nil && s.Elem(1) == "F" && x.cur.title == "" {
			x.cur.title = strings.TrimSpace(s.Elem(5))
		}
	case "CTP":
		if x.cur != nil && x.cur.ctp == nil && strings.TrimSpace(s.Elem(3)) != "" {
			x.cur.ctp = &s
		}
	case "LDT":
		if x.cur != nil && x.cur.lead == nil {
			if n, err := quantity(s, 2); err == nil && n >= 0 {
				per := map[string]int64{"DA": 1, "WK": 7, "MO": 30}[s.Elem(3)]
				if per > 0 && n*per <= 3650 {
					d := int(n * per)
					x.cur.lead = &d
				}
			}
		}
	}
	return done, nil
}

// record turns a finished LIN loop into a record or a row error.
func (x *inventoryReader) record(it *invItem) (suppliers.StockRecord, error) {
	line := it.lin.Pos
	rec := suppliers.StockRecord{Line: line, Title: it.title, LeadTimeDays: it.lead}
	rec.SKU = firstID(it.ids, x.prefs...)
	if rec.SKU == "" {
		return suppliers.StockRecord{}, &suppliers.RowError{Line: line, Reason: fmt.Sprintf(
			"LIN has no product id qualified %s for the SKU (it has %s)", strings.Join(x.prefs, ", "), describeIDs(it.ids))}
	}
	rec.Barcode = firstID(it.ids, upcQualifiers...)
	if it.qty == nil {
		return suppliers.StockRecord{}, &suppliers.RowError{Line: line, Reason: fmt.Sprintf("LIN %s has no QTY*33 (quantity available for sale)", rec.SKU)}
	}
	q, err := quantity(*it.qty, 2)
	if err != nil {
		return suppliers.StockRecord{}, &suppliers.RowError{Line: line, Reason: fmt.Sprintf("QTY*33 for %s is %q, not a whole number", rec.SKU, it.qty.Elem(2))}
	}
	if q < 0 {
		return suppliers.StockRecord{}, &suppliers.RowError{Line: line, Reason: fmt.Sprintf("QTY*33 for %s is %d; a quantity can't be negative", rec.SKU, q)}
	}
	rec.Quantity = q
	if it.ctp != nil {
		cents, err := money.ToMinor(it.ctp.Elem(3), '.', money.Digits(x.currency))
		if err != nil {
			return suppliers.StockRecord{}, &suppliers.RowError{Line: line, Reason: fmt.Sprintf("CTP03 price %q for %s is not a non-negative number", it.ctp.Elem(3), rec.SKU)}
		}
		rec.CostCents, rec.Currency = &cents, x.currency
	}
	rec.ObservedAt = it.observed
	if rec.ObservedAt.IsZero() {
		rec.ObservedAt = x.observed
	}
	return rec, nil
}

func describeIDs(ids []ProductID) string {
	if len(ids) == 0 {
		return "none"
	}
	var parts []string
	for _, id := range ids {
		parts = append(parts, id.Qualifier+" "+id.ID)
	}
	return strings.Join(parts, ", ")
}

// observedAt reads a DTM 007 (effective) or 097 (transaction creation).
func observedAt(s Segment) (time.Time, bool) {
	if q := s.Elem(1); q != "007" && q != "097" {
		return time.Time{}, false
	}
	t := parseDateTime(s.Elem(2), s.Elem(3))
	if t.IsZero() {
		return t, false
	}
	return t.Add(-zoneOffset(s.Elem(4))).UTC(), true
}

// zoneOffset is the UTC offset of a DTM04 time code (UT when absent).
func zoneOffset(code string) time.Duration {
	offsets := map[string]int{"ES": -5, "ED": -4, "ET": -5, "CS": -6, "CD": -5, "CT": -6, "MS": -7, "MD": -6, "MT": -7, "PS": -8, "PD": -7, "PT": -8}
	return time.Duration(offsets[code]) * time.Hour
}

// InventoryAdvice is an 846 to write: the stock of many SKUs at one moment.
type InventoryAdvice struct {
	Envelope  Envelope
	Reference string    // BIA03, the advice's own number
	Date      time.Time // BIA04/BIA05
	// SKUQualifier is the LIN qualifier the SKUs are written with; "VN" when empty.
	SKUQualifier string
	// Records are written one LIN loop each: SKU and barcode (UP) in LIN, title
	// in PID, cost in CTP (all costs must share a currency, written in CUR),
	// lead time in LDT, quantity in QTY*33, ObservedAt in DTM*007. Discontinued
	// has no 846 element and is not written.
	Records []suppliers.StockRecord
}

// Encode846 writes adv as one interchange holding one 846 transaction set.
func Encode846(w io.Writer, adv InventoryAdvice) error {
	currency := ""
	for _, r := range adv.Records {
		if r.CostCents == nil {
			continue
		}
		if r.Currency == "" || (currency != "" && r.Currency != currency) {
			return fmt.Errorf("x12: encode 846: every cost needs the same currency (SKU %s has %q)", r.SKU, r.Currency)
		}
		currency = r.Currency
	}
	qual := adv.SKUQualifier
	if qual == "" {
		qual = "VN"
	}
	xw := newWriter(w)
	xw.begin(adv.Envelope, "IB", "846")
	date := adv.Date.UTC()
	xw.seg("BIA", "00", "MM", adv.Reference, date.Format("20060102"), date.Format("1504"))
	if currency != "" {
		xw.seg("CUR", "SE", currency)
	}
	for i, r := range adv.Records {
		if r.SKU == "" || r.Quantity < 0 {
			return fmt.Errorf("x12: encode 846: record %d has no SKU or a negative quantity", i+1)
		}
		lin := []string{strconv.Itoa(i + 1), qual, r.SKU}
		if r.Barcode != "" {
			lin = append(lin, "UP", r.Barcode)
		}
		xw.seg("LIN", lin...)
		if r.Title != "" {
			xw.seg("PID", "F", "", "", "", r.Title)
		}
		if r.CostCents != nil {
			xw.seg("CTP", "", "UCP", money.Format(*r.CostCents, money.Digits(currency)))
		}
		if r.LeadTimeDays != nil {
			xw.seg("LDT", "AF", strconv.Itoa(*r.LeadTimeDays), "DA")
		}
		xw.seg("QTY", "33", formatQty(r.Quantity), "EA")
		if !r.ObservedAt.IsZero() {
			t := r.ObservedAt.UTC()
			xw.seg("DTM", "007", t.Format("20060102"), t.Format("150405"), "UT")
		}
	}
	xw.seg("CTT", strconv.Itoa(len(adv.Records)))
	if err := xw.end(adv.Envelope); err != nil {
		return fmt.Errorf("x12: encode 846: %w", err)
	}
	return nil
}
