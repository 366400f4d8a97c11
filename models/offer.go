package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Offer is one supplier's SKU for one of our variants (the SKU variant
// mapping), with what the supplier last said about it.
type Offer struct {
	ID                int64
	SupplierID        int64
	VariantID         int64
	SupplierSKU       string `gorm:"column:supplier_sku"`
	UnitCostCents     int64
	ShippingCostCents int64
	Currency          string
	ReportedQuantity  int64
	LeadTimeDays      int
	MinQuantity       int
	Active            bool
	Discontinued      bool // the supplier says it won't come back; its quantity is taken as 0
	LastSeenAt        *time.Time
	Source            string
	ObservedAt        time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// OfferInput is what a person sets on an offer. Reason explains a manual
// quantity change in the audit log.
type OfferInput struct {
	SupplierID        int64
	VariantID         int64
	SupplierSKU       string
	UnitCostCents     int64
	ShippingCostCents int64
	Currency          string
	ReportedQuantity  int64
	LeadTimeDays      int
	MinQuantity       int
	Active            bool
	Reason            string
}

// Validate checks the fields that need no database.
func (in OfferInput) Validate() error {
	fe := FieldErrors{}
	if s := strings.TrimSpace(in.SupplierSKU); s == "" || len(s) > 100 {
		fe.Add("supplier_sku", "enter the supplier's SKU (up to 100 characters)")
	}
	if in.UnitCostCents < 0 {
		fe.Add("unit_cost", "a cost can't be below zero")
	}
	if in.ShippingCostCents < 0 {
		fe.Add("shipping_cost", "a cost can't be below zero")
	}
	if in.Currency != "" && !ValidCurrency(in.Currency) {
		fe.Add("currency", "use a three-letter ISO code such as USD or EUR")
	}
	if in.ReportedQuantity < 0 {
		fe.Add("reported_quantity", "a quantity can't be below zero")
	}
	if in.LeadTimeDays < 0 || in.LeadTimeDays > 365 {
		fe.Add("lead_time_days", "use 0 to 365 days")
	}
	if in.MinQuantity < 1 {
		fe.Add("min_quantity", "use 1 or more")
	}
	return fe.Err()
}

func offerAuditView(o *Offer) map[string]any {
	return map[string]any{"supplier_id": o.SupplierID, "variant_id": o.VariantID, "supplier_sku": o.SupplierSKU,
		"unit_cost_cents": o.UnitCostCents, "shipping_cost_cents": o.ShippingCostCents, "currency": o.Currency,
		"reported_quantity": o.ReportedQuantity, "lead_time_days": o.LeadTimeDays, "min_quantity": o.MinQuantity, "active": o.Active}
}

// checkOfferUnique reports, as field errors, a supplier SKU or a variant this
// supplier already maps elsewhere.
func checkOfferUnique(tx *gorm.DB, selfID, supplierID, variantID int64, supplierSKU string) error {
	var clash []Offer
	if err := tx.Where("supplier_id = ? AND (supplier_sku = ? OR variant_id = ?) AND id <> ?", supplierID, supplierSKU, variantID, selfID).
		Find(&clash).Error; err != nil {
		return fmt.Errorf("models: check offer: %w", err)
	}
	for _, o := range clash {
		if o.SupplierSKU == supplierSKU {
			return FieldErrors{"supplier_sku": fmt.Sprintf("this supplier's SKU %s is already mapped to another variant", supplierSKU)}
		}
	}
	if len(clash) > 0 {
		return FieldErrors{"supplier_id": fmt.Sprintf("this supplier already maps this variant as %s; edit that mapping instead", clash[0].SupplierSKU)}
	}
	return nil
}

// CreateOffer maps a supplier SKU to a variant by hand. A pending unmapped
// row for the same SKU leaves the queue, marked mapped.
func CreateOffer(ctx context.Context, db *gorm.DB, actor *User, in OfferInput) (*Offer, error) {
	in.SupplierSKU = strings.TrimSpace(in.SupplierSKU)
	if in.MinQuantity == 0 {
		in.MinQuantity = 1
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var o *Offer
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		o, err = createOffer(ctx, tx, actor, in, "manual")
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func createOffer(ctx context.Context, tx *gorm.DB, actor *User, in OfferInput, source string) (*Offer, error) {
	s, err := GetSupplier(ctx, tx, in.SupplierID)
	if errors.Is(err, ErrNotFound) {
		return nil, FieldErrors{"supplier_id": "choose a supplier"}
	}
	if err != nil {
		return nil, err
	}
	if _, err := GetVariant(ctx, tx, in.VariantID); errors.Is(err, ErrNotFound) {
		return nil, FieldErrors{"variant_id": "choose a variant"}
	} else if err != nil {
		return nil, err
	}
	if err := checkOfferUnique(tx, 0, in.SupplierID, in.VariantID, in.SupplierSKU); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	o := &Offer{SupplierID: in.SupplierID, VariantID: in.VariantID, SupplierSKU: in.SupplierSKU, UnitCostCents: in.UnitCostCents,
		ShippingCostCents: in.ShippingCostCents, Currency: cmpOr(in.Currency, s.Currency), ReportedQuantity: in.ReportedQuantity,
		LeadTimeDays: in.LeadTimeDays, MinQuantity: max(in.MinQuantity, 1), Active: true, Source: source, ObservedAt: now}
	if err := tx.Create(o).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, FieldErrors{"supplier_sku": "this mapping was just made by someone else"}
		}
		return nil, fmt.Errorf("models: create offer: %w", err)
	}
	if err := tx.Exec(`UPDATE unmapped_supplier_skus SET status = 'mapped', mapped_variant_id = ?, resolved_at = now()
		WHERE supplier_id = ? AND supplier_sku = ? AND status <> 'mapped'`, o.VariantID, o.SupplierID, o.SupplierSKU).Error; err != nil {
		return nil, fmt.Errorf("models: create offer: %w", err)
	}
	return o, RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "offer.create", EntityType: "offer",
		EntityID: fmt.Sprint(o.ID), Reason: in.Reason, After: offerAuditView(o)})
}

