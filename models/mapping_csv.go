package models

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// MaxMappingCSVBytes is the largest bulk mapping file accepted.
const MaxMappingCSVBytes = 8 << 20

// RowError is one refused row of an uploaded file.
type RowError struct {
	Line   int
	Reason string
}

// MappingImportResult says what a bulk mapping file did, or why it did nothing.
type MappingImportResult struct {
	Created, Remapped, Unchanged int
	Errors                       []RowError // when any, nothing was written
	FileError                    string     // the whole file was refused
}

// ErrImportRejected means a file had errors and nothing was written; the result lists them.
var ErrImportRejected = errors.New("import rejected")

type mappingRow struct {
	line                           int
	supplierCode, supplierSKU, sku string
}

// ImportMappings reads a CSV of supplier_code, supplier_sku, merchant_sku and
// maps each supplier SKU to the variant, all in one transaction. A row that
// remaps a supplier SKU moves its offer to the new variant. Any bad row (an
// unknown supplier or SKU, a repeat, a clash) writes nothing; every bad row is
// listed with its line.
func ImportMappings(ctx context.Context, db *gorm.DB, actor *User, r io.Reader) (MappingImportResult, error) {
	var res MappingImportResult
	cr := csv.NewReader(io.LimitReader(r, MaxMappingCSVBytes+1))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		res.FileError = "the file is not a CSV file with a header row"
		return res, ErrImportRejected
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range []string{"supplier_code", "supplier_sku", "merchant_sku"} {
		if _, ok := cols[c]; !ok {
			res.FileError = fmt.Sprintf("wrong columns: the header must have supplier_code, supplier_sku and merchant_sku (found: %s)", strings.Join(header, ", "))
			return res, ErrImportRejected
		}
	}
	var rows []mappingRow
	seenSupplierSKU := map[string]int{}
	seenVariant := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			res.Errors = append(res.Errors, RowError{pe.StartLine, "not valid CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			res.FileError = "the file could not be read: " + err.Error()
			return res, ErrImportRejected
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+len(res.Errors) > 100000 {
			res.FileError = "the file has over 100,000 rows; split it"
			return res, ErrImportRejected
		}
		get := func(c string) string {
			if i := cols[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		m := mappingRow{line: line, supplierCode: strings.ToUpper(get("supplier_code")), supplierSKU: get("supplier_sku"), sku: get("merchant_sku")}
		switch {
		case !utf8.ValidString(strings.Join(rec, "")):
			res.FileError = fmt.Sprintf("line %d is not UTF-8 text; save the file as CSV UTF-8", line)
			return res, ErrImportRejected
		case len(rec) != len(header):
			res.Errors = append(res.Errors, RowError{line, fmt.Sprintf("has %d columns; the header has %d", len(rec), len(header))})
		case m.supplierCode == "" || m.supplierSKU == "" || m.sku == "":
			res.Errors = append(res.Errors, RowError{line, "supplier_code, supplier_sku and merchant_sku are all needed"})
		case seenSupplierSKU[m.supplierCode+"\x00"+m.supplierSKU] > 0:
			res.Errors = append(res.Errors, RowError{line, fmt.Sprintf("%s %s is also on line %d", m.supplierCode, m.supplierSKU, seenSupplierSKU[m.supplierCode+"\x00"+m.supplierSKU])})
		case seenVariant[m.supplierCode+"\x00"+m.sku] > 0:
			res.Errors = append(res.Errors, RowError{line, fmt.Sprintf("%s maps %s on line %d already; a supplier has one SKU per variant", m.supplierCode, m.sku, seenVariant[m.supplierCode+"\x00"+m.sku])})
		default:
			seenSupplierSKU[m.supplierCode+"\x00"+m.supplierSKU] = line
			seenVariant[m.supplierCode+"\x00"+m.sku] = line
			rows = append(rows, m)
		}
	}
	if cr.InputOffset() > MaxMappingCSVBytes {
		res.FileError = fmt.Sprintf("the file is over %d MB", MaxMappingCSVBytes>>20)
		return res, ErrImportRejected
	}
	if len(rows) == 0 && len(res.Errors) == 0 {
		res.FileError = "the file has no rows"
		return res, ErrImportRejected
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		suppliers := map[string]*Supplier{}
		var all []Supplier
		if err := tx.Find(&all).Error; err != nil {
			return fmt.Errorf("models: import mappings: %w", err)
		}
		for i := range all {
			suppliers[all[i].Code] = &all[i]
		}
		for _, m := range rows {
			s := suppliers[m.supplierCode]
			if s == nil {
				res.Errors = append(res.Errors, RowError{m.line, fmt.Sprintf("no supplier has the code %s", m.supplierCode)})
				continue
			}
			v, err := GetVariantBySKU(ctx, tx, m.sku)
			if errors.Is(err, ErrNotFound) {
				res.Errors = append(res.Errors, RowError{m.line, fmt.Sprintf("no variant has the SKU %s", m.sku)})
				continue
			} else if err != nil {
				return err
			}
			var existing []Offer
			if err := tx.Where("supplier_id = ? AND (supplier_sku = ? OR variant_id = ?)", s.ID, m.supplierSKU, v.ID).Find(&existing).Error; err != nil {
				return fmt.Errorf("models: import mappings: %w", err)
			}
			var bySKU, byVariant *Offer
			for i := range existing {
				if existing[i].SupplierSKU == m.supplierSKU {
					bySKU = &existing[i]
				}
				if existing[i].VariantID == v.ID {
					byVariant = &existing[i]
				}
			}
			switch {
			case bySKU != nil && bySKU.VariantID == v.ID:
				res.Unchanged++
			case byVariant != nil:
				res.Errors = append(res.Errors, RowError{m.line, fmt.Sprintf("%s already maps %s as %s; change that mapping first", s.Code, m.sku, byVariant.SupplierSKU)})
			case bySKU != nil:
				before := offerAuditView(bySKU)
				if err := tx.Model(&Offer{}).Where("id = ?", bySKU.ID).Updates(map[string]any{"variant_id": v.ID, "source": "csv"}).Error; err != nil {
					return fmt.Errorf("models: remap %s: %w", m.supplierSKU, err)
				}
				bySKU.VariantID = v.ID
				if err := RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "offer.remap", EntityType: "offer", EntityID: fmt.Sprint(bySKU.ID),
					Reason: "bulk mapping file", Before: before, After: offerAuditView(bySKU)}); err != nil {
					return err
				}
				res.Remapped++
			default:
				in := OfferInput{SupplierID: s.ID, VariantID: v.ID, SupplierSKU: m.supplierSKU, MinQuantity: 1, Reason: "bulk mapping file"}
				var u []UnmappedSKU
				if err := tx.Where("supplier_id = ? AND supplier_sku = ?", s.ID, m.supplierSKU).Find(&u).Error; err != nil {
					return fmt.Errorf("models: import mappings: %w", err)
				}
				if len(u) == 1 { // the feed already told us its figures
					in.ReportedQuantity, in.Currency = u[0].ReportedQuantity, u[0].Currency
					if u[0].UnitCostCents != nil {
						in.UnitCostCents = *u[0].UnitCostCents
					}
					if u[0].LeadTimeDays != nil {
						in.LeadTimeDays = *u[0].LeadTimeDays
					}
				}
				if _, err := createOffer(ctx, tx, actor, in, "csv"); err != nil {
					var fe FieldErrors
					if errors.As(err, &fe) {
						res.Errors = append(res.Errors, RowError{m.line, fe.Error()})
						continue
					}
					return err
				}
				res.Created++
			}
		}
		if len(res.Errors) > 0 {
			return ErrImportRejected
		}
		return nil
	})
	slices.SortFunc(res.Errors, func(a, b RowError) int { return a.Line - b.Line })
	if err != nil {
		if errors.Is(err, ErrImportRejected) {
			res.Created, res.Remapped, res.Unchanged = 0, 0, 0
		}
		return res, err
	}
	return res, nil
}
