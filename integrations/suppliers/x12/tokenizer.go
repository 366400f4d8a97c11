// Package x12 reads and writes the ANSI X12 004010 documents suppliers
// exchange with us: 846 inventory advice and 855/856 answers in, 850
// purchase orders out. It has its own streaming tokenizer and checks the
// ISA/GS/ST envelopes (control numbers and counts) both ways.
package x12

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// MaxSegment is the longest segment the tokenizer accepts; real ones are a
// few hundred bytes, so a longer one means a wrong terminator or garbage.
const MaxSegment = 64 << 10

// Delimiters are the separators an interchange declares in its ISA segment.
type Delimiters struct {
	Element    byte
	SubElement byte
	Segment    byte
	// Repetition is ISA11 from version 00402 on; 0 when the interchange has none.
	Repetition byte
}

// DefaultDelimiters are what the encoders write (version 00401 has no repetition separator).
var DefaultDelimiters = Delimiters{Element: '*', SubElement: '>', Segment: '~'}

// Segment is one X12 segment.
type Segment struct {
	ID string
	// Elements are the data elements after the ID: Elements[0] is XX01.
	Elements []string
	// Pos is the segment's 1-based ordinal in the stream, counting every
	// segment from the first ISA; Offset is the byte offset where it starts.
	Pos    int
	Offset int64
	delims Delimiters
}

// Elem returns element n (1-based, as in "SE01"), or "" when the segment has fewer.
func (s Segment) Elem(n int) string {
	if n < 1 || n > len(s.Elements) {
		return ""
	}
	return s.Elements[n-1]
}

// Components splits element n at the sub-element separator.
func (s Segment) Components(n int) []string {
	return strings.Split(s.Elem(n), string([]byte{s.delims.SubElement}))
}

// Repeats splits element n at the repetition separator (for elements that
// the standard lets repeat; others may contain that byte as data).
func (s Segment) Repeats(n int) []string {
	if s.delims.Repetition == 0 {
		return []string{s.Elem(n)}
	}
	return strings.Split(s.Elem(n), string([]byte{s.delims.Repetition}))
}

// name is "SE01"-style for messages.
func (s Segment) name(n int) string { return fmt.Sprintf("%s%02d", s.ID, n) }

// Tokenizer splits a stream into segments, learning the delimiters from each
// ISA segment; line breaks and spaces after a segment terminator are skipped.
type Tokenizer struct {
	br     *bufio.Reader
	d      Delimiters
	pos    int
	offset int64
	seen   bool // an ISA has set the delimiters
	long   []byte
}

// NewTokenizer reads segments from r.
func NewTokenizer(r io.Reader) *Tokenizer {
	return &Tokenizer{br: bufio.NewReaderSize(r, 16<<10)}
}

// Delimiters returns the separators of the current interchange.
func (t *Tokenizer) Delimiters() Delimiters { return t.d }

// Next returns the next segment, io.EOF after the last one, or an *Error.
func (t *Tokenizer) Next() (Segment, error) {
	if err := t.skipSpace(); err != nil {
		return Segment{}, err
	}
	head, _ := t.br.Peek(4)
	if len(head) == 4 && string(head[:3]) == "ISA" && !isAlnum(head[3]) {
		return t.readISA()
	}
	if !t.seen {
		return Segment{}, &Error{Pos: t.pos + 1, Msg: fmt.Sprintf("the file does not start with an ISA segment (it starts with %q)", printable(head))}
	}
	start := t.offset
	raw, err := t.readUntil(t.d.Segment)
	if err != nil {
		return Segment{}, err
	}
	t.pos++
	if t.d.Segment == '\n' {
		raw = bytes.TrimSuffix(raw, []byte{'\r'})
	}
	parts := strings.Split(string(raw), string([]byte{t.d.Element}))
	id := parts[0]
	if !validID(id) {
		return Segment{}, &Error{Pos: t.pos, Msg: fmt.Sprintf("%q is not a segment id (byte %d); is the segment terminator right?", printable([]byte(id)), start)}
	}
	return Segment{ID: id, Elements: parts[1:], Pos: t.pos, Offset: start, delims: t.d}, nil
}

// skipSpace skips a byte order mark and whitespace between segments.
func (t *Tokenizer) skipSpace() error {
	if t.offset == 0 {
		if b, _ := t.br.Peek(3); bytes.Equal(b, []byte{0xef, 0xbb, 0xbf}) {
			_, _ = t.br.Discard(3)
			t.offset += 3
		}
	}
	for {
		c, err := t.br.ReadByte()
		if err != nil {
			return err // io.EOF: the stream ends between segments
		}
		if !isSpace(c) || (t.seen && c == t.d.Element) {
			return t.br.UnreadByte()
		}
		t.offset++
	}
}

