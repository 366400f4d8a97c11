package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// PoolFigures is a variant's sellable stock. Supply is the sum over active
// offers of active suppliers of max(reported quantity - safety buffer, 0),
// kept current by triggers on offers and suppliers; Reserved is what open
// reservations hold; Available = max(Supply - Reserved, 0) is what may be sold.
type PoolFigures struct {
	VariantID int64
	Supply    int64
	Reserved  int64
	Available int64
	Offers    int // active offers of suppliers that are not deactivated
}

// PoolColumns selects the pool figures of the variant aliased v, for catalog
// queries that join "LEFT JOIN variant_pool vp ON vp.variant_id = v.id".
const PoolColumns = "COALESCE(vp.supply, 0) AS supply, COALESCE(vp.reserved, 0) AS reserved, " +
	"COALESCE(vp.available, 0) AS available, COALESCE(vp.offers, 0) AS offers"

// Pool returns the pool figures of the given variants, by variant id.
// Every reader of stock (pages, API, routing) goes through this or PoolColumns.
func Pool(ctx context.Context, db *gorm.DB, variantIDs []int64) (map[int64]PoolFigures, error) {
	out := make(map[int64]PoolFigures, len(variantIDs))
	if len(variantIDs) == 0 {
		return out, nil
	}
	var rows []PoolFigures
	err := db.WithContext(ctx).Raw(`SELECT variant_id, supply, reserved, available, offers
		FROM variant_pool WHERE variant_id = ANY (?)`, int64Array(variantIDs)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: pool: %w", err)
	}
	for _, r := range rows {
		out[r.VariantID] = r
	}
	return out, nil
}

// PoolOf returns one variant's pool figures.
func PoolOf(ctx context.Context, db *gorm.DB, variantID int64) (PoolFigures, error) {
	m, err := Pool(ctx, db, []int64{variantID})
	if err != nil {
		return PoolFigures{}, err
	}
	p, ok := m[variantID]
	if !ok {
		return PoolFigures{}, fmt.Errorf("models: pool of variant %d: %w", variantID, ErrNotFound)
	}
	return p, nil
}

// RefreshSupply recomputes supply from the offers for the given variants (all
// when ids is nil). The triggers keep it current; this repairs after a manual
// change in psql and is what tests compare against.
func RefreshSupply(ctx context.Context, db *gorm.DB, ids []int64) error {
	var err error
	if ids == nil {
		err = db.WithContext(ctx).Exec("SELECT refresh_variant_supply(ARRAY(SELECT id FROM variants ORDER BY id))").Error
	} else {
		err = db.WithContext(ctx).Exec("SELECT refresh_variant_supply(?::bigint[])", int64Array(ids)).Error
	}
	if err != nil {
		return fmt.Errorf("models: refresh supply: %w", err)
	}
	return nil
}
