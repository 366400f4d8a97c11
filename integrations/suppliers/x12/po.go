package x12

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"dropship/integrations/suppliers/internal/money"
)

// PurchaseOrder is an 850: what we ask one supplier to ship.
type PurchaseOrder struct {
	// Envelope: the sender is the buyer (us), the receiver the seller.
	Envelope Envelope
	Purpose  string    // BEG01; "00" (original) when empty
	Type     string    // BEG02; "SA" (stand-alone order) when empty
	Number   string    // BEG03, the PO number
	Date     time.Time // BEG05, a date
	Currency string    // CUR02 (CUR*BY); prices are in its minor units, USD's when empty
	ShipTo   Party     // N1*ST loop
	Lines    []POLine
}

// POLine is a PO1 line with its PID description.
type POLine struct {
	Number         string // PO101, the line's id; "1", "2"... when empty
	Quantity       int64  // PO102
	Unit           string // PO103; "EA" when empty
	UnitPriceCents int64  // PO104 in minor units of the order's currency
	BuyerSKU       string // BP (read also from IN and CB)
	VendorSKU      string // VN (read also from VP, VA, VC)
	UPC            string // UP (read also from UK, EN, UA)
	Description    string // PID*F
}

// Encode850 writes po as one interchange holding one 850 transaction set.
func Encode850(w io.Writer, po PurchaseOrder) error {
	if err := po.check(); err != nil {
		return err
	}
	purpose, typ := po.Purpose, po.Type
	if purpose == "" {
		purpose = "00"
	}
	if typ == "" {
		typ = "SA"
	}
	digits := money.Digits(po.Currency)
	xw := newWriter(w)
	xw.begin(po.Envelope, "PO", "850")
	xw.seg("BEG", purpose, typ, po.Number, "", po.Date.UTC().Format("20060102"))
	if po.Currency != "" {
		xw.seg("CUR", "BY", po.Currency)
	}
	if po.ShipTo != (Party{}) {
		st := po.ShipTo
		xw.seg("N1", "ST", st.Name, st.IDQualifier, st.ID)
		if st.Address1 != "" || st.Address2 != "" {
			xw.seg("N3", st.Address1, st.Address2)
		}
		if st.City != "" || st.State != "" || st.PostalCode != "" || st.Country != "" {
			xw.seg("N4", st.City, st.State, st.PostalCode, st.Country)
		}
	}
	var total int64
	for i, l := range po.Lines {
		num, unit := l.Number, l.Unit
		if num == "" {
			num = strconv.Itoa(i + 1)
		}
		if unit == "" {
			unit = "EA"
		}
		el := []string{num, formatQty(l.Quantity), unit, money.Format(l.UnitPriceCents, digits), "PE"}
		for _, id := range []ProductID{{"BP", l.BuyerSKU}, {"VN", l.VendorSKU}, {"UP", l.UPC}} {
			if id.ID != "" {
				el = append(el, id.Qualifier, id.ID)
			}
		}
		xw.seg("PO1", el...)
		if l.Description != "" {
			xw.seg("PID", "F", "", "", "", l.Description)
		}
		total += l.Quantity
	}
	xw.seg("CTT", strconv.Itoa(len(po.Lines)), formatQty(total))
	if err := xw.end(po.Envelope); err != nil {
		return fmt.Errorf("x12: encode 850 %s: %w", po.Number, err)
	}
	return nil
}

func (po PurchaseOrder) check() error {
	switch {
	case strings.TrimSpace(po.Number) == "" || len(po.Number) > 22:
		return fmt.Errorf("x12: encode 850: the PO number must have 1 to 22 characters, not %q", po.Number)
	case po.Date.IsZero():
		return fmt.Errorf("x12: encode 850 %s: the order has no date", po.Number)
	case len(po.Lines) == 0:
		return fmt.Errorf("x12: encode 850 %s: the order has no lines", po.Number)
	}
	if po.Currency != "" {
		if c, _, ok := money.Currency(po.Currency); !ok || c != po.Currency {
			return fmt.Errorf("x12: encode 850 %s: %q is not an ISO 4217 currency code", po.Number, po.Currency)
		}
	}
	for i, l := range po.Lines {
		if l.Quantity <= 0 || l.UnitPriceCents < 0 {
			return fmt.Errorf("x12: encode 850 %s: line %d needs a positive quantity and a price of 0 or more", po.Number, i+1)
		}
		if l.BuyerSKU == "" && l.VendorSKU == "" && l.UPC == "" {
			return fmt.Errorf("x12: encode 850 %s: line %d names no product (buyer SKU, vendor SKU or UPC)", po.Number, i+1)
		}
	}
	return nil
}

// Parse850 reads every 850 transaction set of an interchange stream.
func Parse850(r io.Reader) ([]PurchaseOrder, error) {
	var out []PurchaseOrder
	err := readSets(r, "850", func(env Envelope, segs []Segment) error {
		po := PurchaseOrder{Envelope: env}
		var party *Party
		var line *POLine
		for _, s := range segs {
			switch s.ID {
			case "BEG":
				po.Purpose, po.Type, po.Number = s.Elem(1), s.Elem(2), s.Elem(3)
				po.Date = parseDateTime(s.Elem(5), "")
			case "CUR":
				po.Currency = s.Elem(2)
			case "N1":
				party = nil
				if s.Elem(1) == "ST" {
					party = &po.ShipTo
				}
				fallthrough
			case "N3", "N4":
				if party != nil && line == nil {
					applyParty(party, s)
				}
			case "PO1":
				l, err := poLine(s, po.Currency)
				if err != nil {
					return err
				}
				po.Lines = append(po.Lines, POLine{})
				line = &po.Lines[len(po.Lines)-1]
				*line = l
			case "PID":
				if line != nil && s.Elem(1) == "F" && line.Description == "" {
					line.Description = s.Elem(5)
				}
			}
		}
		if po.Number == "" {
			return &Error{Pos: segs[0].Pos, ID: "ST", Msg: "the 850 has no BEG segment with a PO number"}
		}
		out = append(out, po)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("x12: 850: %w", err)
	}
	return out, nil
}

// poLine reads a PO1 segment (shared by 850 and 855).
func poLine(s Segment, currency string) (POLine, error) {
	q, err := quantity(s, 2)
	if err != nil {
		return POLine{}, err
	}
	p, err := price(s, 4, currency)
	if err != nil {
		return POLine{}, err
	}
	ids := productIDs(s, 6)
	return POLine{
		Number: s.Elem(1), Quantity: q, Unit: s.Elem(3), UnitPriceCents: p,
		BuyerSKU:  firstID(ids, buyerQualifiers...),
		VendorSKU: firstID(ids, vendorQualifiers...),
		UPC:       firstID(ids, upcQualifiers...),
	}, nil
}
