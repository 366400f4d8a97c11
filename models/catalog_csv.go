package models

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Catalog import statuses.
const (
	ImportUploaded  = "uploaded"
	ImportParsing   = "parsing"
	ImportPreviewed = "previewed"
	ImportApplying  = "applying"
	ImportApplied   = "applied"
	ImportFailed    = "failed"
)

// MaxImportBytes is the largest catalog CSV accepted (about 150,000 variants).
const MaxImportBytes = 40 << 20

// importChunkBytes is how the upload is cut for storage, so no step holds it whole.
const importChunkBytes = 1 << 20

// ShopifyColumns is the header of the catalog CSV, in Shopify's product CSV shape.
var ShopifyColumns = []string{"Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
	"Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
	"Variant SKU", "Variant Grams", "Variant Inventory Qty", "Variant Price", "Variant Compare At Price",
	"Variant Barcode", "Variant Weight Unit", "Status"}

// requiredColumns must be in an imported file's header.
var requiredColumns = []string{"Handle", "Variant SKU", "Variant Price"}

// CatalogImport is one upload of a catalog CSV, from preview to apply.
type CatalogImport struct {
	ID         int64
	CreatedBy  *int64
	Filename   string
	Status     string
	TotalBytes int64
	ReadBytes  int64
	RowsTotal  int
	RowsCreate int
	RowsUpdate int
	RowsError  int
	Error      string
	Header     StringList
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// Progress is the share of the file read so far, 0 to 100.
func (c *CatalogImport) Progress() int {
	if c.TotalBytes == 0 {
		return 0
	}
	return int(min(100, c.ReadBytes*100/c.TotalBytes))
}

// Busy reports whether a background step is still working on the import.
func (c *CatalogImport) Busy() bool {
	return c.Status == ImportUploaded || c.Status == ImportParsing || c.Status == ImportApplying
}

// ImportRow is one row of an import as the preview shows it.
type ImportRow struct {
	Line       int
	Handle     string
	Title      string
	SKU        string `gorm:"column:sku"`
	Options    Options
	PriceCents *int64
	Action     string
	Reason     string
}

// ErrFileTooLarge is an upload over MaxImportBytes.
var ErrFileTooLarge = errors.New("file too large")

// StoreCatalogImport saves an uploaded file in 1 MB chunks and returns the
// import, ready for ParseCatalogImport. size is the file's declared size.
func StoreCatalogImport(ctx context.Context, db *gorm.DB, actor *User, filename string, size int64, r io.Reader) (*CatalogImport, error) {
	if size > MaxImportBytes {
		return nil, FieldErrors{"file": fmt.Sprintf("the file is %s; the limit is %d MB. Split it into smaller files.", humanBytes(size), MaxImportBytes>>20)}
	}
	if size == 0 {
		return nil, FieldErrors{"file": "the file is empty"}
	}
	imp := &CatalogImport{Filename: filename, Status: ImportUploaded, TotalBytes: size, Header: StringList{}}
	if actor != nil {
		imp.CreatedBy = &actor.ID
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(imp).Error; err != nil {
			return fmt.Errorf("models: store import: %w", err)
		}
		buf := make([]byte, importChunkBytes)
		var total int64
		for seq := 0; ; seq++ {
			n, err := io.ReadFull(r, buf)
			if n > 0 {
				total += int64(n)
				if total > MaxImportBytes {
					return FieldErrors{"file": fmt.Sprintf("the file is over the limit of %d MB. Split it into smaller files.", MaxImportBytes>>20)}
				}
				if err := tx.Exec("INSERT INTO catalog_import_chunks (import_id, seq, data) VALUES (?, ?, ?)", imp.ID, seq, buf[:n]).Error; err != nil {
					return fmt.Errorf("models: store import chunk: %w", err)
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("models: read upload: %w", err)
			}
		}
		imp.TotalBytes = total
		return tx.Model(imp).Update("total_bytes", total).Error
	})
	if err != nil {
		return nil, err
	}
	return imp, nil
}

func humanBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// GetCatalogImport loads an import.
func GetCatalogImport(ctx context.Context, db *gorm.DB, id int64) (*CatalogImport, error) {
	var imp CatalogImport
	if err := db.WithContext(ctx).First(&imp, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get import %d", id))
	}
	return &imp, nil
}

// ListCatalogImports returns the latest imports.
func ListCatalogImports(ctx context.Context, db *gorm.DB, limit int) ([]CatalogImport, error) {
	var out []CatalogImport
	if err := db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list imports: %w", err)
	}
	return out, nil
}