// UpdateOffer changes an offer edited inline on the mapping page. A manual
// quantity becomes the figure the supplier is taken to report, as of now.
func UpdateOffer(ctx context.Context, db *gorm.DB, actor *User, id int64, in OfferInput) (*Offer, error) {
	in.SupplierSKU = strings.TrimSpace(in.SupplierSKU)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var o Offer
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&o, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("update offer %d", id))
		}
		if err := checkOfferUnique(tx, o.ID, o.SupplierID, o.VariantID, in.SupplierSKU); err != nil {
			return err
		}
		before := offerAuditView(&o)
		if (in.ReportedQuantity != o.ReportedQuantity || in.Active != o.Active) && strings.TrimSpace(in.Reason) == "" {
			// A hand-made stock change is an adjustment: the audit log keeps who and why.
			return FieldErrors{"reason": "say why the stock changes; the audit log keeps it"}
		}
		if in.ReportedQuantity != o.ReportedQuantity {
			o.ObservedAt = time.Now().UTC()
			o.Source = "manual"
		}
		o.SupplierSKU, o.UnitCostCents, o.ShippingCostCents = in.SupplierSKU, in.UnitCostCents, in.ShippingCostCents
		o.Currency = cmpOr(in.Currency, o.Currency)
		o.ReportedQuantity, o.LeadTimeDays, o.MinQuantity, o.Active = in.ReportedQuantity, in.LeadTimeDays, in.MinQuantity, in.Active
		err := tx.Model(&o).Select("supplier_sku", "unit_cost_cents", "shipping_cost_cents", "currency", "reported_quantity",
			"lead_time_days", "min_quantity", "active", "observed_at", "source", "updated_at").Updates(&o).Error
		if err != nil {
			return fmt.Errorf("models: update offer %d: %w", id, err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "offer.update", EntityType: "offer",
			EntityID: fmt.Sprint(o.ID), Reason: in.Reason, Before: before, After: offerAuditView(&o)})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// SetOfferActive turns a mapping on or off; an inactive offer stays for history but supplies nothing.
