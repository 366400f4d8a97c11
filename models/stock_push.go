package models

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// StockUpdate is one SKU's new quantity as a supplier pushed it (a webhook):
// the absolute quantity, and when it became true.
type StockUpdate struct {
	SKU        string
	Quantity   int64
	ObservedAt time.Time
}

// MaxPushItems bounds one pushed batch; a supplier sends more as several.
const MaxPushItems = 10000

// pushOffer is an offer a pushed batch names, locked for the update.
type pushOffer struct {
	ID               int64
	VariantID        int64
	SupplierSKU      string `gorm:"column:supplier_sku"`
	ReportedQuantity int64
	ObservedAt       time.Time
}

// ApplyStockPush applies a supplier's pushed stock updates in one
// transaction, as a sync run of its own: each SKU takes its newest update,
// an update older than what is stored for the offer (or than the supplier's
// last full snapshot) is ignored, unknown SKUs go to the unmapped queue, and
// reservations the supplier accepted before an update of their variant are
// settled. eventID deduplicates: a batch seen before changes nothing and
// returns duplicate true.
func ApplyStockPush(ctx context.Context, db *gorm.DB, supplierID int64, eventID string, updates []StockUpdate, instance string) (run *SyncRun, duplicate bool, err error) {
	if len(updates) > MaxPushItems {
		return nil, false, FieldErrors{"items": fmt.Sprintf("a batch may carry at most %d items", MaxPushItems)}
	}
	var changedVariants []int64
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO webhook_events (provider, event_id, kind) VALUES (?, ?, 'stock.updated') ON CONFLICT DO NOTHING`,
			fmt.Sprintf("supplier:%d", supplierID), eventID)
		if res.Error != nil {
			return fmt.Errorf("models: stock push: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			duplicate = true
			return nil
		}
		now := time.Now().UTC()
		run = &SyncRun{SupplierID: supplierID, Source: SourceWebhook, Trigger: TriggerWebhook, Instance: instance,
			Status: SyncRunning, Phase: PhaseApplying, FileName: eventID, FirstErrors: RowProblems{}, StartedAt: now, UpdatedAt: now,
			RowsRead: int64(len(updates))}
		if err := tx.Create(run).Error; err != nil {
			return fmt.Errorf("models: stock push run: %w", err)
		}

		// The newest update of each SKU; rows the database would refuse are rejected.
		latest := map[string]int{}
		for i := range updates {
			u := &updates[i]
			u.SKU = strings.TrimSpace(u.SKU)
			u.ObservedAt = u.ObservedAt.UTC().Truncate(time.Microsecond) // what timestamptz keeps
			rec := checkPush(u)
			if rec != "" {
				run.RowsRejected++
				run.FirstErrors = appendProblem(run.FirstErrors, i+1, rec)
				continue
			}
			if j, ok := latest[u.SKU]; ok {
				run.RowsDuplicate++
				if !u.ObservedAt.After(updates[j].ObservedAt) {
					continue
				}
			}
			latest[u.SKU] = i
		}
		skus := make([]string, 0, len(latest))
		for sku := range latest {
			skus = append(skus, sku)
		}
		sort.Strings(skus)

		// SKUs nobody maps go to the unmapped queue before the apply lock, as a
		// sync does: both lock queue rows, and only in that order can't deadlock.
		var known []string
		if len(skus) > 0 {
			if err := tx.Raw("SELECT supplier_sku FROM offers WHERE supplier_id = ? AND supplier_sku = ANY (?)", supplierID,
				stringArray(skus)).Scan(&known).Error; err != nil {
				return fmt.Errorf("models: stock push offers: %w", err)
			}
		}
		isKnown := make(map[string]bool, len(known))
		for _, k := range known {
			isKnown[k] = true
		}
		var unmapped []StockUpdate
		for _, sku := range skus {
			if !isKnown[sku] {
				unmapped = append(unmapped, updates[latest[sku]])
			}
		}
		run.RowsUnmapped = int64(len(unmapped))
		if err := queueUnmappedPush(tx, supplierID, unmapped, now); err != nil {
			return err
		}

		if err := tx.Exec("SELECT pg_advisory_xact_lock(?::int, ?::int)", applyLockSpace, supplierID).Error; err != nil {
			return fmt.Errorf("models: stock push lock: %w", err)
		}
		lastSnap, err := nullTime(tx, "SELECT last_snapshot_at FROM supplier_sync_state WHERE supplier_id = ?", supplierID)
		if err != nil {
			return fmt.Errorf("models: stock push state: %w", err)
		}
		var offers []pushOffer
		if len(skus) > 0 {
			if err := tx.Raw(`SELECT id, variant_id, supplier_sku, reported_quantity, observed_at FROM offers
				WHERE supplier_id = ? AND supplier_sku = ANY (?) ORDER BY id FOR UPDATE`, supplierID, stringArray(skus)).
				Scan(&offers).Error; err != nil {
				return fmt.Errorf("models: stock push offers: %w", err)
			}
		}
		bySKU := make(map[string]*pushOffer, len(offers))
		for i := range offers {
			bySKU[offers[i].SupplierSKU] = &offers[i]
		}
		var ids, qtys, olds, variants []int64
		var times []time.Time
		for _, sku := range skus {
			u := updates[latest[sku]]
			o, ok := bySKU[sku]
			switch {
			case !ok:
				continue // unmapped (queued above), or its mapping was removed a moment ago
			case !u.ObservedAt.After(o.ObservedAt) || (lastSnap.Valid && u.ObservedAt.Before(lastSnap.Time)):
				run.RowsStale++
				continue
			case u.Quantity == o.ReportedQuantity:
				run.RowsUnchanged++
			default:
				run.RowsChanged++
				changedVariants = append(changedVariants, o.VariantID)
			}
			ids, qtys, olds, times, variants = append(ids, o.ID), append(qtys, u.Quantity), append(olds, o.ReportedQuantity),
				append(times, u.ObservedAt), append(variants, o.VariantID)
		}
		if len(ids) > 0 {
			if err := tx.Raw("SELECT COALESCE(sum(reported_quantity), 0) FROM offers WHERE supplier_id = ? AND active", supplierID).
				Scan(&run.UnitsBefore).Error; err != nil {
				return fmt.Errorf("models: stock push units: %w", err)
			}
			err := tx.Exec(`UPDATE offers o SET reported_quantity = u.qty, observed_at = u.observed_at, last_seen_at = @now,
					source = 'webhook', updated_at = @now
				FROM unnest(CAST(@ids AS bigint[]), CAST(@qtys AS bigint[]), CAST(@times AS timestamptz[])) AS u(id, qty, observed_at)
				WHERE o.id = u.id`,
				map[string]any{"ids": int64Array(ids), "qtys": int64Array(qtys), "times": timeArray(times), "now": now}).Error
			if err != nil {
				return fmt.Errorf("models: stock push apply: %w", err)
			}
			err = tx.Exec(`INSERT INTO stock_history (offer_id, variant_id, supplier_id, sync_run_id, source, old_quantity, new_quantity, observed_at, recorded_at)
				SELECT u.id, u.variant_id, @sup, @run, 'webhook', u.old, u.qty, u.observed_at, @now
				FROM unnest(CAST(@ids AS bigint[]), CAST(@variants AS bigint[]), CAST(@olds AS bigint[]), CAST(@qtys AS bigint[]),
					CAST(@times AS timestamptz[]))
					AS u(id, variant_id, old, qty, observed_at)
				WHERE u.old <> u.qty`,
				map[string]any{"ids": int64Array(ids), "variants": int64Array(variants), "olds": int64Array(olds),
					"qtys": int64Array(qtys), "times": timeArray(times), "sup": supplierID, "run": run.ID, "now": now}).Error
			if err != nil {
				return fmt.Errorf("models: stock push history: %w", err)
			}
			settled, err := settleReservationsFor(tx, supplierID, variants, times)
			if err != nil {
				return err
			}
			run.ReservationsSettled = settled
			var after int64
			if err := tx.Raw("SELECT COALESCE(sum(reported_quantity), 0) FROM offers WHERE supplier_id = ? AND active", supplierID).
				Scan(&after).Error; err != nil {
				return fmt.Errorf("models: stock push units: %w", err)
			}
			run.UnitsAfter = after
		}
		if err := finishRun(tx, run, SyncSucceeded, ""); err != nil {
			return err
		}
		var pushed *time.Time
		if run.RowsChanged > 0 {
			pushed = &now
		}
		return tx.Exec(`INSERT INTO supplier_sync_state AS st (supplier_id, last_good_sync_at, last_push_at, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (supplier_id) DO UPDATE SET last_good_sync_at = EXCLUDED.last_good_sync_at,
				last_push_at = COALESCE(EXCLUDED.last_push_at, st.last_push_at), updated_at = EXCLUDED.updated_at`,
			supplierID, now, pushed, now).Error
	})
	if err != nil || duplicate {
		return nil, duplicate, err
	}
	if len(changedVariants) > 0 {
		if _, err := CheckLowStock(context.WithoutCancel(ctx), db, changedVariants); err != nil {
			return run, false, err
		}
	}
	return run, false, nil
}

// checkPush returns why an update can't be applied, "" when it can.
func checkPush(u *StockUpdate) string {
	switch {
	case u.SKU == "":
		return "the SKU is empty"
	case len(u.SKU) > maxSupplierSKU:
		return fmt.Sprintf("the SKU is longer than %d characters", maxSupplierSKU)
	case u.Quantity < 0:
		return fmt.Sprintf("SKU %s: the quantity %d is negative", u.SKU, u.Quantity)
	case u.ObservedAt.IsZero():
		return fmt.Sprintf("SKU %s: observed_at is missing", u.SKU)
	case u.ObservedAt.After(time.Now().Add(10 * time.Minute)):
		return fmt.Sprintf("SKU %s: observed_at %s is in the future", u.SKU, u.ObservedAt.UTC().Format(time.RFC3339))
	}
	return ""
}

func appendProblem(list RowProblems, line int, reason string) RowProblems {
	if len(list) >= maxRunErrors {
		return list
	}
	return append(list, RowProblem{Line: line, Reason: reason})
}

// queueUnmappedPush adds pushed SKUs nobody mapped to the unmapped queue.
func queueUnmappedPush(tx *gorm.DB, supplierID int64, list []StockUpdate, now time.Time) error {
	if len(list) == 0 {
		return nil
	}
	skus := make([]string, len(list))
	qtys := make([]int64, len(list))
	for i, u := range list {
		skus[i], qtys[i] = u.SKU, u.Quantity
	}
	err := tx.Exec(`INSERT INTO unmapped_supplier_skus (supplier_id, supplier_sku, reported_quantity, first_seen_at, last_seen_at)
		SELECT ?, u.sku, u.qty, ?, ? FROM unnest(?::text[], ?::bigint[]) AS u(sku, qty)
		ON CONFLICT (supplier_id, supplier_sku) DO UPDATE SET reported_quantity = EXCLUDED.reported_quantity,
			last_seen_at = EXCLUDED.last_seen_at`, supplierID, now, now, stringArray(skus), int64Array(qtys)).Error
	if err != nil {
		return fmt.Errorf("models: stock push unmapped: %w", err)
	}
	return nil
}

// settleReservationsFor is SettleReservations for a partial snapshot: only
// reservations of the variants it updated, accepted before that variant's update.
func settleReservationsFor(tx *gorm.DB, supplierID int64, variantIDs []int64, observed []time.Time) (int64, error) {
	closed, err := closeReservations(tx, ReservationSettled, "the supplier's stock now carries the sale",
		`supplier_id = ? AND supplier_accepted_at IS NOT NULL AND EXISTS (
			SELECT 1 FROM unnest(?::bigint[], ?::timestamptz[]) AS u(variant_id, observed_at)
			WHERE u.variant_id = reservations.variant_id AND reservations.supplier_accepted_at < u.observed_at)`,
		supplierID, int64Array(variantIDs), timeArray(observed))
	if err != nil {
		return 0, err
	}
	var units int64
	for _, c := range closed {
		units += c.Quantity
	}
	return units, nil
}

// timeArray passes times as one PostgreSQL timestamptz[] parameter.
type timeArray []time.Time

// Value writes the array literal {"2026-11-27T14:15:03.123456789Z",...}.
func (a timeArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, t := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(t.UTC().Format(time.RFC3339Nano))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