// chunkReader reads a stored upload chunk by chunk, counting what it read.
type chunkReader struct {
	ctx  context.Context
	db   *gorm.DB
	id   int64
	seq  int
	buf  []byte
	read int64
	done bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var data [][]byte
		if err := r.db.WithContext(r.ctx).Raw("SELECT data FROM catalog_import_chunks WHERE import_id = ? AND seq = ?", r.id, r.seq).
			Scan(&data).Error; err != nil {
			return 0, fmt.Errorf("models: read import chunk: %w", err)
		}
		if len(data) == 0 {
			r.done = true
			continue
		}
		r.buf = data[0]
		r.seq++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.read += int64(n)
	return n, nil
}

// productFields are the product-level columns, carried by a product's first row.
type productFields struct {
	title, body, vendor, category, status string
	optionNames                           []string
}

// stagedRow is one parsed row on its way into catalog_import_rows.
type stagedRow struct {
	line                 int
	handle, sku, barcode string
	product              productFields
	options              Options
	optionValues         []string // Option1..3 Value as given, for rows that don't name the options
	price, compareAt     *int64
	grams                *int64
	action, reason       string
	raw                  []string
}

// importParser turns CSV records into staged rows, keeping per-handle product fields.
type importParser struct {
	cols     map[string]int
	products map[string]productFields
	header   []string
}

// errWrongColumns is a header without the required columns.
type errWrongColumns struct{ missing, found []string }

func (e errWrongColumns) Error() string {
	return fmt.Sprintf("the header lacks %s (found: %s). Export a file from Shopify or from this page to see the expected columns.",
		strings.Join(e.missing, ", "), strings.Join(e.found, ", "))
}

func newImportParser(header []string) (*importParser, error) {
	p := &importParser{cols: map[string]int{}, products: map[string]productFields{}, header: header}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		p.cols[strings.ToLower(h)] = i
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := p.cols[strings.ToLower(c)]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		found := header
		if len(found) > 8 {
			found = append(found[:8:8], "...")
		}
		return nil, errWrongColumns{missing: missing, found: found}
	}
	return p, nil
}

