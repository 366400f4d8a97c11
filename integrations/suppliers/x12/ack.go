package x12

import (
	"fmt"
	"io"
	"time"
)

// POAck is an 855: the supplier's answer to a purchase order, line by line.
type POAck struct {
	Envelope  Envelope
	Purpose   string    // BAK01
	AckType   string    // BAK02: AD accepted, AC accepted with changes, RD rejected, RJ rejected without detail...
	PONumber  string    // BAK03, our PO number
	PODate    time.Time // BAK04
	Reference string    // BAK06, usually the supplier's own order number
	AckDate   time.Time // BAK09
	Currency  string    // CUR02
	Lines     []AckLine
}

// AckLine is a PO1 line as the supplier echoes it, with its ACK statuses.
type AckLine struct {
	POLine
	ProductIDs []ProductID // every qualifier/id pair of the PO1
	Statuses   []LineStatus
	// Accepted, Rejected and Backordered sum the statuses by kind. A
	// rejection that gives no quantity (or 0) rejects what the other statuses
	// leave of the ordered quantity.
	Accepted, Rejected, Backordered int64
}

// LineStatus is one ACK segment.
type LineStatus struct {
	Code     string // ACK01: IA, IB, IR, IC, IQ...
	Quantity int64  // ACK02
	Unit     string // ACK03
	Date     time.Time
}

// AckKind groups ACK01 codes by what they mean for the order.
type AckKind int

// The kinds of line status.
const (
	AckUnknown AckKind = iota
	AckAccepted
	AckRejected
	AckBackordered
	AckHeld
)

// Kind says whether a status accepts, rejects, backorders or holds the quantity.
func (s LineStatus) Kind() AckKind {
	switch s.Code {
	case "IA", "AA", "AC", "AR", "BP", "DR", "IC", "IE", "IP", "IQ", "IS", "SP":
		return AckAccepted
	case "IR", "ID", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8":
		return AckRejected
	case "IB":
		return AckBackordered
	case "IF", "IH", "IW":
		return AckHeld
	}
	return AckUnknown
}

// Parse855 reads every 855 transaction set of an interchange stream.
func Parse855(r io.Reader) ([]POAck, error) {
	var out []POAck
	err := readSets(r, "855", func(env Envelope, segs []Segment) error {
		a := POAck{Envelope: env}
		var line *AckLine
		for _, s := range segs {
			switch s.ID {
			case "BAK":
				a.Purpose, a.AckType, a.PONumber = s.Elem(1), s.Elem(2), s.Elem(3)
				a.PODate = parseDateTime(s.Elem(4), "")
				a.Reference = s.Elem(6)
				a.AckDate = parseDateTime(s.Elem(9), "")
			case "CUR":
				a.Currency = s.Elem(2)
			case "PO1":
				l, err := poLine(s, a.Currency)
				if err != nil {
					return err
				}
				a.Lines = append(a.Lines, AckLine{POLine: l, ProductIDs: productIDs(s, 6)})
				line = &a.Lines[len(a.Lines)-1]
			case "PID":
				if line != nil && s.Elem(1) == "F" && line.Description == "" {
					line.Description = s.Elem(5)
				}
			case "ACK":
				if line == nil {
					return segErr(s, "ACK before any PO1 line")
				}
				st := LineStatus{Code: s.Elem(1), Unit: s.Elem(3), Date: parseDateTime(s.Elem(5), "")}
				if s.Elem(2) != "" {
					q, err := quantity(s, 2)
					if err != nil {
						return err
					}
					st.Quantity = q
				} else {
					st.Quantity = -1 // filled below: "all that is left"
				}
				line.Statuses = append(line.Statuses, st)
			}
		}
		if a.PONumber == "" {
			return &Error{Pos: segs[0].Pos, ID: "ST", Msg: "the 855 has no BAK segment with a PO number"}
		}
		for i := range a.Lines {
			a.Lines[i].tally()
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("x12: 855: %w", err)
	}
	return out, nil
}

// tally sums the statuses into Accepted, Rejected and Backordered.
func (l *AckLine) tally() {
	rejectedRest := false
	for i := range l.Statuses {
		st := &l.Statuses[i]
		if st.Quantity < 0 {
			st.Quantity = 0
			if st.Kind() == AckRejected {
				rejectedRest = true
				continue
			}
			st.Quantity = max(l.Quantity-l.Accepted-l.Rejected-l.Backordered, 0)
		}
		switch st.Kind() {
		case AckAccepted:
			l.Accepted += st.Quantity
		case AckRejected:
			if st.Quantity == 0 {
				rejectedRest = true
			}
			l.Rejected += st.Quantity
		case AckBackordered:
			l.Backordered += st.Quantity
		}
	}
	if rest := l.Quantity - l.Accepted - l.Rejected - l.Backordered; rejectedRest && rest > 0 {
		l.Rejected += rest
	}
}
