package models_test

import (
	"context"
	"sync"
	"testing"

	"gorm.io/gorm"

	"dropship/models"
	"dropship/models/dbtest"
)

// TestAuditChainConcurrentWritersAndTampering: entries written by many
// transactions at once still form one chain; editing or deleting a row is found.
func TestAuditChainConcurrentWritersAndTampering(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := db.Transaction(func(tx *gorm.DB) error {
				return models.RecordAudit(ctx, tx, models.AuditRecord{Action: "stock.adjust", EntityType: "variant",
					EntityID: "7", Reason: "count correction", Before: map[string]int{"qty": i}, After: map[string]int{"qty": i + 1}})
			})
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if bad, err := models.VerifyAuditChain(ctx, db); err != nil || bad != 0 {
		t.Fatalf("fresh chain: first bad entry %d (%v), want intact", bad, err)
	}
	var ids []int64 // in chain (seal) order, which is commit order
	db.Raw("SELECT id FROM audit_entries ORDER BY seq").Scan(&ids)
	if len(ids) != 20 {
		t.Fatalf("%d entries, want 20", len(ids))
	}

	db.Exec("UPDATE audit_entries SET reason = 'nothing to see' WHERE id = ?", ids[7])
	if bad, _ := models.VerifyAuditChain(ctx, db); bad != ids[7] {
		t.Errorf("edited entry %d: verification points at %d", ids[7], bad)
	}
	db.Exec("UPDATE audit_entries SET reason = 'count correction' WHERE id = ?", ids[7])
	db.Exec("DELETE FROM audit_entries WHERE id = ?", ids[12])
	if bad, _ := models.VerifyAuditChain(ctx, db); bad != ids[13] {
		t.Errorf("deleted entry %d: verification points at %d, want %d", ids[12], bad, ids[13])
	}
}

// TestLastOwnerStays: two owners demoting each other at once can't leave the store without one.
func TestLastOwnerStays(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	a, _ := models.CreateUser(ctx, db, nil, models.NewUser{Email: "a@example.com", Role: models.RoleOwner, Password: "long enough password"})
	b, _ := models.CreateUser(ctx, db, nil, models.NewUser{Email: "b@example.com", Role: models.RoleOwner, Password: "long enough password"})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, pair := range [][2]*models.User{{a, b}, {b, a}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = models.UpdateUser(ctx, db, pair[0], pair[1].ID, models.UserChange{Role: models.RoleViewer})
		}()
	}
	wg.Wait()
	var owners int64
	db.Model(&models.User{}).Where("role = 'owner' AND disabled_at IS NULL").Count(&owners)
	if owners != 1 || (errs[0] == nil) == (errs[1] == nil) {
		t.Errorf("owners left %d, errors %v: want exactly one demotion to succeed", owners, errs)
	}
}

// TestAuditDoesNotDeadlockWithRowLocks: a long transaction that audits and
// then locks more rows (a mapping import) and a short one that locks one of
// those rows and then audits (an offer edit) both finish: the chain is sealed
// at commit, not locked in the middle of either.
func TestAuditDoesNotDeadlockWithRowLocks(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newShop(t, db, 5, 5)
	other := mustSupplier(t, db, "AUDB", 0)
	long := db.Begin()
	if err := long.Exec("INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity) VALUES (?, ?, 'B-0', 3)", other.ID, s.variants[0].ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := models.RecordAudit(ctx, long, models.AuditRecord{Action: "offer.create", EntityType: "offer", EntityID: "B-0"}); err != nil {
		t.Fatal(err)
	}
	short := make(chan error, 1)
	go func() {
		short <- db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("UPDATE offers SET reported_quantity = 9 WHERE supplier_sku = 'X-1'").Error; err != nil {
				return err
			}
			return models.RecordAudit(ctx, tx, models.AuditRecord{Action: "offer.update", EntityType: "offer", EntityID: "X-1"})
		})
	}()
	if err := <-short; err != nil {
		t.Fatalf("the short transaction: %v", err)
	}
	if err := long.Exec("INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity) VALUES (?, ?, 'B-1', 3)", other.ID, s.variants[1].ID).Error; err != nil {
		t.Fatalf("the long transaction, after the short one: %v", err)
	}
	if err := long.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if bad, err := models.VerifyAuditChain(ctx, db); bad != 0 || err != nil {
		t.Errorf("chain after both: first bad %d (%v)", bad, err)
	}
}