func (p *importParser) get(rec []string, col string) string {
	i, ok := p.cols[strings.ToLower(col)]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// parse validates one record; what needs the database is checked later, in SQL.
func (p *importParser) parse(line int, rec []string) stagedRow {
	r := stagedRow{line: line, raw: append([]string(nil), rec...), action: "create"}
	fail := func(reason string) stagedRow {
		r.action, r.reason = "error", reason
		return r
	}
	if len(rec) != len(p.header) {
		return fail(fmt.Sprintf("has %d columns; the header has %d", len(rec), len(p.header)))
	}
	r.handle = p.get(rec, "Handle")
	r.sku = p.get(rec, "Variant SKU")
	r.barcode = p.get(rec, "Variant Barcode")
	if !handleRe.MatchString(r.handle) || len(r.handle) > 200 {
		return fail(fmt.Sprintf("Handle %q: use lower-case letters, digits and single dashes", r.handle))
	}
	pf, known := p.products[r.handle]
	var names []string
	for i := 1; i <= MaxOptions; i++ {
		if n := p.get(rec, fmt.Sprintf("Option%d Name", i)); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 1 && names[0] == "Title" && p.get(rec, "Option1 Value") == "Default Title" {
		names = []string{} // Shopify's way of saying "no options"
	}
	if !known {
		pf = productFields{title: p.get(rec, "Title"), body: p.get(rec, "Body (HTML)"), vendor: p.get(rec, "Vendor"),
			category: p.get(rec, "Product Category"), status: strings.ToLower(p.get(rec, "Status")), optionNames: names}
		if pf.category == "" {
			pf.category = p.get(rec, "Type")
		}
		if pf.optionNames == nil {
			pf.optionNames = []string{}
		}
		if pf.status == "" {
			pf.status = ProductActive
		}
		p.products[r.handle] = pf
	} else if len(names) > 0 && strings.Join(names, "\x00") != strings.Join(pf.optionNames, "\x00") {
		return fail(fmt.Sprintf("option names %s differ from this product's first row (%s)", strings.Join(names, ", "), strings.Join(pf.optionNames, ", ")))
	}
	r.product = pf
	if pf.status != ProductActive && pf.status != ProductDraft && pf.status != ProductArchived {
		return fail(fmt.Sprintf("Status %q: use active, draft or archived", pf.status))
	}
	if len(pf.title) > 255 {
		return fail("Title is longer than 255 characters")
	}
	if r.sku == "" {
		return fail("Variant SKU is empty; every variant needs the merchant's SKU")
	}
	if !skuRe.MatchString(r.sku) || len(r.sku) > 64 {
		return fail(fmt.Sprintf("Variant SKU %q: use letters, digits and . _ / - (up to 64)", r.sku))
	}
	r.options = Options{}
	r.optionValues = []string{}
	if len(pf.optionNames) == 0 {
		for i := 1; i <= MaxOptions; i++ {
			if v := p.get(rec, fmt.Sprintf("Option%d Value", i)); v != "" && v != "Default Title" {
				r.optionValues = append(r.optionValues, v)
			}
		}
	}
	for i, n := range pf.optionNames {
		v := p.get(rec, fmt.Sprintf("Option%d Value", i+1))
		if v == "" {
			return fail(fmt.Sprintf("Option%d Value (%s) is empty", i+1, n))
		}
		r.options[n] = v
	}
	price, err := ParseCents(strings.TrimPrefix(p.get(rec, "Variant Price"), "$"))
	if err != nil {
		if strings.HasPrefix(p.get(rec, "Variant Price"), "-") {
			return fail(fmt.Sprintf("Variant Price %s is below zero", p.get(rec, "Variant Price")))
		}
		return fail(fmt.Sprintf("Variant Price %q is not an amount like 19.99", p.get(rec, "Variant Price")))
	}
	r.price = &price
	if s := p.get(rec, "Variant Compare At Price"); s != "" {
		c, err := ParseCents(s)
		if err != nil {
			return fail(fmt.Sprintf("Variant Compare At Price %q is not an amount of zero or more", s))
		}
		r.compareAt = &c
	}
	if s := p.get(rec, "Variant Grams"); s != "" {
		g, err := strconv.ParseFloat(s, 64)
		if err != nil || g < 0 || g > 1e7 {
			return fail(fmt.Sprintf("Variant Grams %q is not a weight of zero or more", s))
		}
		gi := int64(g + 0.5)
		r.grams = &gi
	}
	if len(r.barcode) > 64 {
		return fail("Variant Barcode is longer than 64 characters")
	}
	return r
}

// importSource feeds staged rows to COPY as the CSV is read, so memory stays
// flat whatever the file's size.
type importSource struct {
	rows     chan stagedRow
	importID int64
	cur      stagedRow
	err      error
}

func (s *importSource) Next() bool {
	r, ok := <-s.rows
	s.cur = r
	return ok
}

func (s *importSource) Values() ([]any, error) {
	r := s.cur
	names, _ := json.Marshal(r.product.optionNames)
	opts, _ := json.Marshal(r.options)
	raw, _ := json.Marshal(r.raw)
	values, _ := json.Marshal(r.optionValues)
	if r.optionValues == nil {
		values = []byte("[]")
	}
	var grams any
	if r.grams != nil {
		grams = *r.grams
	}
	return []any{s.importID, r.line, r.handle, r.product.title, r.product.body, r.product.vendor, r.product.category,
		r.product.status, string(names), string(opts), r.sku, r.price, r.compareAt, r.barcode, grams, r.action, r.reason, string(raw), string(values)}, nil
}

func (s *importSource) Err() error { return s.err }

var importRowColumns = []string{"import_id", "line", "handle", "title", "description", "vendor", "category", "status",
	"option_names", "options", "sku", "price_cents", "compare_at_price_cents", "barcode", "weight_grams", "action", "reason", "raw", "option_values"}

// ParseCatalogImport reads a stored upload as a stream, stages every row with
// COPY, checks in SQL what needs the catalog (duplicate SKUs, SKUs of other
// products, unknown categories, repeated options) and records per-row outcomes
// and counts: the preview. Progress is written to the import as it reads.
// A file that can't be read as a whole (wrong columns, not UTF-8) fails with
// a reason and stages nothing.
func ParseCatalogImport(ctx context.Context, db *gorm.DB, id int64) error {
	imp, err := GetCatalogImport(ctx, db, id)
	if err != nil {
		return err
	}
	if imp.Status != ImportUploaded {
		return fmt.Errorf("models: parse import %d in status %s: %w", id, imp.Status, ErrInvalidTransition)
	}
	if err := db.WithContext(ctx).Model(imp).Updates(map[string]any{"status": ImportParsing, "updated_at": time.Now().UTC()}).Error; err != nil {
		return fmt.Errorf("models: parse import %d: %w", id, err)
	}
	fileErr, err := stageImport(ctx, db, imp)
	if err == nil && fileErr == "" {
		err = checkImportRows(ctx, db, id)
	}
	now := time.Now().UTC()
	switch {
	case err != nil:
		fileErr = "The import stopped: " + err.Error()
		fallthrough
	case fileErr != "":
		db.WithContext(ctx).Exec("DELETE FROM catalog_import_rows WHERE import_id = ?", id)
		if uerr := db.WithContext(ctx).Model(imp).Updates(map[string]any{"status": ImportFailed, "error": fileErr,
			"updated_at": now, "finished_at": now}).Error; uerr != nil {
			return fmt.Errorf("models: parse import %d: %w", id, uerr)
		}
		return err
	}
	return nil
}

// stageImport streams the CSV into catalog_import_rows; a non-empty string is
// a reason the whole file is refused.
func stageImport(ctx context.Context, db *gorm.DB, imp *CatalogImport) (string, error) {
	src := &chunkReader{ctx: ctx, db: db, id: imp.ID}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return "The file is not a CSV file with a header row.", nil
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	for _, h := range header {
		if !utf8.ValidString(h) || strings.ContainsRune(h, 0) {
			return "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again.", nil
		}
	}
	parser, err := newImportParser(header)
	if err != nil {
		return "Wrong columns: " + err.Error(), nil
	}
	if err := db.WithContext(ctx).Model(imp).Update("header", StringList(header)).Error; err != nil {
		return "", fmt.Errorf("models: import header: %w", err)
	}

	rows := make(chan stagedRow, 256)
	fileErr := make(chan string, 1)
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(rows)
		n := 0
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			var r stagedRow
			var pe *csv.ParseError
			switch {
			case errors.As(err, &pe):
				r = stagedRow{line: pe.StartLine, action: "error", reason: "not valid CSV: " + pe.Err.Error(), raw: []string{}}
			case err != nil:
				fileErr <- "The file could not be read: " + err.Error()
				return
			default:
				line, _ := cr.FieldPos(0)
				for _, f := range rec {
					if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
						fileErr <- fmt.Sprintf("Line %d is not UTF-8 text. Save the file as \"CSV UTF-8\" and upload it again.", line)
						return
					}
				}
				r = parser.parse(line, rec)
			}
			select {
			case rows <- r:
			case <-readCtx.Done():
				return
			}
			if n++; n%5000 == 0 {
				db.WithContext(ctx).Model(imp).Updates(map[string]any{"read_bytes": src.read, "rows_total": n, "updated_at": time.Now().UTC()})
			}
		}
	}()

	sqlDB, err := db.DB()
	if err != nil {
		return "", err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("models: stage import: %w", err)
	}
	defer conn.Close()
	source := &importSource{rows: rows, importID: imp.ID}
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"catalog_import_rows"}, importRowColumns, source)
		return err
	})
	for range rows { // drain if COPY stopped early
	}
	select {
	case msg := <-fileErr:
		return msg, nil
	default:
	}
	if err != nil {
		return "", fmt.Errorf("models: stage import: %w", err)
	}
	if err := db.WithContext(ctx).Model(imp).Update("read_bytes", imp.TotalBytes).Error; err != nil {
		return "", fmt.Errorf("models: stage import: %w", err)
	}
	return "", nil
}

