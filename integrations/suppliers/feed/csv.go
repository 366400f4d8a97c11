package feed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"dropship/integrations/suppliers"
)

// csvReader parses delimited text line by line with a bounded buffer.
// Quoting follows RFC 4180 with a configurable quote character: a quoted
// field may hold delimiters, line breaks and doubled quotes; a quote inside an
// unquoted field is taken literally.
type csvReader struct {
	br        *bufio.Reader
	delim     byte
	quote     byte
	checkUTF8 bool

	line    int // physical lines read so far
	header  []string
	cols    [numFields]int // 0-based column per field, -1 when not mapped
	want    int            // expected columns; 0 until the first row sets it
	needs   int            // columns the mapping needs (highest mapped + 1)
	b       builder
	row     rawRow
	recBuf  []byte // the current record's field bytes, unquoted
	ends    []int  // end offset in recBuf of each field
	longBuf []byte // a line longer than br's buffer
}

func newCSVReader(r io.Reader, m Mapping) (*csvReader, error) {
	text, check, err := textReader(r, m.Encoding)
	if err != nil {
		return nil, err
	}
	delim, _ := delimiterByte(m.Delimiter)
	quote, _ := quoteByte(m.Quote)
	c := &csvReader{
		br:        bufio.NewReaderSize(text, 64<<10),
		delim:     delim,
		quote:     quote,
		checkUTF8: check,
		b:         newBuilder(m),
	}
	for i := range c.cols {
		c.cols[i] = -1
	}
	if m.HeaderRow {
		if err := c.readHeader(m); err != nil {
			return nil, err
		}
		return c, nil
	}
	for i, fl := range fieldList {
		ref := strings.TrimSpace(*fl.ptr(&m.Fields))
		if ref == "" {
			continue
		}
		n, _ := columnNumber(ref)
		c.cols[i] = n - 1
		c.b.labels[i] = fmt.Sprintf("column %d", n)
		c.needs = max(c.needs, n)
	}
	return c, nil
}

func (c *csvReader) readHeader(m Mapping) error {
	start, err := c.readRecord()
	if err == io.EOF {
		return fmt.Errorf("feed: %w: the file is empty; a header row was expected", ErrMalformed)
	}
	if re, ok := err.(*suppliers.RowError); ok {
		return fmt.Errorf("feed: %w: line %d: the header row is malformed: %s", ErrMalformed, re.Line, re.Reason)
	}
	if err != nil {
		return err
	}
	c.header = make([]string, len(c.ends))
	for i := range c.ends {
		c.header[i] = strings.TrimSpace(string(c.field(i)))
	}
	c.want = len(c.header)
	for i, fl := range fieldList {
		ref := strings.TrimSpace(*fl.ptr(&m.Fields))
		if ref == "" {
			continue
		}
		col := -1
		for j, h := range c.header {
			if strings.EqualFold(h, ref) {
				if col >= 0 {
					return fmt.Errorf("feed: %w: line %d: the header row has two columns named %q, so the %s column is ambiguous", ErrMalformed, start, h, fl.label)
				}
				col = j
			}
		}
		if col >= 0 {
			c.cols[i] = col
			c.b.labels[i] = fmt.Sprintf("column %q", c.header[col])
			continue
		}
		n, isNum := columnNumber(ref)
		if !isNum {
			return fmt.Errorf("feed: %w: line %d: the header row has no column named %q for the %s (it has %s)", ErrMalformed, start, ref, fl.label, listHeader(c.header))
		}
		if n > len(c.header) {
			return fmt.Errorf("feed: %w: line %d: the %s is mapped to column %d but the header row has %d columns", ErrMalformed, start, fl.label, n, len(c.header))
		}
		c.cols[i] = n - 1
		c.b.labels[i] = fmt.Sprintf("column %d", n)
	}
	return nil
}

func listHeader(h []string) string {
	var names []string
	for i, s := range h {
		if i == 12 {
			names = append(names, fmt.Sprintf("and %d more", len(h)-12))
			break
		}
		names = append(names, fmt.Sprintf("%q", s))
	}
	return strings.Join(names, ", ")
}

func (c *csvReader) field(i int) []byte {
	start := 0
	if i > 0 {
		start = c.ends[i-1]
	}
	return c.recBuf[start:c.ends[i]]
}

// next returns the next record or row error.
func (c *csvReader) next() (suppliers.StockRecord, error) {
	start, err := c.readRecord()
	if err != nil {
		return suppliers.StockRecord{}, err
	}
	if c.want == 0 {
		c.want = len(c.ends)
		if c.needs > c.want {
			return suppliers.StockRecord{}, fmt.Errorf("feed: %w: line %d has %d columns, but the mapping uses column %d", ErrMalformed, start, c.want, c.needs)
		}
	}
	if len(c.ends) != c.want {
		what := "the header row"
		if c.header == nil {
			what = "the first line"
		}
		return suppliers.StockRecord{}, &suppliers.RowError{Line: start, Reason: fmt.Sprintf("the line has %d columns, but %s has %d", len(c.ends), what, c.want)}
	}
	for i, col := range c.cols {
		if col >= 0 {
			c.row.vals[i] = c.field(col)
			c.row.present[i] = true
		}
	}
	rec := suppliers.StockRecord{Line: start}
	if reason := c.b.build(&c.row, &rec); reason != "" {
		return suppliers.StockRecord{}, &suppliers.RowError{Line: start, Reason: reason}
	}
	return rec, nil
}

