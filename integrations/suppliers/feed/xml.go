package feed

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"dropship/integrations/suppliers"
)

// fieldPath locates a value below an item: elems from the item down, then an
// attribute of that element, or its text when attr is empty.
type fieldPath struct {
	elems  []string
	attr   string
	mapped bool
}

func (p fieldPath) label() string {
	el := strings.Join(p.elems, "/")
	switch {
	case p.attr != "" && el == "":
		return fmt.Sprintf("attribute %q of the item", p.attr)
	case p.attr != "":
		return fmt.Sprintf("attribute %q of <%s>", p.attr, el)
	case el == "":
		return "the item's text"
	}
	return "<" + el + ">"
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r == ':' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80
		if i > 0 {
			ok = ok || r == '-' || r == '.' || r >= '0' && r <= '9'
		}
		if !ok {
			return false
		}
	}
	return true
}

// localName drops a namespace prefix: paths match elements by local name.
func localName(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func parseItemPath(s string) ([]string, error) {
	s = strings.Trim(strings.TrimSpace(s), "/")
	var elems []string
	for _, part := range strings.Split(s, "/") {
		if !validName(part) {
			return nil, fmt.Errorf(`%q is not an element name; write the path as element names separated by "/", such as "inventory/item"`, part)
		}
		elems = append(elems, localName(part))
	}
	return elems, nil
}

func parseFieldPath(s string) (fieldPath, error) {
	s = strings.TrimSpace(s)
	if s == "." {
		return fieldPath{mapped: true}, nil
	}
	p := fieldPath{mapped: true}
	parts := strings.Split(strings.Trim(s, "/"), "/")
	for i, part := range parts {
		if strings.HasPrefix(part, "@") && i == len(parts)-1 && validName(part[1:]) {
			p.attr = localName(part[1:])
			continue
		}
		if !validName(part) {
			return fieldPath{}, fmt.Errorf(`%q is not a path below the item; use a child element such as "sku", an attribute such as "@sku", or both such as "price/@currency"`, s)
		}
		p.elems = append(p.elems, localName(part))
	}
	return p, nil
}

// xmlReader streams items out of an XML document with encoding/xml, after
// xmlGuard has refused DTDs and over-long tokens in the raw bytes.
type xmlReader struct {
	dec       *xml.Decoder
	item      []string
	paths     [numFields]fieldPath
	b         builder
	row       rawRow
	stack     []string
	ordinal   int
	inItem    bool
	itemLine  int
	capturing [numFields]int // depth of the element whose text is being read; 0 = none
	sawRoot   bool
}

func newXMLReader(r io.Reader, m Mapping) (*xmlReader, error) {
	g := &xmlGuard{r: r, line: 1}
	br := bufio.NewReaderSize(g, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return nil, fmt.Errorf("feed: %w: the file is UTF-16 text; ask the supplier for UTF-8, Latin-1 or Windows-1252", ErrEncoding)
	}
	var src io.Reader = br
	prolog, _ := br.Peek(512)
	declared := declaredEncoding(prolog)
	if declared != "" {
		if _, err := charsetReader(declared, nil); err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
	} else {
		enc, _ := canonicalEncoding(m.Encoding)
		src, _ = charsetReader(enc, br)
	}
	dec := xml.NewDecoder(src)
	dec.Strict = true
	dec.Entity = xml.HTMLEntity // named entities only: a fixed table, nothing expands
	dec.CharsetReader = charsetReader
	x := &xmlReader{dec: dec, b: newBuilder(m)}
	x.item, _ = parseItemPath(m.ItemPath)
	for i, fl := range fieldList {
		ref := strings.TrimSpace(*fl.ptr(&m.Fields))
		if ref == "" {
			continue
		}
		x.paths[i], _ = parseFieldPath(ref)
		x.b.labels[i] = x.paths[i].label()
	}
	return x, nil
}

var encodingDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// declaredEncoding returns the encoding named in the XML declaration, if any.
func declaredEncoding(prolog []byte) string {
	if m := encodingDecl.FindSubmatch(prolog); m != nil {
		return string(m[1])
	}
	return ""
}

func charsetReader(label string, input io.Reader) (io.Reader, error) {
	enc, ok := canonicalEncoding(label)
	if !ok && strings.EqualFold(label, "us-ascii") {
		enc, ok = EncodingUTF8, true
	}
	if !ok {
		return nil, fmt.Errorf("%w: the XML declares encoding %q; we read UTF-8, ISO-8859-1 and Windows-1252", ErrEncoding, label)
	}
	switch enc {
	case EncodingLatin1:
		return charmap.ISO8859_1.NewDecoder().Reader(input), nil
	case EncodingWindows1252:
		return charmap.Windows1252.NewDecoder().Reader(input), nil
	}
	return input, nil
}

// next returns the next item as a record or row error.
func (x *xmlReader) next() (suppliers.StockRecord, error) {
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return suppliers.StockRecord{}, x.fatal(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := x.start(t); err != nil {
				return suppliers.StockRecord{}, err
			}
		case xml.CharData:
			if !x.inItem {
				continue
			}
			for i, d := range x.capturing {
				if d == 0 {
					continue
				}
				if len(x.row.vals[i])+len(t) > MaxLine {
					return suppliers.StockRecord{}, fmt.Errorf("feed: %w: item %d (line %d): the %s is longer than 1 MiB", ErrLineTooLong, x.ordinal, x.itemLine, x.paths[i].label())
				}
				x.row.vals[i] = append(x.row.vals[i], t...)
			}
		case xml.EndElement:
			depth := len(x.stack)
			for i, d := range x.capturing {
				if d == depth {
					x.capturing[i] = 0
				}
			}
			x.stack = x.stack[:depth-1]
			if x.inItem && depth == len(x.item) {
				x.inItem = false
				rec := suppliers.StockRecord{Line: x.ordinal}
				if reason := x.b.build(&x.row, &rec); reason != "" {
					return suppliers.StockRecord{}, &suppliers.RowError{Line: x.ordinal, Reason: fmt.Sprintf("%s, in the item on line %d", reason, x.itemLine)}
				}
				return rec, nil
			}
		case xml.Directive:
			line, _ := x.dec.InputPos()
			return suppliers.StockRecord{}, fmt.Errorf("feed: %w: line %d: the XML has a <!%s> declaration; documents with DTDs are refused", ErrDTD, line, firstWord(t))
		}
	}
}

