package x12

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"dropship/integrations/suppliers/internal/money"
)

// Envelope is who sends a document to whom, under which control numbers.
// Encoders take the control numbers from the caller (who stores them, so a
// resent document carries the same ones); parsers fill them in.
type Envelope struct {
	SenderQualifier   string // ISA05; "ZZ" (mutually defined) when empty
	SenderID          string // ISA06
	ReceiverQualifier string // ISA07; "ZZ" when empty
	ReceiverID        string // ISA08
	// GroupSender and GroupReceiver are GS02/GS03 when they differ from the ISA ids.
	GroupSender, GroupReceiver string
	InterchangeControl         int64 // ISA13 = IEA02, 1..999999999
	GroupControl               int64 // GS06 = GE02, 1..999999999
	SetControl                 int64 // ST02 = SE02, 1..999999999, written with at least 4 digits
	Date                       time.Time
	Test                       bool // ISA15 T instead of P
}

// envelopeOf fills an Envelope from what the reader saw.
func envelopeOf(r *Reader) Envelope {
	isa, gs, st := r.Interchange(), r.Group(), r.Set()
	e := Envelope{
		SenderQualifier: isa.SenderQualifier, SenderID: isa.SenderID,
		ReceiverQualifier: isa.ReceiverQualifier, ReceiverID: isa.ReceiverID,
		InterchangeControl: atoi64(isa.Control), GroupControl: atoi64(gs.Control), SetControl: atoi64(st.Control),
		Date: gs.Date, Test: isa.Test,
	}
	if gs.Sender != isa.SenderID {
		e.GroupSender = gs.Sender
	}
	if gs.Receiver != isa.ReceiverID {
		e.GroupReceiver = gs.Receiver
	}
	if e.Date.IsZero() {
		e.Date = isa.Date
	}
	return e
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// ProductID is one qualifier/id pair of a LIN, PO1 or similar segment.
type ProductID struct {
	Qualifier string // VN vendor's item, VP vendor's part, SK SKU, BP buyer's part, UP UPC, EN EAN...
	ID        string
}

// productIDs reads qualifier/id pairs starting at element from.
func productIDs(s Segment, from int) []ProductID {
	var ids []ProductID
	for i := from; i+1 <= len(s.Elements); i += 2 {
		q, id := strings.TrimSpace(s.Elem(i)), strings.TrimSpace(s.Elem(i+1))
		if q != "" && id != "" {
			ids = append(ids, ProductID{Qualifier: q, ID: id})
		}
	}
	return ids
}

// firstID returns the id of the first qualifier in prefs that ids has.
func firstID(ids []ProductID, prefs ...string) string {
	for _, p := range prefs {
		for _, id := range ids {
			if id.Qualifier == p {
				return id.ID
			}
		}
	}
	return ""
}

// Qualifiers for the SKUs in PO1 and LIN segments, most specific first.
var (
	vendorQualifiers = []string{"VN", "VP", "VA", "VC"}
	buyerQualifiers  = []string{"BP", "IN", "CB"}
	upcQualifiers    = []string{"UP", "UK", "EN", "UA"}
)

// Party is an N1 loop: a name, an id, and an address (N3, N4).
type Party struct {
	Role        string // N101: ST ship to, SF ship from, BY buyer, SE seller...
	Name        string
	IDQualifier string // N103, e.g. 92 (assigned by buyer)
	ID          string // N104
	Address1    string // N301
	Address2    string // N302
	City        string // N401
	State       string // N402
	PostalCode  string // N403
	Country     string // N404
}

// partyAt applies an N1, N3 or N4 segment to the party p.
func applyParty(p *Party, s Segment) {
	switch s.ID {
	case "N1":
		*p = Party{Role: s.Elem(1), Name: s.Elem(2), IDQualifier: s.Elem(3), ID: s.Elem(4)}
	case "N3":
		if p.Address1 == "" {
			p.Address1, p.Address2 = s.Elem(1), s.Elem(2)
		} else if p.Address2 == "" {
			p.Address2 = s.Elem(1)
		}
	case "N4":
		p.City, p.State, p.PostalCode, p.Country = s.Elem(1), s.Elem(2), s.Elem(3), s.Elem(4)
	}
}

// quantity reads a whole-number X12 quantity ("3", "3.0").
func quantity(s Segment, n int) (int64, error) {
	v := strings.TrimSpace(s.Elem(n))
	if v == "" {
		return 0, segErr(s, "%s (a quantity) is empty", s.name(n))
	}
	whole, frac, _ := strings.Cut(v, ".")
	if strings.Trim(frac, "0") != "" {
		return 0, segErr(s, "%s %q is not a whole quantity", s.name(n), v)
	}
	q, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, segErr(s, "%s %q is not a quantity", s.name(n), v)
	}
	return q, nil
}

// price reads an X12 decimal price into minor units of currency.
func price(s Segment, n int, currency string) (int64, error) {
	v := strings.TrimSpace(s.Elem(n))
	if v == "" {
		return 0, nil
	}
	cents, err := money.ToMinor(v, '.', money.Digits(currency))
	if err != nil {
		return 0, segErr(s, "%s %q is not a price (%v)", s.name(n), v, err)
	}
	return cents, nil
}

