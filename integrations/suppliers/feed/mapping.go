// Package feed parses supplier stock feeds (CSV and XML files, optionally
// gzip- or zip-compressed) into suppliers.StockRecords as a stream, following
// a per-supplier Mapping that says where each field is.
package feed

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"dropship/integrations/suppliers/internal/money"
)

// Format is the file format of a feed.
type Format string

// The feed formats.
const (
	FormatCSV Format = "csv"
	FormatXML Format = "xml"
)

// Compression says how a feed is packed; CompressionAuto looks at the bytes and the name.
type Compression string

// The compressions.
const (
	CompressionAuto Compression = "auto"
	CompressionNone Compression = "none"
	CompressionGzip Compression = "gzip"
	CompressionZip  Compression = "zip"
)

// Encodings a Mapping can declare (other spellings are accepted, see Validate).
const (
	EncodingUTF8        = "utf-8"
	EncodingLatin1      = "iso-8859-1"
	EncodingWindows1252 = "windows-1252"
)

// Mapping tells the parser how one supplier's feed is laid out. It is stored as
// JSON per supplier and edited on the supplier's page.
type Mapping struct {
	Format Format `json:"format"`
	// Compression is auto (the default when empty), none, gzip or zip.
	Compression Compression `json:"compression,omitempty"`
	// ZipEntry names the file to read inside a zip archive; empty takes the
	// first entry whose extension matches the format.
	ZipEntry string `json:"zip_entry,omitempty"`
	// Encoding is utf-8 (the default), iso-8859-1 (latin-1) or windows-1252. A
	// UTF-8 byte order mark always wins. For XML, an encoding declaration in the
	// document wins over this.
	Encoding string `json:"encoding,omitempty"`

	// Delimiter separates CSV fields: one character, "\t" or "tab" for a tab; default ",".
	Delimiter string `json:"delimiter,omitempty"`
	// Quote encloses CSV fields that contain the delimiter; default `"`.
	Quote string `json:"quote,omitempty"`
	// HeaderRow says the first CSV line names the columns.
	HeaderRow bool `json:"header_row"`

	// ItemPath is the XML element path of one item from the root, such as "inventory/item".
	ItemPath string `json:"item_path,omitempty"`

	// Fields says where each field is: for CSV a header name or a 1-based column
	// number; for XML a path below the item: "sku" (child element), "@sku"
	// (attribute of the item), "stock/qty" or "price/@currency".
	Fields Fields `json:"fields"`

	// Currency is the fixed ISO 4217 currency of costs, used when no currency
	// field is mapped or a row leaves it empty.
	Currency string `json:"currency,omitempty"`
	// DecimalSeparator is "." or "," for costs; empty guesses per value (the
	// last of "." and "," when both appear, a lone one otherwise).
	DecimalSeparator string `json:"decimal_separator,omitempty"`
}

// Fields locates each record field in a feed; empty means "not in this feed".
type Fields struct {
	SKU          string `json:"sku"`
	Quantity     string `json:"quantity"`
	Cost         string `json:"cost,omitempty"`
	Currency     string `json:"currency,omitempty"`
	LeadTimeDays string `json:"lead_time_days,omitempty"`
	Discontinued string `json:"discontinued,omitempty"`
	Barcode      string `json:"barcode,omitempty"`
	Title        string `json:"title,omitempty"`
}

// FieldErrors is a Mapping validation failure: field (JSON path) -> message for a person.
type FieldErrors map[string]string

// Error lists the fields in a stable order.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fe[k]
	}
	return "feed: invalid mapping: " + strings.Join(parts, "; ")
}

// Add records message for field unless the field already has one.
func (fe FieldErrors) Add(field, message string) {
	if _, ok := fe[field]; !ok {
		fe[field] = message
	}
}

// field describes one entry of Fields for validation and messages.
type field struct {
	key   string // JSON path, for FieldErrors
	label string // what a person calls it
	ptr   func(*Fields) *string
}

var fieldList = []field{
	{"fields.sku", "SKU", func(f *Fields) *string { return &f.SKU }},
	{"fields.quantity", "quantity", func(f *Fields) *string { return &f.Quantity }},
	{"fields.cost", "cost", func(f *Fields) *string { return &f.Cost }},
	{"fields.currency", "currency", func(f *Fields) *string { return &f.Currency }},
	{"fields.lead_time_days", "lead time", func(f *Fields) *string { return &f.LeadTimeDays }},
	{"fields.discontinued", "discontinued", func(f *Fields) *string { return &f.Discontinued }},
	{"fields.barcode", "barcode", func(f *Fields) *string { return &f.Barcode }},
	{"fields.title", "title", func(f *Fields) *string { return &f.Title }},
}

