package jobs

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"dropship/models"
)

// ExpireHolds gives back the stock of unpaid orders whose hold time passed.
// Any instance may run it: orders are claimed with SKIP LOCKED.
func ExpireHolds(db *gorm.DB) Job {
	return Job{
		Name:  "expire-holds",
		Every: 30 * time.Second,
		Run: func(ctx context.Context) (string, error) {
			n, err := models.ExpireHolds(ctx, db, 200)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("released the stock of %d unpaid orders", n), nil
		},
	}
}

// VerifyPendingPayments finishes checkouts cut short between placing the
// order and hearing from the payment provider (a crash, a provider outage):
// it asks the provider again and applies the answer.
func VerifyPendingPayments(db *gorm.DB, verifier models.PaymentVerifier) Job {
	return Job{
		Name:       "verify-pending-payments",
		Every:      time.Minute,
		LeaderOnly: true,
		Run: func(ctx context.Context) (string, error) {
			orders, err := models.PendingPaymentsToVerify(ctx, db, time.Minute, 100)
			if err != nil {
				return "", err
			}
			s, err := models.GetStoreSettings(ctx, db)
			if err != nil {
				return "", err
			}
			applied, unreachable := 0, 0
			for _, o := range orders {
				check, err := verifier.VerifyPayment(ctx, o.PaymentProvider, o.PaymentReference, o.TotalCents, o.Currency)
				if err != nil {
					unreachable++
					continue
				}
				if _, err := models.ApplyPayment(ctx, db, o.ID, check, s); err != nil {
					return "", err
				}
				applied++
			}
			return fmt.Sprintf("%d orders waiting on a provider: %d settled, %d still unreachable", len(orders), applied, unreachable), nil
		},
	}
}

// CapturePayments takes the money of authorised payments once their order
// is routed. A provider that can't be reached is tried again next time (the
// idempotency key keeps it to one capture); a refusal goes to a person.
func CapturePayments(db *gorm.DB, capturer models.PaymentCapturer, isTemporary func(error) bool) Job {
	return Job{
		Name:       "capture-payments",
		Every:      time.Minute,
		LeaderOnly: true,
		Run: func(ctx context.Context) (string, error) {
			orders, err := models.OrdersToCapture(ctx, db, 100)
			if err != nil {
				return "", err
			}
			captured, retry, refused := 0, 0, 0
			for i := range orders {
				o := &orders[i]
				tx, err := capturer.CapturePayment(ctx, o.PaymentProvider, o.PaymentReference, o.TotalCents, o.Currency, models.CaptureIdempotencyKey(o))
				switch {
				case err != nil && isTemporary(err):
					retry++
				case err != nil:
					refused++
					if err := models.RecordCaptureFailure(ctx, db, o.ID, err.Error()); err != nil {
						return "", err
					}
				default:
					captured++
					if err := models.RecordCapture(ctx, db, o.ID, tx); err != nil {
						return "", err
					}
				}
			}
			return fmt.Sprintf("%d payments to capture: %d captured, %d to retry, %d refused", len(orders), captured, retry, refused), nil
		},
	}
}