// writer writes segments with the default delimiters, counting those of the
// open transaction set, and refuses values that contain a delimiter.
type writer struct {
	w     *bufio.Writer
	d     Delimiters
	count int
	err   error
}

func newWriter(w io.Writer) *writer {
	return &writer{w: bufio.NewWriter(w), d: DefaultDelimiters}
}

func (w *writer) seg(id string, elems ...string) {
	if w.err != nil {
		return
	}
	for len(elems) > 0 && elems[len(elems)-1] == "" {
		elems = elems[:len(elems)-1]
	}
	forbidden := string([]byte{w.d.Element, w.d.SubElement, w.d.Segment}) + "\r\n"
	for i, e := range elems {
		if id != "ISA" && strings.ContainsAny(e, forbidden) {
			w.err = fmt.Errorf("x12: %s%02d %q contains a delimiter (%s) or a line break", id, i+1, e, forbidden[:3])
			return
		}
	}
	w.w.WriteString(id)
	for _, e := range elems {
		w.w.WriteByte(w.d.Element)
		w.w.WriteString(e)
	}
	w.w.WriteByte(w.d.Segment)
	w.w.WriteByte('\n')
	w.count++
}

// begin writes ISA, GS and ST for one transaction set.
func (w *writer) begin(e Envelope, functionalID, setID string) {
	if err := e.check(); err != nil {
		w.err = err
		return
	}
	sq, rq := e.SenderQualifier, e.ReceiverQualifier
	if sq == "" {
		sq = "ZZ"
	}
	if rq == "" {
		rq = "ZZ"
	}
	usage := "P"
	if e.Test {
		usage = "T"
	}
	date := e.Date.UTC()
	gsSender, gsReceiver := e.GroupSender, e.GroupReceiver
	if gsSender == "" {
		gsSender = e.SenderID
	}
	if gsReceiver == "" {
		gsReceiver = e.ReceiverID
	}
	// ISA is fixed width; ISA11 is "U" (the standards id) in 00401.
	w.seg("ISA", "00", pad("", 10), "00", pad("", 10), pad(sq, 2), pad(e.SenderID, 15), pad(rq, 2), pad(e.ReceiverID, 15),
		date.Format("060102"), date.Format("1504"), "U", "00401", fmt.Sprintf("%09d", e.InterchangeControl), "0", usage, string([]byte{w.d.SubElement}))
	w.seg("GS", functionalID, gsSender, gsReceiver, date.Format("20060102"), date.Format("1504"), strconv.FormatInt(e.GroupControl, 10), "X", "004010")
	w.count = 0
	w.seg("ST", setID, fmt.Sprintf("%04d", e.SetControl))
}

// end writes SE, GE and IEA and flushes.
func (w *writer) end(e Envelope) error {
	w.seg("SE", strconv.Itoa(w.count+1), fmt.Sprintf("%04d", e.SetControl))
	w.seg("GE", "1", strconv.FormatInt(e.GroupControl, 10))
	w.seg("IEA", "1", fmt.Sprintf("%09d", e.InterchangeControl))
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

func (e Envelope) check() error {
	for _, c := range []struct {
		name string
		n    int64
	}{{"interchange control number (ISA13)", e.InterchangeControl}, {"group control number (GS06)", e.GroupControl}, {"transaction set control number (ST02)", e.SetControl}} {
		if c.n < 1 || c.n > 999999999 {
			return fmt.Errorf("x12: the %s must be between 1 and 999999999, not %d", c.name, c.n)
		}
	}
	switch {
	case e.SenderID == "" || len(e.SenderID) > 15:
		return fmt.Errorf("x12: the sender id (ISA06) must have 1 to 15 characters, not %q", e.SenderID)
	case e.ReceiverID == "" || len(e.ReceiverID) > 15:
		return fmt.Errorf("x12: the receiver id (ISA08) must have 1 to 15 characters, not %q", e.ReceiverID)
	case len(e.SenderQualifier) > 2 || len(e.ReceiverQualifier) > 2:
		return fmt.Errorf("x12: id qualifiers (ISA05, ISA07) have 2 characters")
	case e.Date.IsZero():
		return fmt.Errorf("x12: the envelope has no date")
	}
	return nil
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// formatQty writes a whole quantity.
func formatQty(q int64) string { return strconv.FormatInt(q, 10) }

// readSets collects each transaction set with the wanted id and calls fn with
// its segments (ST to SE) and envelope; a set of another kind is an error.
func readSets(r io.Reader, setID string, fn func(Envelope, []Segment) error) error {
	xr := NewReader(r)
	var segs []Segment
	in := false
	for {
		s, err := xr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch s.ID {
		case "ST":
			if s.Elem(1) != setID {
				return segErr(s, "transaction set %s where an %s was expected", s.Elem(1), setID)
			}
			in, segs = true, segs[:0]
		case "SE":
			segs = append(segs, s)
			in = false
			if err := fn(envelopeOf(xr), segs); err != nil {
				return err
			}
			continue
		}
		if in {
			if len(segs) >= 1_000_000 {
				return segErr(s, "transaction set %s has more than a million segments", xr.Set().Control)
			}
			segs = append(segs, s)
		}
	}
}