// importChecks mark rows the catalog refuses, each with a reason; earlier
// checks win (a row keeps its first reason).
var importChecks = []string{
	// Rows that give option values without naming the options take an existing product's names.
	`UPDATE catalog_import_rows r SET option_names = p.option_names,
	   options = (SELECT jsonb_object_agg(n.name, r.option_values ->> (n.ord - 1)::int)
	              FROM jsonb_array_elements_text(p.option_names) WITH ORDINALITY AS n(name, ord))
	 FROM products p
	 WHERE r.import_id = @id AND r.action <> 'error' AND p.handle = r.handle AND r.option_names = '[]'
	   AND p.option_names <> '[]' AND jsonb_array_length(r.option_values) = jsonb_array_length(p.option_names)`,
	// Option values for a new product whose first row names no options.
	`UPDATE catalog_import_rows r SET action = 'error', reason = 'Option1 Value is given but the product''s first row names no options (Option1 Name)'
	 WHERE r.import_id = @id AND r.action <> 'error' AND r.option_names = '[]' AND r.option_values <> '[]'
	   AND NOT EXISTS (SELECT 1 FROM products p WHERE p.handle = r.handle AND p.option_names <> '[]')`,
	// A SKU that belongs to another product.
	`UPDATE catalog_import_rows r SET action = 'error', reason = 'Variant SKU ' || r.sku || ' belongs to product ' || p.handle
	 FROM variants v JOIN products p ON p.id = v.product_id
	 WHERE r.import_id = @id AND r.action <> 'error' AND v.sku = r.sku AND p.handle <> r.handle`,
	// A SKU twice in the file: the first row wins.
	`UPDATE catalog_import_rows r SET action = 'error', reason = 'Variant SKU ' || r.sku || ' is also on line ' || d.first
	 FROM (SELECT sku, min(line) AS first FROM catalog_import_rows WHERE import_id = @id AND action <> 'error' GROUP BY sku HAVING count(*) > 1) d
	 WHERE r.import_id = @id AND r.action <> 'error' AND r.sku = d.sku AND r.line > d.first`,
	// Two rows of one product with the same options.
	`UPDATE catalog_import_rows r SET action = 'error',
	   reason = CASE WHEN r.options = '{}' THEN 'a product without options can have one variant only; line ' || d.first || ' is it'
	                 ELSE 'line ' || d.first || ' has the same options for this product' END
	 FROM (SELECT handle, options, min(line) AS first FROM catalog_import_rows WHERE import_id = @id AND action <> 'error'
	       GROUP BY handle, options HAVING count(*) > 1) d
	 WHERE r.import_id = @id AND r.action <> 'error' AND r.handle = d.handle AND r.options = d.options AND r.line > d.first`,
	// A category the store does not have.
	`UPDATE catalog_import_rows r SET action = 'error', reason = 'unknown category "' || r.category || '"; add it first or leave the column empty'
	 WHERE r.import_id = @id AND r.action <> 'error' AND r.category <> ''
	   AND NOT EXISTS (SELECT 1 FROM categories c WHERE lower(c.name) = lower(r.category))`,
	// Options that differ from an existing product's.
	`UPDATE catalog_import_rows r SET action = 'error',
	   reason = 'option names (' || COALESCE((SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(r.option_names) x), 'none') ||
	            ') differ from the product''s (' || COALESCE((SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(p.option_names) x), 'none') || ')'
	 FROM products p
	 WHERE r.import_id = @id AND r.action <> 'error' AND p.handle = r.handle AND p.option_names <> r.option_names`,
	// Options an existing variant of the product (another SKU) already has.
	`UPDATE catalog_import_rows r SET action = 'error', reason = 'variant ' || v.sku || ' of this product already has these options'
	 FROM products p JOIN variants v ON v.product_id = p.id
	 WHERE r.import_id = @id AND r.action <> 'error' AND p.handle = r.handle AND v.options = r.options AND v.sku <> r.sku
	   AND NOT EXISTS (SELECT 1 FROM catalog_import_rows o WHERE o.import_id = @id AND o.sku = v.sku AND o.action <> 'error')`,
	// A new product needs a title.
	`UPDATE catalog_import_rows r SET action = 'error', reason = 'new product ' || r.handle || ' has no Title (its first row carries it)'
	 WHERE r.import_id = @id AND r.action <> 'error' AND r.title = ''
	   AND NOT EXISTS (SELECT 1 FROM products p WHERE p.handle = r.handle)`,
	// What is left creates or updates.
	`UPDATE catalog_import_rows r SET action = 'update'
	 FROM variants v WHERE r.import_id = @id AND r.action = 'create' AND v.sku = r.sku`,
}

