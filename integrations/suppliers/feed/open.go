package feed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"golang.org/x/text/encoding/charmap"

	"dropship/integrations/suppliers"
)

// MaxLine is the longest CSV line (or XML token) a feed may have; past it the
// feed is refused rather than held in memory.
const MaxLine = 1 << 20

// Classes of fatal feed errors, for errors.Is; the error text says the details.
var (
	ErrCompressed  = errors.New("compressed data unreadable")
	ErrEncoding    = errors.New("wrong text encoding")
	ErrLineTooLong = errors.New("line too long")
	ErrMalformed   = errors.New("malformed file")
	ErrDTD         = errors.New("DTD refused")
)

// Open starts reading a feed from r; name is its file name or URL path (used
// to spot compression and in messages). The reader streams: memory stays flat
// whatever the feed's size. A zip feed needs random access: see openZip.
//
// The returned reader also implements io.Closer; it closes itself when Next
// returns io.EOF or a fatal error, so only a caller that stops early must
// close it. A Mapping that does not validate is returned as FieldErrors.
func Open(r io.Reader, name string, m Mapping) (suppliers.RecordReader, error) {
	if fe := m.Validate(); len(fe) > 0 {
		return nil, fe
	}
	u, err := unpack(r, name, m)
	if err != nil {
		return nil, err
	}
	var next func() (suppliers.StockRecord, error)
	var columns []string
	switch m.Format {
	case FormatCSV:
		c, err := newCSVReader(u.r, m)
		if err != nil {
			_ = u.close()
			return nil, err
		}
		next, columns = c.next, c.header
	default:
		x, err := newXMLReader(u.r, m)
		if err != nil {
			_ = u.close()
			return nil, err
		}
		next = x.next
	}
	return &reader{next: next, close: u.close, columns: columns}, nil
}

// reader makes a parser's errors sticky and releases its resources at the end.
type reader struct {
	next    func() (suppliers.StockRecord, error)
	close   func() error
	columns []string
	err     error
}

// Next returns the next record, a *suppliers.RowError, io.EOF or a fatal error.
func (r *reader) Next() (suppliers.StockRecord, error) {
	if r.err != nil {
		return suppliers.StockRecord{}, r.err
	}
	rec, err := r.next()
	if err != nil && !suppliers.IsRowError(err) {
		r.err = err
		_ = r.Close()
	}
	return rec, err
}

// Close releases the decompressor and any spool file.
func (r *reader) Close() error {
	if r.close == nil {
		return nil
	}
	err := r.close()
	r.close = nil
	if r.err == nil {
		r.err = errors.New("feed: reader closed")
	}
	return err
}

// PreviewRow is one row of a preview: a record, or the reason it was rejected.
type PreviewRow struct {
	Record suppliers.StockRecord
	Err    *suppliers.RowError
}

// PreviewResult is the start of a feed as the parser sees it, for the supplier's page.
type PreviewResult struct {
	// Columns are the CSV header's names (nil without a header row or for XML).
	Columns []string
	Rows    []PreviewRow
	// More says the feed goes on past the rows shown.
	More bool
}

// Preview parses the first n rows (records and rejected rows) of a feed. A
// fatal error is returned with the rows read before it.
func Preview(r io.Reader, name string, m Mapping, n int) (PreviewResult, error) {
	var res PreviewResult
	rr, err := Open(r, name, m)
	if err != nil {
		return res, err
	}
	defer rr.(io.Closer).Close()
	res.Columns = rr.(*reader).columns
	for {
		rec, err := rr.Next()
		switch {
		case err == io.EOF:
			return res, nil
		case suppliers.IsRowError(err):
			if len(res.Rows) == n {
				res.More = true
				return res, nil
			}
			var re *suppliers.RowError
			errors.As(err, &re)
			res.Rows = append(res.Rows, PreviewRow{Err: re})
		case err != nil:
			return res, err
		default:
			if len(res.Rows) == n {
				res.More = true
				return res, nil
			}
			res.Rows = append(res.Rows, PreviewRow{Record: rec})
		}
	}
}

// textReader strips a UTF-8 byte order mark, refuses UTF-16, and decodes
// Latin-1 and Windows-1252 into UTF-8. checkUTF8 says the result still needs
// checking (it came in as UTF-8).
func textReader(r io.Reader, encoding string) (out io.Reader, checkUTF8 bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		_, _ = br.Discard(3)
		return br, true, nil
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return nil, false, fmt.Errorf("feed: %w: the file is UTF-16 text; ask the supplier for UTF-8, Latin-1 or Windows-1252", ErrEncoding)
	}
	enc, _ := canonicalEncoding(encoding)
	switch enc {
	case EncodingLatin1:
		return bufio.NewReaderSize(charmap.ISO8859_1.NewDecoder().Reader(br), 64<<10), false, nil
	case EncodingWindows1252:
		return bufio.NewReaderSize(charmap.Windows1252.NewDecoder().Reader(br), 64<<10), false, nil
	}
	return br, true, nil
}