// readUntil returns the bytes up to the terminator (dropped), bounded by MaxSegment.
func (t *Tokenizer) readUntil(term byte) ([]byte, error) {
	line, err := t.br.ReadSlice(term)
	if err == bufio.ErrBufferFull {
		t.long = append(t.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(t.long) > MaxSegment {
				return nil, &Error{Pos: t.pos + 1, Msg: fmt.Sprintf("the segment starting at byte %d is longer than %d KiB; is the segment terminator %q right?", t.offset, MaxSegment>>10, t.d.Segment)}
			}
			line, err = t.br.ReadSlice(term)
			t.long = append(t.long, line...)
		}
		line = t.long
	}
	if err == io.EOF {
		return nil, &Error{Pos: t.pos + 1, Msg: fmt.Sprintf("the file ends inside a segment (%q) without its terminator %q; it is probably truncated", printable(firstBytes(line, 20)), t.d.Segment)}
	}
	if err != nil {
		return nil, err
	}
	if len(line) > MaxSegment {
		return nil, &Error{Pos: t.pos + 1, Msg: fmt.Sprintf("the segment starting at byte %d is longer than %d KiB; is the segment terminator %q right?", t.offset, MaxSegment>>10, t.d.Segment)}
	}
	t.offset += int64(len(line))
	return line[:len(line)-1], nil
}

// readISA reads an ISA segment, learning the delimiters from it: the element
// separator follows "ISA", the sub-element separator is ISA16 and the byte
// after it terminates the segment. Fields need not be padded to their widths.
func (t *Tokenizer) readISA() (Segment, error) {
	start := t.offset
	pos := t.pos + 1
	buf := make([]byte, 0, 128)
	seps := 0
	for seps < 16 {
		c, err := t.br.ReadByte()
		if err != nil {
			return Segment{}, &Error{Pos: pos, ID: "ISA", Msg: "the file ends inside the ISA segment"}
		}
		buf = append(buf, c)
		if len(buf) == 4 {
			if isAlnum(c) || isSpace(c) {
				return Segment{}, &Error{Pos: pos, ID: "ISA", Msg: fmt.Sprintf("%q can't be the element separator", c)}
			}
		}
		if len(buf) >= 4 && c == buf[3] {
			seps++
		}
		if len(buf) > 200 {
			return Segment{}, &Error{Pos: pos, ID: "ISA", Msg: "the ISA segment is longer than 200 bytes; it must have 16 elements"}
		}
	}
	tail := make([]byte, 2)
	if _, err := io.ReadFull(t.br, tail); err != nil {
		return Segment{}, &Error{Pos: pos, ID: "ISA", Msg: "the file ends inside the ISA segment"}
	}
	d := Delimiters{Element: buf[3], SubElement: tail[0], Segment: tail[1]}
	switch {
	case isAlnum(d.SubElement) || d.SubElement == d.Element || isSpace(d.SubElement):
		return Segment{}, &Error{Pos: pos, ID: "ISA", Msg: fmt.Sprintf("ISA16 %q can't be the sub-element separator", d.SubElement)}
	case isAlnum(d.Segment) || d.Segment == d.Element || d.Segment == d.SubElement || d.Segment == ' ':
		return Segment{}, &Error{Pos: pos, ID: "ISA", Msg: fmt.Sprintf("%q after ISA16 can't be the segment terminator", d.Segment)}
	}
	t.offset += int64(len(buf) + 2)
	buf = append(buf, tail[0])
	parts := strings.Split(string(buf), string([]byte{d.Element}))
	elems := parts[1:]
	if rep, version := elems[10], elems[11]; len(rep) == 1 && !isAlnum(rep[0]) && version >= "00402" {
		d.Repetition = rep[0]
	}
	t.d = d
	t.seen = true
	t.pos = pos
	return Segment{ID: "ISA", Elements: elems, Pos: pos, Offset: start, delims: d}, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func validID(id string) bool {
	if len(id) < 2 || len(id) > 3 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !(id[i] >= 'A' && id[i] <= 'Z' || id[i] >= '0' && id[i] <= '9') {
			return false
		}
	}
	return true
}

func firstBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == 0xfffd {
			return '.'
		}
		return r
	}, string(firstBytes(b, 20)))
}