func checkImportRows(ctx context.Context, db *gorm.DB, id int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, q := range importChecks {
			if err := tx.Exec(q, sql.Named("id", id)).Error; err != nil {
				return fmt.Errorf("models: check import rows: %w", err)
			}
		}
		now := time.Now().UTC()
		return tx.Exec(`UPDATE catalog_imports i SET status = 'previewed', updated_at = ?, finished_at = ?,
				rows_total = c.total, rows_create = c.creates, rows_update = c.updates, rows_error = c.errors
			FROM (SELECT count(*) AS total, count(*) FILTER (WHERE action = 'create') AS creates,
			             count(*) FILTER (WHERE action = 'update') AS updates, count(*) FILTER (WHERE action = 'error') AS errors
			      FROM catalog_import_rows WHERE import_id = ?) c
			WHERE i.id = ?`, now, now, id, id).Error
	})
}

// ImportRowFilter pages through an import's rows.
type ImportRowFilter struct {
	Action    string // create, update, error; "" for all
	AfterLine int
	Limit     int
}

// ListImportRows returns rows of an import in line order, one more than Limit.
func ListImportRows(ctx context.Context, db *gorm.DB, id int64, f ImportRowFilter) ([]ImportRow, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := db.WithContext(ctx).Table("catalog_import_rows").Select("line, handle, title, sku, options, price_cents, action, reason").
		Where("import_id = ? AND line > ?", id, f.AfterLine).Order("line").Limit(f.Limit + 1)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	var out []ImportRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list import rows: %w", err)
	}
	return out, nil
}

