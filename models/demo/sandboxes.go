package demo

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/rest"
	"dropship/models"
)

// demoNote starts the notes of every demo supplier: only those are re-pointed at sandboxes.
const demoNote = "Demo supplier."

// sandboxCSV is the layout of the sandbox suppliers' CSV feed.
var sandboxCSV = feed.Mapping{Format: feed.FormatCSV, HeaderRow: true, Fields: feed.Fields{SKU: "sku", Quantity: "quantity",
	Cost: "cost", Currency: "currency", LeadTimeDays: "lead_time_days", Discontinued: "discontinued", Barcode: "barcode", Title: "title"}}

// sandboxREST is where the sandbox suppliers' REST API puts the figures.
var sandboxREST = models.RESTMapping{
	Pagination: rest.Pagination{Kind: rest.PageCursor, Limit: 100, CursorPath: "meta.next_cursor"},
	ItemsPath:  "data.items[]",
	Fields: rest.Fields{SKU: "sku", Quantity: "stock.available", Cost: "price.cost", Currency: "price.currency",
		LeadTimeDays: "lead_time_days", Discontinued: "discontinued", Barcode: "barcode", Title: "title", ObservedAt: "updated_at"},
}

// setMapping gives a demo supplier the mapping of its sandbox's feed or API.
func setMapping(ctx context.Context, tx *gorm.DB, s *models.Supplier) error {
	var err error
	switch s.ConnectionKind {
	case models.KindREST:
		m := sandboxREST
		_, err = models.SetSupplierMapping(ctx, tx, nil, s.ID, nil, &m)
	case models.KindFeedHTTP, models.KindFeedSFTP, models.KindFeedFTP:
		m := sandboxCSV
		_, err = models.SetSupplierMapping(ctx, tx, nil, s.ID, &m, nil)
	}
	if err != nil {
		return fmt.Errorf("demo: mapping of %s: %w", s.Code, err)
	}
	return nil
}

// SandboxSKUs says, per demo supplier code, how many SKUs its sandbox must
// carry so that every SKU the demo data names (CODE-000001 up) exists there.
func SandboxSKUs(ctx context.Context, db *gorm.DB) (map[string]int, error) {
	out := map[string]int{}
	for _, code := range SupplierCodes {
		var n int64
		err := db.WithContext(ctx).Raw(`SELECT COALESCE(max(substring(x.sku FROM '^[A-Z]+-([0-9]{6})$')::int), 0) FROM (
				SELECT o.supplier_sku AS sku FROM offers o JOIN suppliers s ON s.id = o.supplier_id WHERE s.code = ?
				UNION ALL
				SELECT u.supplier_sku FROM unmapped_supplier_skus u JOIN suppliers s ON s.id = u.supplier_id WHERE s.code = ?) x`,
			code, code).Scan(&n).Error
		if err != nil {
			return nil, fmt.Errorf("demo: sandbox size of %s: %w", code, err)
		}
		out[code] = int(n)
	}
	return out, nil
}

// SandboxAddrs are where the demo's sandbox suppliers listen.
type SandboxAddrs struct {
	ACMEInventoryURL string // REST API
	BOLTSFTPAddr     string // host:port
	CRANEFeedURL     string // CSV over HTTP
}

// ConnectSandboxes points the demo suppliers at the running sandboxes (the
// ports may differ from the seeded ones; an empty address leaves that
// supplier as it is) and fills a missing mapping; suppliers a person made or
// renamed are left alone.
func ConnectSandboxes(ctx context.Context, db *gorm.DB, box *models.SecretBox, a SandboxAddrs) error {
	for _, code := range SupplierCodes {
		s, err := models.GetSupplierByCode(ctx, db, code)
		if err != nil || !strings.HasPrefix(s.Notes, demoNote) {
			continue
		}
		c := s.Connection
		switch code {
		case "ACME":
			if a.ACMEInventoryURL == "" {
				continue
			}
			c.URL = a.ACMEInventoryURL
		case "BOLT":
			if a.BOLTSFTPAddr == "" {
				continue
			}
			host, port, err := net.SplitHostPort(a.BOLTSFTPAddr)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			c.Host = host
			c.Port, _ = strconv.Atoi(port)
		case "CRANE":
			if a.CRANEFeedURL == "" {
				continue
			}
			c.URL = a.CRANEFeedURL
		default:
			continue
		}
		if c.URL != s.Connection.URL || c.Host != s.Connection.Host || c.Port != s.Connection.Port {
			in := models.SupplierInput{Code: s.Code, Name: s.Name, ContactName: s.ContactName, ContactEmail: s.ContactEmail,
				ContactPhone: s.ContactPhone, Status: s.Status, ConnectionKind: s.ConnectionKind, Connection: c, Schedule: s.Schedule,
				HandlingDays: s.HandlingDays, ShipsFromCountry: s.ShipsFromCountry, Currency: s.Currency, SafetyBuffer: s.SafetyBuffer,
				FeedGuardPct: s.FeedGuardPct, MissingSKUPolicy: s.MissingSKUPolicy, AllowedLagMinutes: s.AllowedLagMinutes, Notes: s.Notes}
			if s, err = models.UpdateSupplier(ctx, db, box, nil, s.ID, in); err != nil {
				return fmt.Errorf("demo: connect %s to its sandbox: %w", code, err)
			}
		}
		if s.Connection.Feed == nil && s.Connection.REST == nil {
			if err := setMapping(ctx, db, s); err != nil {
				return err
			}
		}
	}
	return nil
}
