// Package suppliers holds the contract between the sync engine and the ways
// suppliers report stock: parsers turn bytes into StockRecords, transports
// fetch the bytes, connectors combine the two.
package suppliers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// StockRecord is one supplier SKU's stock as the supplier reported it.
type StockRecord struct {
	// Line locates the record in its source for error reports: the 1-based
	// line of a CSV file, the ordinal of an XML item, the LIN segment number of an X12 846.
	Line         int
	SKU          string
	Quantity     int64
	CostCents    *int64 // unit cost in minor units; nil when the source has none
	Currency     string // ISO 4217; "" when the source doesn't say
	LeadTimeDays *int
	Discontinued bool
	Barcode      string
	Title        string
	// ObservedAt is when the supplier says the figure was true; zero means "when fetched".
	ObservedAt time.Time
}

// RowError is a record the parser rejected; the feed goes on without it.
type RowError struct {
	Line   int
	Reason string
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// RecordReader streams the records of one feed. Next returns io.EOF at the end,
// a *RowError for a rejected record (the caller records it and calls Next again),
// and any other error when the feed as a whole can't be read (truncated archive,
// wrong encoding, refused XML entity): then the feed must not be applied.
type RecordReader interface {
	Next() (StockRecord, error)
}

// Fetched is a feed's bytes and what the transport learned about them.
type Fetched struct {
	Body io.ReadCloser
	// Name is the file name or URL path (its extension may tell the compression).
	Name string
	// ETag and LastModified are the validators to send next time. SFTP and FTP
	// fill ETag with the file's name, size and mtime: passed back, an unchanged
	// newest file is not downloaded again.
	ETag         string
	LastModified string
	// Size is the feed's length in bytes as the server announced it (before
	// decompression); 0 or less when unknown. It scales progress bars only.
	Size int64
	// HostKey is the SSH host key fingerprint the server presented (SFTP only,
	// "SHA256:..." as ssh-keygen prints it): the caller pins it when none was pinned yet.
	HostKey string
}

// ErrNotModified means the feed has not changed since the validators given: nothing to do.
var ErrNotModified = errors.New("suppliers: feed not modified")

// Fetcher gets a feed's current bytes from wherever the supplier puts them.
type Fetcher interface {
	// Fetch returns the feed, or ErrNotModified when the validators still match.
	Fetch(ctx context.Context, etag, lastModified string) (*Fetched, error)
}

// IsRowError reports whether err rejects one record only.
func IsRowError(err error) bool {
	var re *RowError
	return errors.As(err, &re)
}