func firstWord(b []byte) string {
	f := strings.Fields(string(firstRunes(b, 20)))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func (x *xmlReader) start(t xml.StartElement) error {
	x.stack = append(x.stack, t.Name.Local)
	depth := len(x.stack)
	if !x.sawRoot {
		x.sawRoot = true
		if t.Name.Local != x.item[0] {
			return fmt.Errorf("feed: %w: the XML's root element is <%s>, but the item path %q starts with <%s>", ErrMalformed, t.Name.Local, strings.Join(x.item, "/"), x.item[0])
		}
	}
	if !x.inItem {
		if depth != len(x.item) || !equalPath(x.stack, x.item) {
			return nil
		}
		x.inItem = true
		x.ordinal++
		x.itemLine, _ = x.dec.InputPos()
		x.row.reset()
		x.capturing = [numFields]int{}
	}
	rel := x.stack[len(x.item):]
	for i, p := range x.paths {
		if !p.mapped || x.row.present[i] || !equalPath(p.elems, rel) {
			continue
		}
		x.row.present[i] = true
		if p.attr == "" {
			x.capturing[i] = depth
			continue
		}
		for _, a := range t.Attr {
			if a.Name.Local == p.attr && a.Name.Space != "xmlns" {
				x.row.vals[i] = append(x.row.vals[i], a.Value...)
				break
			}
		}
	}
	return nil
}

func equalPath(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fatal explains a decoder error; io.EOF means the document ended cleanly.
func (x *xmlReader) fatal(err error) error {
	var se *xml.SyntaxError
	switch {
	case err == io.EOF:
		if !x.sawRoot {
			return fmt.Errorf("feed: %w: the XML file has no elements (it is empty)", ErrMalformed)
		}
		return io.EOF
	case errors.Is(err, ErrDTD), errors.Is(err, ErrLineTooLong), errors.Is(err, ErrCompressed), errors.Is(err, ErrEncoding):
		if strings.HasPrefix(err.Error(), "feed: ") {
			return err
		}
		return fmt.Errorf("feed: %w", err)
	case errors.As(err, &se):
		if strings.Contains(se.Msg, "invalid UTF-8") {
			return fmt.Errorf("feed: %w: line %d is not valid UTF-8; if the supplier sends Latin-1 or Windows-1252, choose that encoding or declare it in the XML", ErrEncoding, se.Line)
		}
		return fmt.Errorf("feed: %w: the XML is malformed on line %d: %s", ErrMalformed, se.Line, se.Msg)
	}
	line, _ := x.dec.InputPos()
	return fmt.Errorf("feed: reading XML near line %d: %w", line, err)
}

// xmlGuard watches the raw bytes before the XML decoder sees them: it refuses
// "<!DOCTYPE" and "<!ENTITY" (any case) before anything could expand, and any
// run of more than MaxLine bytes without a '<' (one text or tag the decoder
// would otherwise hold whole).
type xmlGuard struct {
	r     io.Reader
	err   error
	line  int
	run   int // bytes since the last '<'
	state int // 0 outside, 1 after '<', 2 after "<!"
	word  [7]byte
	wlen  int
}

func (g *xmlGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if e := g.scan(p[:n]); e != nil {
		g.err = e
		return 0, e
	}
	return n, err
}

func (g *xmlGuard) scan(p []byte) error {
	for len(p) > 0 {
		if g.state == 0 {
			i := bytes.IndexByte(p, '<')
			chunk := p
			if i >= 0 {
				chunk = p[:i]
			}
			g.line += bytes.Count(chunk, []byte{'\n'})
			g.run += len(chunk)
			if g.run > MaxLine {
				return fmt.Errorf("feed: %w: line %d: the XML has a text or tag longer than 1 MiB", ErrLineTooLong, g.line)
			}
			if i < 0 {
				return nil
			}
			p = p[i+1:]
			g.state, g.run, g.wlen = 1, 0, 0
			continue
		}
		c := p[0]
		p = p[1:]
		g.run++
		switch {
		case c == '<':
			g.state, g.run, g.wlen = 1, 0, 0
		case g.state == 1 && c == '!':
			g.state = 2
		case g.state == 2 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
			g.word[g.wlen] = c &^ 0x20
			g.wlen++
			switch w := string(g.word[:g.wlen]); {
			case w == "DOCTYPE":
				return fmt.Errorf("feed: %w: line %d: the XML has a DOCTYPE; documents with DTDs or entity declarations are refused (entities can expand to gigabytes)", ErrDTD, g.line)
			case w == "ENTITY":
				return fmt.Errorf("feed: %w: line %d: the XML declares an entity (<!ENTITY>); documents with DTDs or entity declarations are refused (entities can expand to gigabytes)", ErrDTD, g.line)
			case g.wlen == len(g.word):
				g.state = 0
			}
		default:
			if c == '\n' {
				g.line++
			}
			g.state = 0
		}
	}
	return nil
}
