package jobs

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"dropship/models"
)

// Housekeeping purges expired sessions, old job runs and old login attempts,
// and closes runs and catalog imports that a crashed instance left open.
func Housekeeping(db *gorm.DB) Job {
	return Job{
		Name:       "housekeeping",
		Every:      10 * time.Minute,
		LeaderOnly: true,
		Run: func(ctx context.Context) (string, error) {
			stale, err := models.FailStaleJobRuns(ctx, db, 6*time.Hour)
			if err != nil {
				return "", err
			}
			r, err := models.PurgeExpired(ctx, db)
			if err != nil {
				return "", err
			}
			keys, err := models.PurgeIdempotencyKeys(ctx, db)
			if err != nil {
				return "", err
			}
			imports, err := models.FailStaleImports(ctx, db)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("purged %d expired sessions, %d old job runs, %d login attempts, %d idempotency keys; closed %d stale runs and %d stale imports",
				r.Sessions, r.JobRuns, r.LoginAttempts, keys, stale, imports), nil
		},
	}
}
