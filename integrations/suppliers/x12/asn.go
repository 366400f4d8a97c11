package x12

import (
	"fmt"
	"io"
	"time"
)

// ShipNotice is an 856: what the supplier shipped, how, with which tracking numbers.
type ShipNotice struct {
	Envelope   Envelope
	Purpose    string    // BSN01
	ShipmentID string    // BSN02
	Date       time.Time // BSN03 + BSN04
	// Carrier is TD503 (usually the SCAC), TransportMethod TD504, Routing TD505.
	Carrier, TransportMethod, Routing string
	// TrackingNumbers are every REF*CN, shipment or package level, in order.
	TrackingNumbers []string
	BillOfLading    string    // REF*BM
	ShippedAt       time.Time // DTM*011
	Parties         []Party   // N1 loops of the shipment level: SF ship from, ST ship to...
	Orders          []ShipOrder
}

// ShipOrder is an order-level HL loop and the items below it.
type ShipOrder struct {
	PONumber string    // PRF01
	PODate   time.Time // PRF04
	Items    []ShipItem
}

// ShipItem is an item-level HL loop: LIN, SN1, PID.
type ShipItem struct {
	Number      string // LIN01
	ProductIDs  []ProductID
	VendorSKU   string
	BuyerSKU    string
	UPC         string
	Shipped     int64  // SN102
	Unit        string // SN103
	Description string // PID*F
}

// Parse856 reads every 856 transaction set of an interchange stream. Items
// belong to the order HL above them (by the HL parent chain); items with no
// order above them are gathered in an order with an empty PO number.
func Parse856(r io.Reader) ([]ShipNotice, error) {
	var out []ShipNotice
	err := readSets(r, "856", func(env Envelope, segs []Segment) error {
		n := ShipNotice{Envelope: env}
		parent := map[string]string{} // HL01 -> HL02
		orderOf := map[string]int{}   // HL01 of an order level -> index in n.Orders
		level, hl := "", ""
		var item *ShipItem
		var party *Party
		orderFor := func(hl string) int {
			for seen := 0; hl != "" && seen < len(parent)+1; seen++ {
				if i, ok := orderOf[hl]; ok {
					return i
				}
				hl = parent[hl]
			}
			for i, o := range n.Orders {
				if o.PONumber == "" {
					return i
				}
			}
			n.Orders = append(n.Orders, ShipOrder{})
			return len(n.Orders) - 1
		}
		for _, s := range segs {
			switch s.ID {
			case "BSN":
				n.Purpose, n.ShipmentID = s.Elem(1), s.Elem(2)
				n.Date = parseDateTime(s.Elem(3), s.Elem(4))
			case "HL":
				id := s.Elem(1)
				if id == "" {
					return segErr(s, "HL01 (the level's id) is empty")
				}
				if _, dup := parent[id]; dup {
					return segErr(s, "HL01 %q is used twice", id)
				}
				parent[id] = s.Elem(2)
				hl, level, item, party = id, s.Elem(3), nil, nil
				switch level {
				case "O":
					n.Orders = append(n.Orders, ShipOrder{})
					orderOf[id] = len(n.Orders) - 1
				case "I":
					o := &n.Orders[orderFor(s.Elem(2))]
					o.Items = append(o.Items, ShipItem{})
					item = &o.Items[len(o.Items)-1]
				}
			case "TD5":
				if n.Carrier == "" {
					n.Carrier, n.TransportMethod, n.Routing = s.Elem(3), s.Elem(4), s.Elem(5)
				}
			case "REF":
				switch s.Elem(1) {
				case "CN":
					if s.Elem(2) != "" {
						n.TrackingNumbers = append(n.TrackingNumbers, s.Elem(2))
					}
				case "BM":
					n.BillOfLading = s.Elem(2)
				}
			case "DTM":
				if s.Elem(1) == "011" {
					n.ShippedAt = parseDateTime(s.Elem(2), s.Elem(3))
				}
			case "N1":
				party = nil
				if level == "S" {
					n.Parties = append(n.Parties, Party{})
					party = &n.Parties[len(n.Parties)-1]
				}
				fallthrough
			case "N3", "N4":
				if party != nil {
					applyParty(party, s)
				}
			case "PRF":
				if i, ok := orderOf[hl]; ok {
					n.Orders[i].PONumber = s.Elem(1)
					n.Orders[i].PODate = parseDateTime(s.Elem(4), "")
				}
			case "LIN":
				if item != nil {
					ids := productIDs(s, 2)
					item.Number, item.ProductIDs = s.Elem(1), ids
					item.VendorSKU = firstID(ids, vendorQualifiers...)
					item.BuyerSKU = firstID(ids, buyerQualifiers...)
					item.UPC = firstID(ids, upcQualifiers...)
				}
			case "SN1":
				if item != nil {
					q, err := quantity(s, 2)
					if err != nil {
						return err
					}
					if q < 0 {
						return segErr(s, "SN102 %d: a shipped quantity can't be negative", q)
					}
					item.Shipped, item.Unit = q, s.Elem(3)
				}
			case "PID":
				if item != nil && s.Elem(1) == "F" && item.Description == "" {
					item.Description = s.Elem(5)
				}
			}
		}
		if n.ShipmentID == "" {
			return &Error{Pos: segs[0].Pos, ID: "ST", Msg: "the 856 has no BSN segment with a shipment id"}
		}
		out = append(out, n)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("x12: 856: %w", err)
	}
	return out, nil
}
