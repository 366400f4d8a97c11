package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/x12"
)

// Files the sandbox keeps for its SFTP and FTP servers, relative to their root.
const (
	stockFile    = "stock.csv"
	datedPattern = "stock_*.csv"
	x12Dir       = "846"
	// keepDated is how many dated copies (and 846 files) stay on the server.
	keepDated = 5
)

// writeFiles refreshes stock.csv, adds a dated copy (stock_20261127T141503.csv)
// and an X12 846 file, and prunes old ones. Files are written to a hidden
// temporary name and renamed, so a reader never sees half a file.
func (s *Supplier) writeFiles(now time.Time) error {
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	snap := s.catalog.Snapshot()
	csv := RenderCSV(snap.Items)
	if s.cfg.Faults.Garble {
		csv = garble(csv)
	}
	if s.cfg.Faults.Truncate {
		csv = truncate(csv)
	}
	root := s.filesDir()
	stamp := now.UTC().Format("20060102T150405")
	if err := writeAtomic(filepath.Join(root, stockFile), csv, now); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(root, "stock_"+stamp+".csv"), csv, now); err != nil {
		return err
	}
	if err := prune(root, datedPattern); err != nil {
		return err
	}
	dir846 := filepath.Join(root, x12Dir)
	if err := os.MkdirAll(dir846, 0o755); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	control, err := s.nextControlNumber()
	if err != nil {
		return err
	}
	var doc bytes.Buffer
	adv := x12.InventoryAdvice{
		Envelope: x12.Envelope{SenderID: strings.ToUpper(s.cfg.Code), ReceiverID: "DROPSHIP",
			InterchangeControl: control, GroupControl: control, SetControl: 1, Date: now},
		Reference: fmt.Sprintf("INV%09d", control), Date: now, SKUQualifier: "SK",
	}
	for _, it := range snap.Items {
		cost, lead := it.CostCents, it.LeadTimeDays
		adv.Records = append(adv.Records, suppliers.StockRecord{SKU: it.SKU, Barcode: it.Barcode, Title: it.Title,
			Quantity: it.Quantity, CostCents: &cost, Currency: it.Currency, LeadTimeDays: &lead, ObservedAt: it.UpdatedAt})
	}
	if err := x12.Encode846(&doc, adv); err != nil {
		return fmt.Errorf("sandbox: 846: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir846, fmt.Sprintf("846_%s_%09d.edi", stamp, control)), doc.Bytes(), now); err != nil {
		return err
	}
	return prune(dir846, "846_*.edi")
}

// nextControlNumber hands out X12 interchange control numbers, kept in Dir so
// they keep growing across restarts (a receiver may refuse one it has seen).
func (s *Supplier) nextControlNumber() (int64, error) {
	path := filepath.Join(s.cfg.Dir, "x12_control_number")
	var n int64
	if b, err := os.ReadFile(path); err == nil {
		n, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("sandbox: %w", err)
	}
	n = n%999999999 + 1 // ISA13 has nine digits
	if err := writeAtomic(path, []byte(strconv.FormatInt(n, 10)+"\n"), time.Now()); err != nil {
		return 0, err
	}
	return n, nil
}

func writeAtomic(path string, data []byte, mod time.Time) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := os.Chtimes(tmp, mod, mod); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// prune keeps the newest keepDated files matching pattern (names sort by date).
func prune(dir, pattern string) error {
	names, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	sort.Strings(names)
	for len(names) > keepDated {
		if err := os.Remove(names[0]); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		names = names[1:]
	}
	return nil
}
