package x12

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Error is a problem with one segment of an interchange, or with its envelope.
type Error struct {
	// Pos is the segment's ordinal in the stream (0 when about no segment).
	Pos int
	ID  string
	Msg string
}

func (e *Error) Error() string {
	switch {
	case e.Pos == 0:
		return "x12: " + e.Msg
	case e.ID == "":
		return fmt.Sprintf("x12: segment %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("x12: segment %d (%s): %s", e.Pos, e.ID, e.Msg)
}

func segErr(s Segment, format string, args ...any) *Error {
	return &Error{Pos: s.Pos, ID: s.ID, Msg: fmt.Sprintf(format, args...)}
}

// Interchange is what an ISA segment says.
type Interchange struct {
	SenderQualifier, SenderID     string
	ReceiverQualifier, ReceiverID string
	Date                          time.Time
	Version                       string // ISA12
	Control                       string // ISA13
	Test                          bool   // ISA15 = T
	Pos                           int
}

// Group is what a GS segment says.
type Group struct {
	FunctionalID     string // GS01: IB, PO, PR, SH...
	Sender, Receiver string
	Date             time.Time
	Control          string // GS06
	Version          string // GS08
	Pos              int
}

// Set is what an ST segment says.
type Set struct {
	ID      string // ST01: 846, 850...
	Control string // ST02
	Pos     int
}

// Reader streams the segments of one or more interchanges and checks their
// envelopes as it goes: ISA13 = IEA02, GS06 = GE02, ST02 = SE02, SE01 = the
// set's segment count, GE01 = its number of sets, IEA01 = its number of groups,
// and every segment inside the envelope it belongs to.
type Reader struct {
	tok      *Tokenizer
	isa      *Interchange
	gs       *Group
	st       *Set
	segments int // in the open set, ST included
	sets     int // in the open group
	groups   int // in the open interchange
	sawISA   bool
	err      error
	// which envelopes are open now (the headers above stay for the accessors)
	isaOpen, gsOpen, stOpen bool
}

// NewReader reads X12 interchanges from r.
func NewReader(r io.Reader) *Reader { return &Reader{tok: NewTokenizer(r)} }

// Interchange returns the open (or last) interchange's header.
func (r *Reader) Interchange() Interchange {
	if r.isa == nil {
		return Interchange{}
	}
	return *r.isa
}

// Group returns the open (or last) functional group's header.
func (r *Reader) Group() Group {
	if r.gs == nil {
		return Group{}
	}
	return *r.gs
}

// Set returns the open (or last) transaction set's header.
func (r *Reader) Set() Set {
	if r.st == nil {
		return Set{}
	}
	return *r.st
}

// Delimiters returns the separators of the current interchange.
func (r *Reader) Delimiters() Delimiters { return r.tok.Delimiters() }

// Next returns the next segment (envelope segments included) once it has
// been checked, io.EOF after a complete last interchange, or an error; errors are sticky.
func (r *Reader) Next() (Segment, error) {
	if r.err != nil {
		return Segment{}, r.err
	}
	s, err := r.next()
	if err != nil {
		r.err = err
	}
	return s, err
}

func (r *Reader) next() (Segment, error) {
	s, err := r.tok.Next()
	if err == io.EOF {
		return Segment{}, r.atEOF()
	}
	if err != nil {
		return Segment{}, err
	}
	switch s.ID {
	case "ISA":
		if r.isaOpen {
			return s, segErr(s, "a new interchange starts, but interchange %s (segment %d) has no IEA", r.isa.Control, r.isa.Pos)
		}
		r.isa = &Interchange{
			SenderQualifier: strings.TrimSpace(s.Elem(5)), SenderID: strings.TrimSpace(s.Elem(6)),
			ReceiverQualifier: strings.TrimSpace(s.Elem(7)), ReceiverID: strings.TrimSpace(s.Elem(8)),
			Date:    parseDateTime("20"+strings.TrimSpace(s.Elem(9)), s.Elem(10)),
			Version: s.Elem(12), Control: strings.TrimSpace(s.Elem(13)), Test: s.Elem(15) == "T", Pos: s.Pos,
		}
		if r.isa.Control == "" {
			return s, segErr(s, "ISA13 (the interchange control number) is empty")
		}
		r.gs, r.st, r.groups, r.sawISA, r.isaOpen = nil, nil, 0, true, true
	case "GS":
		switch {
		case !r.isaOpen:
			return s, segErr(s, "GS outside an interchange (no ISA before it)")
		case r.gsOpen:
			return s, segErr(s, "a new group starts, but group %s (segment %d) has no GE", r.gs.Control, r.gs.Pos)
		}
		r.gs = &Group{FunctionalID: s.Elem(1), Sender: s.Elem(2), Receiver: s.Elem(3), Date: parseDateTime(s.Elem(4), s.Elem(5)), Control: s.Elem(6), Version: s.Elem(8), Pos: s.Pos}
		if r.gs.Control == "" {
			return s, segErr(s, "GS06 (the group control number) is empty")
		}
		r.st, r.sets, r.gsOpen = nil, 0, true
	case "ST":
		switch {
		case !r.gsOpen:
			return s, segErr(s, "ST outside a functional group (no GS before it)")
		case r.stOpen:
			return s, segErr(s, "a new transaction set starts, but set %s (segment %d) has no SE", r.st.Control, r.st.Pos)
		}
		r.st = &Set{ID: s.Elem(1), Control: s.Elem(2), Pos: s.Pos}
		if r.st.Control == "" {
			return s, segErr(s, "ST02 (the transaction set control number) is empty")
		}
		r.segments, r.stOpen = 1, true
	case "SE":
		if !r.stOpen {
			return s, segErr(s, "SE without an open transaction set")
		}
		r.segments++
		if n, ok := count(s.Elem(1)); !ok {
			return s, segErr(s, "SE01 %q is not a segment count", s.Elem(1))
		} else if n != r.segments {
			return s, segErr(s, "SE01 says %d segments, but transaction set %s (ST at segment %d) has %d", n, r.st.Control, r.st.Pos, r.segments)
		}
		if !sameControl(s.Elem(2), r.st.Control) {
			return s, segErr(s, "SE02 %q does not match ST02 %q (segment %d)", s.Elem(2), r.st.Control, r.st.Pos)
		}
		r.sets++
		r.stOpen = false
	case "GE":
		switch {
		case r.stOpen:
			return s, segErr(s, "GE before the SE of transaction set %s (segment %d)", r.st.Control, r.st.Pos)
		case !r.gsOpen:
			return s, segErr(s, "GE without an open functional group")
		}
		if n, ok := count(s.Elem(1)); !ok {
			return s, segErr(s, "GE01 %q is not a count of transaction sets", s.Elem(1))
		} else if n != r.sets {
			return s, segErr(s, "GE01 says %d transaction sets, but group %s (GS at segment %d) has %d", n, r.gs.Control, r.gs.Pos, r.sets)
		}
		if !sameControl(s.Elem(2), r.gs.Control) {
			return s, segErr(s, "GE02 %q does not match GS06 %q (segment %d)", s.Elem(2), r.gs.Control, r.gs.Pos)
		}
		r.groups++
		r.gsOpen = false
	case "IEA":
		switch {
		case r.gsOpen:
			return s, segErr(s, "IEA before the GE of group %s (segment %d)", r.gs.Control, r.gs.Pos)
		case !r.isaOpen:
			return s, segErr(s, "IEA without an open interchange")
		}
		if n, ok := count(s.Elem(1)); !ok {
			return s, segErr(s, "IEA01 %q is not a count of functional groups", s.Elem(1))
		} else if n != r.groups {
			return s, segErr(s, "IEA01 says %d functional groups, but interchange %s (ISA at segment %d) has %d", n, r.isa.Control, r.isa.Pos, r.groups)
		}
		if !sameControl(s.Elem(2), r.isa.Control) {
			return s, segErr(s, "IEA02 %q does not match ISA13 %q (segment %d)", s.Elem(2), r.isa.Control, r.isa.Pos)
		}
		r.isaOpen = false
	default:
		if !r.stOpen {
			return s, segErr(s, "segment outside a transaction set (between ST and SE)")
		}
		r.segments++
	}
	return s, nil
}

func (r *Reader) atEOF() error {
	switch {
	case !r.sawISA:
		return &Error{Msg: "the file is empty: it has no ISA segment"}
	case r.stOpen:
		return &Error{Pos: r.st.Pos, ID: "ST", Msg: fmt.Sprintf("the file ends inside transaction set %s: no SE; it is probably truncated", r.st.Control)}
	case r.gsOpen:
		return &Error{Pos: r.gs.Pos, ID: "GS", Msg: fmt.Sprintf("the file ends inside group %s: no GE; it is probably truncated", r.gs.Control)}
	case r.isaOpen:
		return &Error{Pos: r.isa.Pos, ID: "ISA", Msg: fmt.Sprintf("the file ends inside interchange %s: no IEA; it is probably truncated", r.isa.Control)}
	}
	return io.EOF
}

func count(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= 0
}

// sameControl compares control numbers, numerically when both are numbers
// ("000000101" and "101" are the same interchange).
func sameControl(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	if errA == nil && errB == nil {
		return na == nb
	}
	return a == b
}

// parseDateTime reads CCYYMMDD and HHMM[SS[D..]] as UTC; zero when malformed.
func parseDateTime(date, hhmm string) time.Time {
	date = strings.TrimSpace(date)
	if len(date) != 8 {
		return time.Time{}
	}
	d, err := time.Parse("20060102", date)
	if err != nil {
		return time.Time{}
	}
	hhmm = strings.TrimSpace(hhmm)
	layout := ""
	switch {
	case len(hhmm) >= 6:
		hhmm, layout = hhmm[:6], "150405"
	case len(hhmm) == 4:
		layout = "1504"
	}
	if layout != "" {
		if t, err := time.Parse(layout, hhmm); err == nil {
			d = d.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second)
		}
	}
	return d
}