// ApplyCatalogImport writes every valid row of a previewed import in one
// transaction: products by handle, variants by SKU. If the catalog changed
// since the preview so that a row no longer fits, nothing is written.
func ApplyCatalogImport(ctx context.Context, db *gorm.DB, actor *User, id int64) (*CatalogImport, error) {
	var imp CatalogImport
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&imp, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("apply import %d", id))
		}
		if imp.Status != ImportPreviewed {
			return fmt.Errorf("models: import %d is %s, not previewed: %w", id, imp.Status, ErrInvalidTransition)
		}
		if imp.RowsCreate+imp.RowsUpdate == 0 {
			return fmt.Errorf("models: import %d has no valid rows: %w", id, ErrConflict)
		}
		res := tx.Exec(`UPDATE products p SET title = r.title, description = r.description, vendor = r.vendor,
			  category_id = COALESCE((SELECT c.id FROM categories c WHERE lower(c.name) = lower(r.category)), p.category_id),
			  status = r.status, updated_at = now()
			FROM (SELECT DISTINCT ON (handle) * FROM catalog_import_rows
			      WHERE import_id = ? AND action <> 'error' AND title <> '' ORDER BY handle, line) r
			WHERE p.handle = r.handle`, id)
		if res.Error != nil {
			return importChanged(res.Error)
		}
		products := res.RowsAffected
		res = tx.Exec(`INSERT INTO products (handle, title, description, vendor, category_id, status, option_names)
			SELECT DISTINCT ON (r.handle) r.handle, r.title, r.description, r.vendor,
			       (SELECT c.id FROM categories c WHERE lower(c.name) = lower(r.category)), r.status, r.option_names
			FROM catalog_import_rows r
			WHERE r.import_id = ? AND r.action <> 'error' AND NOT EXISTS (SELECT 1 FROM products p WHERE p.handle = r.handle)
			ORDER BY r.handle, r.line`, id)
		if res.Error != nil {
			return importChanged(res.Error)
		}
		products += res.RowsAffected
		res = tx.Exec(`INSERT INTO variants (product_id, sku, options, price_cents, compare_at_price_cents, barcode, weight_grams, position)
			SELECT p.id, r.sku, r.options, r.price_cents, r.compare_at_price_cents, r.barcode, COALESCE(r.weight_grams, 0),
			       COALESCE((SELECT max(position) FROM variants x WHERE x.product_id = p.id), 0)
			         + row_number() OVER (PARTITION BY r.handle ORDER BY r.line)
			FROM catalog_import_rows r JOIN products p ON p.handle = r.handle
			WHERE r.import_id = ? AND r.action <> 'error'
			ORDER BY r.line
			ON CONFLICT (sku) DO UPDATE SET
			  options = EXCLUDED.options, price_cents = EXCLUDED.price_cents,
			  compare_at_price_cents = EXCLUDED.compare_at_price_cents, barcode = EXCLUDED.barcode,
			  weight_grams = CASE WHEN EXCLUDED.weight_grams = 0 THEN variants.weight_grams ELSE EXCLUDED.weight_grams END,
			  updated_at = now()`, id)
		if res.Error != nil {
			return importChanged(res.Error)
		}
		now := time.Now().UTC()
		if err := tx.Model(&imp).Updates(map[string]any{"status": ImportApplied, "updated_at": now, "finished_at": now}).Error; err != nil {
			return fmt.Errorf("models: apply import %d: %w", id, err)
		}
		imp.Status = ImportApplied
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "catalog.import", EntityType: "catalog_import", EntityID: fmt.Sprint(id),
			After: map[string]any{"file": imp.Filename, "created": imp.RowsCreate, "updated": imp.RowsUpdate, "rejected": imp.RowsError,
				"products_written": products, "variants_written": res.RowsAffected}})
	})
	if err != nil {
		return nil, err
	}
	return &imp, nil
}