func SetOfferActive(ctx context.Context, db *gorm.DB, actor *User, id int64, active bool, reason string) (*Offer, error) {
	var o Offer
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&o, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("set offer %d active", id))
		}
		if o.Active == active {
			return nil
		}
		if strings.TrimSpace(reason) == "" {
			return FieldErrors{"reason": "say why the mapping is turned " + map[bool]string{true: "on", false: "off"}[active] + "; the audit log keeps it"}
		}
		if err := tx.Model(&o).Updates(map[string]any{"active": active, "updated_at": time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("models: set offer %d active: %w", id, err)
		}
		o.Active = active
		action := "offer.deactivate"
		if active {
			action = "offer.activate"
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: action, EntityType: "offer", EntityID: fmt.Sprint(id),
			Reason: reason, Before: map[string]any{"active": !active}, After: map[string]any{"active": active}})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// GetOffer loads an offer by id.
func GetOffer(ctx context.Context, db *gorm.DB, id int64) (*Offer, error) {
	var o Offer
	if err := db.WithContext(ctx).First(&o, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get offer %d", id))
	}
	return &o, nil
}

// OfferRow is an offer with its supplier, as the product and mapping pages show it.
type OfferRow struct {
	Offer
	SupplierCode   string
	SupplierName   string
	SupplierStatus string
	SafetyBuffer   int
	HandlingDays   int
	ShipsFrom      string
}

// Counts reports whether the offer counts towards the pool right now.
func (r *OfferRow) Counts() bool { return r.Active && r.SupplierStatus == SupplierActive }

// Contribution is what the offer adds to the pool's supply.
func (r *OfferRow) Contribution() int64 {
	if !r.Counts() {
		return 0
	}
	return max(r.ReportedQuantity-int64(r.SafetyBuffer), 0)
}

// ListOffersForVariants returns the offers behind the given variants, cheapest first.
func ListOffersForVariants(ctx context.Context, db *gorm.DB, variantIDs []int64) ([]OfferRow, error) {
	var out []OfferRow
	if len(variantIDs) == 0 {
		return out, nil
	}
	err := db.WithContext(ctx).Raw(`SELECT o.*, s.code AS supplier_code, s.name AS supplier_name, s.status AS supplier_status,
			s.safety_buffer, s.handling_days, s.ships_from_country AS ships_from
		FROM offers o JOIN suppliers s ON s.id = o.supplier_id
		WHERE o.variant_id = ANY (?)
		ORDER BY o.variant_id, o.active DESC, s.status = 'active' DESC, o.unit_cost_cents + o.shipping_cost_cents, s.code`,
		int64Array(variantIDs)).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list offers: %w", err)
	}
	return out, nil
}

// ListOffersForSupplier returns a page of a supplier's offers by supplier SKU, after afterSKU.
func ListOffersForSupplier(ctx context.Context, db *gorm.DB, supplierID int64, afterSKU string, limit int) ([]SupplierOfferRow, error) {
	var out []SupplierOfferRow
	err := db.WithContext(ctx).Raw(`SELECT o.*, v.sku AS variant_sku, p.title AS product_title, p.id AS product_id,
			p.option_names, v.options
		FROM offers o JOIN variants v ON v.id = o.variant_id JOIN products p ON p.id = v.product_id
		WHERE o.supplier_id = ? AND o.supplier_sku > ?
		ORDER BY o.supplier_sku LIMIT ?`, supplierID, afterSKU, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list offers of supplier %d: %w", supplierID, err)
	}
	return out, nil
}

// SupplierOfferRow is an offer with the variant it maps to.
type SupplierOfferRow struct {
	Offer
	VariantSKU   string
	ProductID    int64
	ProductTitle string
	OptionNames  StringList
	Options      Options
}