// Validate checks the mapping and returns what a merchant must fix, keyed by
// the field's JSON path ("delimiter", "fields.sku"); it is empty when the mapping is usable.
func (m Mapping) Validate() FieldErrors {
	fe := FieldErrors{}
	switch m.Format {
	case FormatCSV, FormatXML:
	case "":
		fe.Add("format", "choose the file format: CSV or XML")
	default:
		fe.Add("format", fmt.Sprintf("%q is not a format we read; choose CSV or XML", string(m.Format)))
	}
	switch m.Compression {
	case "", CompressionAuto, CompressionNone, CompressionGzip, CompressionZip:
	default:
		fe.Add("compression", "choose automatic, none, gzip or zip")
	}
	if m.ZipEntry != "" && m.Compression != "" && m.Compression != CompressionAuto && m.Compression != CompressionZip {
		fe.Add("zip_entry", "a file name inside the archive only applies to zip feeds")
	}
	if _, ok := canonicalEncoding(m.Encoding); !ok {
		fe.Add("encoding", "choose UTF-8, Latin-1 (ISO-8859-1) or Windows-1252")
	}
	switch m.DecimalSeparator {
	case "", ".", ",":
	default:
		fe.Add("decimal_separator", `use "." or "," (or leave empty to guess per value)`)
	}
	if m.Currency != "" {
		if _, _, ok := money.Currency(m.Currency); !ok {
			fe.Add("currency", fmt.Sprintf("%q is not an ISO 4217 currency code such as USD or EUR", m.Currency))
		}
	}
	f := m.Fields
	if strings.TrimSpace(f.SKU) == "" {
		fe.Add("fields.sku", "say where the SKU is; every record needs one")
	}
	if strings.TrimSpace(f.Quantity) == "" {
		fe.Add("fields.quantity", "say where the quantity is; every record needs one")
	}
	if strings.TrimSpace(f.Cost) != "" && strings.TrimSpace(f.Currency) == "" && m.Currency == "" {
		fe.Add("currency", "costs need a currency: choose a currency column or a fixed currency")
	}
	switch m.Format {
	case FormatCSV:
		m.validateCSV(fe)
	case FormatXML:
		m.validateXML(fe)
	}
	return fe
}

func (m Mapping) validateCSV(fe FieldErrors) {
	delim, okD := delimiterByte(m.Delimiter)
	if !okD {
		fe.Add("delimiter", `enter one character, such as "," or ";" or "|", or "tab"`)
	}
	quote, okQ := quoteByte(m.Quote)
	if !okQ {
		fe.Add("quote", `enter one character, usually " or '`)
	}
	if okD && okQ && delim == quote {
		fe.Add("quote", "the quote character must differ from the delimiter")
	}
	seen := map[string]string{}
	for _, fl := range fieldList {
		ref := strings.TrimSpace(*fl.ptr(&m.Fields))
		if ref == "" {
			continue
		}
		n, isNum := columnNumber(ref)
		switch {
		case isNum && n < 1:
			fe.Add(fl.key, "column numbers start at 1 (the first column)")
			continue
		case !isNum && !m.HeaderRow:
			fe.Add(fl.key, fmt.Sprintf("the file has no header row, so give the %s column as a number (1 for the first column)", fl.label))
			continue
		}
		key := strings.ToLower(ref)
		if other, dup := seen[key]; dup {
			fe.Add(fl.key, fmt.Sprintf("the %s and the %s can't be the same column", other, fl.label))
			continue
		}
		seen[key] = fl.label
	}
}

func (m Mapping) validateXML(fe FieldErrors) {
	if strings.TrimSpace(m.ItemPath) == "" {
		fe.Add("item_path", `say which element is one item, as a path from the root such as "inventory/item"`)
	} else if _, err := parseItemPath(m.ItemPath); err != nil {
		fe.Add("item_path", err.Error())
	}
	for _, fl := range fieldList {
		ref := strings.TrimSpace(*fl.ptr(&m.Fields))
		if ref == "" {
			continue
		}
		if _, err := parseFieldPath(ref); err != nil {
			fe.Add(fl.key, err.Error())
		}
	}
}

// columnNumber reads a CSV column reference written as a number.
func columnNumber(ref string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(ref))
	if err != nil {
		return 0, false
	}
	return n, true
}

func delimiterByte(s string) (byte, bool) {
	switch strings.ToLower(s) {
	case "":
		return ',', true
	case `\t`, "tab", "\t":
		return '\t', true
	}
	if len(s) != 1 || !validSeparator(s[0]) {
		return 0, false
	}
	return s[0], true
}

func quoteByte(s string) (byte, bool) {
	if s == "" {
		return '"', true
	}
	if len(s) != 1 || !validSeparator(s[0]) {
		return 0, false
	}
	return s[0], true
}

// validSeparator accepts printable ASCII punctuation and tab, never a letter,
// digit, line break or something that is part of a multibyte character.
func validSeparator(c byte) bool {
	if c == '\t' {
		return true
	}
	if c <= ' ' || c >= 0x7f || c == '\r' || c == '\n' {
		return false
	}
	return !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

// canonicalEncoding names the encodings we read by their canonical label.
func canonicalEncoding(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "utf-8", "utf8":
		return EncodingUTF8, true
	case "iso-8859-1", "iso8859-1", "latin-1", "latin1", "iso_8859-1", "l1":
		return EncodingLatin1, true
	case "windows-1252", "cp1252", "win-1252":
		return EncodingWindows1252, true
	}
	return "", false
}