// importChanged explains a constraint the apply ran into: the catalog changed after the preview.
func importChanged(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(err, gorm.ErrCheckConstraintViolated) {
		return fmt.Errorf("models: the catalog changed since the preview and a row no longer fits; upload the file again for a fresh preview: %w", ErrConflict)
	}
	return fmt.Errorf("models: apply import: %w", err)
}

// WriteRejectedRows writes the rows the preview refused as CSV: the file's
// own columns and an Error column, so they can be fixed and uploaded again.
func WriteRejectedRows(ctx context.Context, db *gorm.DB, id int64, w io.Writer) error {
	imp, err := GetCatalogImport(ctx, db, id)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{"Line"}, imp.Header...), "Error")); err != nil {
		return err
	}
	rows, err := db.WithContext(ctx).Raw("SELECT line, raw, reason FROM catalog_import_rows WHERE import_id = ? AND action = 'error' ORDER BY line", id).Rows()
	if err != nil {
		return fmt.Errorf("models: rejected rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var line int
		var raw []byte
		var reason string
		if err := rows.Scan(&line, &raw, &reason); err != nil {
			return fmt.Errorf("models: rejected rows: %w", err)
		}
		var fields []string
		_ = json.Unmarshal(raw, &fields)
		rec := make([]string, 0, len(imp.Header)+2)
		rec = append(rec, strconv.Itoa(line))
		for i := range imp.Header {
			if i < len(fields) {
				rec = append(rec, fields[i])
			} else {
				rec = append(rec, "")
			}
		}
		if err := cw.Write(append(rec, reason)); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return rows.Err()
}

// ExportCatalogCSV streams the whole catalog in Shopify's product CSV shape:
// one row per variant, the product's fields on its first row.
// Variant Inventory Qty is the pool's available quantity.
func ExportCatalogCSV(ctx context.Context, db *gorm.DB, w io.Writer) error {
	rows, err := db.WithContext(ctx).Raw(`SELECT p.handle, p.title, p.description, p.vendor, COALESCE(c.name, ''), p.status,
			p.option_names, v.options, v.sku, v.weight_grams, COALESCE(vp.available, 0), v.price_cents, v.compare_at_price_cents, v.barcode
		FROM products p JOIN variants v ON v.product_id = p.id
		LEFT JOIN categories c ON c.id = p.category_id
		LEFT JOIN variant_pool vp ON vp.variant_id = v.id
		ORDER BY p.handle, v.position, v.id`).Rows()
	if err != nil {
		return fmt.Errorf("models: export catalog: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(ShopifyColumns); err != nil {
		return err
	}
	prev := ""
	rec := make([]string, len(ShopifyColumns))
	for rows.Next() {
		var handle, title, body, vendor, category, status, sku, barcode string
		var names StringList
		var opts Options
		var grams int
		var avail, price int64
		var compare *int64
		if err := rows.Scan(&handle, &title, &body, &vendor, &category, &status, &names, &opts, &sku, &grams, &avail, &price, &compare, &barcode); err != nil {
			return fmt.Errorf("models: export catalog: %w", err)
		}
		clear(rec)
		rec[0] = handle
		first := handle != prev
		prev = handle
		if first {
			rec[1], rec[2], rec[3], rec[4], rec[7], rec[21] = title, body, vendor, category, strconv.FormatBool(status == ProductActive), status
		}
		if len(names) == 0 {
			if first {
				rec[8] = "Title"
			}
			rec[9] = "Default Title"
		}
		for i, n := range names {
			if first {
				rec[8+2*i] = n
			}
			rec[9+2*i] = opts[n]
		}
		rec[14], rec[15], rec[16], rec[17] = sku, strconv.Itoa(grams), strconv.FormatInt(avail, 10), FormatCents(price)
		if compare != nil {
			rec[18] = FormatCents(*compare)
		}
		rec[19], rec[20] = barcode, "g"
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return rows.Err()
}

// StaleImportAfter is how long an import may go without progress before it is
// taken to have died with its instance (a live parse writes progress every 5,000 rows).
const StaleImportAfter = 10 * time.Minute

// FailStaleImports marks imports that stopped making progress as failed, so
// their page stops waiting; it returns how many.
func FailStaleImports(ctx context.Context, db *gorm.DB) (int64, error) {
	res := db.WithContext(ctx).Exec(`UPDATE catalog_imports SET status = 'failed', finished_at = now(), updated_at = now(),
		error = 'The server stopped while reading this file. Nothing was written; upload it again.'
		WHERE status IN ('uploaded', 'parsing') AND updated_at < ?`, time.Now().Add(-StaleImportAfter))
	if res.Error != nil {
		return 0, fmt.Errorf("models: fail stale imports: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		if err := db.WithContext(ctx).Exec(`DELETE FROM catalog_import_rows WHERE import_id IN
			(SELECT id FROM catalog_imports WHERE status = 'failed')`).Error; err != nil {
			return 0, fmt.Errorf("models: fail stale imports: %w", err)
		}
	}
	return res.RowsAffected, nil
}