// readLine returns the next physical line without its line break.
func (c *csvReader) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		c.longBuf = append(c.longBuf[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(c.longBuf) > MaxLine {
				return nil, fmt.Errorf("feed: %w: line %d is longer than 1 MiB; the file is probably not a CSV feed", ErrLineTooLong, c.line+1)
			}
			line, err = c.br.ReadSlice('\n')
			c.longBuf = append(c.longBuf, line...)
		}
		if err != nil && err != io.EOF {
			return nil, readError(err, c.line+1)
		}
		line = c.longBuf
	}
	if err == io.EOF && len(line) > 0 {
		err = nil
	}
	if err != nil {
		return nil, readError(err, c.line+1)
	}
	c.line++
	if len(line) > MaxLine+2 {
		return nil, fmt.Errorf("feed: %w: line %d is longer than 1 MiB; the file is probably not a CSV feed", ErrLineTooLong, c.line)
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	if c.checkUTF8 && !utf8.Valid(line) {
		return nil, c.badUTF8(line)
	}
	return line, nil
}

func (c *csvReader) badUTF8(line []byte) error {
	col := 0
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		if r == utf8.RuneError && size <= 1 {
			return fmt.Errorf("feed: %w: line %d is not valid UTF-8 (byte 0x%02X at position %d); if the supplier sends Latin-1 or Windows-1252, choose that encoding",
				ErrEncoding, c.line, line[i], col+1)
		}
		i += size
		col++
	}
	return fmt.Errorf("feed: %w: line %d is not valid UTF-8", ErrEncoding, c.line)
}

// readRecord reads the next non-blank record into recBuf/ends and returns the
// line it starts on. A malformed record is a *RowError; the next call goes on
// with the line after it.
func (c *csvReader) readRecord() (int, error) {
	var line []byte
	var err error
	for {
		line, err = c.readLine()
		if err != nil {
			return 0, err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			break
		}
	}
	start := c.line
	total := len(line)
	c.recBuf = c.recBuf[:0]
	c.ends = c.ends[:0]
	for {
		if len(line) == 0 || line[0] != c.quote {
			i := bytes.IndexByte(line, c.delim)
			if i < 0 {
				c.recBuf = append(c.recBuf, line...)
				c.ends = append(c.ends, len(c.recBuf))
				return start, nil
			}
			c.recBuf = append(c.recBuf, line[:i]...)
			c.ends = append(c.ends, len(c.recBuf))
			line = line[i+1:]
			continue
		}
		line = line[1:] // opening quote
	quoted:
		for {
			i := bytes.IndexByte(line, c.quote)
			if i < 0 {
				// The field goes on past the line break.
				c.recBuf = append(c.recBuf, line...)
				c.recBuf = append(c.recBuf, '\n')
				line, err = c.readLine()
				if err == io.EOF {
					return 0, fmt.Errorf("feed: %w: line %d opens a quoted field that is never closed (the file ends inside it)", ErrMalformed, start)
				}
				if err != nil {
					return 0, err
				}
				total += len(line) + 1
				if total > MaxLine {
					return 0, fmt.Errorf("feed: %w: the record starting on line %d is longer than 1 MiB; a quote is probably never closed", ErrLineTooLong, start)
				}
				continue
			}
			c.recBuf = append(c.recBuf, line[:i]...)
			line = line[i+1:]
			switch {
			case len(line) > 0 && line[0] == c.quote:
				c.recBuf = append(c.recBuf, c.quote)
				line = line[1:]
			case len(line) == 0:
				c.ends = append(c.ends, len(c.recBuf))
				return start, nil
			case line[0] == c.delim:
				c.ends = append(c.ends, len(c.recBuf))
				line = line[1:]
				break quoted
			default:
				return 0, &suppliers.RowError{Line: start, Reason: fmt.Sprintf(
					"a quoted field is followed by %s before the next delimiter; a quote inside a quoted field must be doubled",
					quoteValue(firstRunes(line, 10)))}
			}
		}
	}
}

func firstRunes(b []byte, n int) []byte {
	for i := range string(b) {
		if n == 0 {
			return b[:i]
		}
		n--
	}
	return b
}

// readError names a failure to read the bytes of a line; io.EOF passes.
func readError(err error, line int) error {
	switch {
	case err == io.EOF:
		return err
	case errors.Is(err, ErrCompressed):
		return fmt.Errorf("feed: %w", err)
	}
	return fmt.Errorf("feed: reading line %d: %w", line, err)
}
