package models

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/rest"
)

// RESTMapping says where a supplier's REST inventory API puts the figures:
// how it pages, where the item list is and which JSON path holds each field.
// The URL and the credentials are the connection's.
type RESTMapping struct {
	Pagination       rest.Pagination `json:"pagination"`
	ItemsPath        string          `json:"items_path"`
	Fields           rest.Fields     `json:"fields"`
	CostInMinorUnits bool            `json:"cost_in_minor_units,omitempty"`
	DefaultCurrency  string          `json:"default_currency,omitempty"`
}

// Config is the REST connector's configuration for url with these mappings.
func (m RESTMapping) Config(url string) rest.Config {
	return rest.Config{URL: url, Pagination: m.Pagination, ItemsPath: m.ItemsPath, Fields: m.Fields,
		CostInMinorUnits: m.CostInMinorUnits, DefaultCurrency: m.DefaultCurrency}
}

// Validate returns what a person must fix, keyed "rest.<field>".
func (m RESTMapping) Validate() FieldErrors {
	fe := FieldErrors{}
	for k, v := range m.Config("https://example.invalid/").Validate() {
		if k == "url" || strings.HasPrefix(k, "auth.") {
			continue
		}
		fe.Add("rest."+k, v)
	}
	return fe
}

// DefaultFeedMapping is the mapping of a CSV feed whose first line names
// its columns, with "sku" and "quantity" among them: the starting point of
// the mapping page, where further columns are added.
func DefaultFeedMapping() feed.Mapping {
	return feed.Mapping{Format: feed.FormatCSV, HeaderRow: true, Fields: feed.Fields{SKU: "sku", Quantity: "quantity"}}
}

// DefaultRESTMapping is a starting point for a REST API's mapping: one page
// per request, a top-level "items" list with sku and quantity.
func DefaultRESTMapping() RESTMapping {
	return RESTMapping{Pagination: rest.Pagination{Kind: rest.PageNumber}, ItemsPath: "items[]",
		Fields: rest.Fields{SKU: "sku", Quantity: "quantity"}}
}

// FeedMapping is the supplier's feed mapping, or the default one.
func (s *Supplier) FeedMapping() feed.Mapping {
	if s.Connection.Feed != nil {
		return *s.Connection.Feed
	}
	return DefaultFeedMapping()
}

// RESTMappingOrDefault is the supplier's REST mapping, or the default one.
func (s *Supplier) RESTMappingOrDefault() RESTMapping {
	if s.Connection.REST != nil {
		return *s.Connection.REST
	}
	return DefaultRESTMapping()
}

// SetSupplierMapping stores how the supplier's feed (feedMapping) or REST
// answers (restMapping) are laid out; a nil one is left as it is.
func SetSupplierMapping(ctx context.Context, db *gorm.DB, actor *User, id int64, feedMapping *feed.Mapping, restMapping *RESTMapping) (*Supplier, error) {
	fe := FieldErrors{}
	if feedMapping != nil {
		for k, v := range feedMapping.Validate() {
			fe.Add("feed."+k, v)
		}
	}
	if restMapping != nil {
		for k, v := range restMapping.Validate() {
			fe.Add(k, v)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var s Supplier
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&s, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("set mapping of supplier %d", id))
		}
		before := map[string]any{"feed": s.Connection.Feed, "rest": s.Connection.REST}
		if feedMapping != nil {
			s.Connection.Feed = feedMapping
		}
		if restMapping != nil {
			s.Connection.REST = restMapping
		}
		if err := tx.Model(&s).Select("connection", "updated_at").Updates(&s).Error; err != nil {
			return fmt.Errorf("models: set mapping of supplier %d: %w", id, err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "supplier.mapping", EntityType: "supplier",
			EntityID: fmt.Sprint(id), Before: before, After: map[string]any{"feed": s.Connection.Feed, "rest": s.Connection.REST}})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// PinHostKey trusts the SSH host key a supplier's server showed on first
// connection; a key already pinned is kept (a mismatch fails the fetch instead).
func PinHostKey(ctx context.Context, db *gorm.DB, supplierID int64, fingerprint string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE suppliers SET connection = jsonb_set(connection, '{host_key}', to_jsonb(?::text)), updated_at = now()
			WHERE id = ? AND COALESCE(connection->>'host_key', '') = ''`, fingerprint, supplierID)
		if res.Error != nil {
			return fmt.Errorf("models: pin host key of supplier %d: %w", supplierID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return RecordAudit(ctx, tx, AuditRecord{Action: "supplier.pin_host_key", EntityType: "supplier",
			EntityID: fmt.Sprint(supplierID), Reason: "trusted on first connection",
			After: map[string]any{"host_key": fingerprint}})
	})
}

// ScheduledSupplier is a supplier whose stock is pulled on a schedule.
type ScheduledSupplier struct {
	ID       int64
	Code     string
	Schedule string
}

// ListScheduledSuppliers returns active suppliers with a schedule whose kind
// can be pulled (webhook and email suppliers push or don't report).
func ListScheduledSuppliers(ctx context.Context, db *gorm.DB) ([]ScheduledSupplier, error) {
	var out []ScheduledSupplier
	err := db.WithContext(ctx).Raw(`SELECT id, code, schedule FROM suppliers
		WHERE status = 'active' AND schedule <> '' AND connection_kind IN ?  ORDER BY id`, PulledKinds).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: scheduled suppliers: %w", err)
	}
	return out, nil
}

// PulledKinds are the connection kinds whose stock the app fetches.
var PulledKinds = []string{KindREST, KindFeedHTTP, KindFeedSFTP, KindFeedFTP, KindX12SFTP}
