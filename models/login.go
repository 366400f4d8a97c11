package models

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"
)

// Login throttling: after LoginMaxFailures failed sign-ins for one account or
// from one address within LoginWindow, further tries are refused until the
// oldest of them leaves the window.
const (
	LoginMaxFailures = 5
	LoginWindow      = 15 * time.Minute
)

// ErrBadCredentials means the email or the password is wrong (never which).
var ErrBadCredentials = errors.New("wrong email or password")

// ThrottledError refuses a sign-in after too many failures.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	mins := int(e.RetryAfter.Round(time.Minute) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	unit := "minutes"
	if mins == 1 {
		unit = "minute"
	}
	return fmt.Sprintf("too many failed sign-in attempts for this account or from this address; try again in %d %s", mins, unit)
}

// dummyHash keeps the time of a sign-in for an unknown email close to that of a known one.
// It is made on first use: at package init it cost every process that imports
// models (sync workers, commands) 64 MB of argon2 memory it never needed.
var dummyHash = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("not a real password", argonParams)
	return h
})

// LoginAttempt is one sign-in try, kept for throttling.
type LoginAttempt struct {
	ID          int64
	Email       string
	RemoteAddr  string
	Succeeded   bool
	AttemptedAt time.Time
}

// Authenticate checks email and password for a sign-in from remoteAddr. It
// counts the try as a failure before the (slow) password check, under a lock
// per account and per address, so parallel guesses can't slip past the limit.
func Authenticate(ctx context.Context, db *gorm.DB, email, password, remoteAddr string) (*User, error) {
	email = NormalizeEmail(email)
	attempt := LoginAttempt{Email: email, RemoteAddr: remoteAddr, AttemptedAt: time.Now().UTC()}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('login:email:' || ?)), pg_advisory_xact_lock(hashtext('login:addr:' || ?))", email, remoteAddr).Error; err != nil {
			return fmt.Errorf("models: authenticate: %w", err)
		}
		retry, err := loginRetryAfter(tx, email, remoteAddr)
		if err != nil {
			return err
		}
		if retry > 0 {
			return &ThrottledError{RetryAfter: retry}
		}
		if err := tx.Create(&attempt).Error; err != nil {
			return fmt.Errorf("models: authenticate: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	u, err := GetUserByEmail(ctx, db, email)
	hash := dummyHash()
	if err == nil {
		hash = u.PasswordHash
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	ok, cerr := argon2id.ComparePasswordAndHash(password, hash)
	if cerr != nil || !ok || u == nil || !u.Active() {
		return nil, ErrBadCredentials
	}
	now := time.Now().UTC()
	if err := db.WithContext(ctx).Model(&attempt).Update("succeeded", true).Error; err != nil {
		return nil, fmt.Errorf("models: authenticate: %w", err)
	}
	if err := db.WithContext(ctx).Model(u).UpdateColumn("last_login_at", now).Error; err != nil {
		return nil, fmt.Errorf("models: authenticate: %w", err)
	}
	u.LastLoginAt = &now
	return u, nil
}

// loginRetryAfter is how long until a new try is allowed (0: allowed now).
// Failures count for an account since its last success; for an address, all
// of them in the window, so one good account can't reset an address's count.
func loginRetryAfter(tx *gorm.DB, email, remoteAddr string) (time.Duration, error) {
	var waitSeconds float64
	err := tx.Raw(`
		WITH by_email AS (
			SELECT attempted_at FROM login_attempts
			WHERE email = @email AND NOT succeeded AND attempted_at > now() - make_interval(secs => @window)
			  AND attempted_at > COALESCE((SELECT max(attempted_at) FROM login_attempts WHERE email = @email AND succeeded), '-infinity')
			ORDER BY attempted_at DESC LIMIT @max
		), by_addr AS (
			SELECT attempted_at FROM login_attempts
			WHERE remote_addr = @addr AND NOT succeeded AND attempted_at > now() - make_interval(secs => @window)
			ORDER BY attempted_at DESC LIMIT @max
		), blocked AS (
			SELECT min(attempted_at) AS oldest FROM by_email HAVING count(*) >= @max
			UNION ALL
			SELECT min(attempted_at) FROM by_addr HAVING count(*) >= @max
		)
		SELECT COALESCE(max(extract(epoch FROM oldest + make_interval(secs => @window) - clock_timestamp())), 0)::float8 FROM blocked`,
		map[string]any{"email": email, "addr": remoteAddr, "window": LoginWindow.Seconds(), "max": LoginMaxFailures}).
		Scan(&waitSeconds).Error
	if err != nil {
		return 0, fmt.Errorf("models: login throttle: %w", err)
	}
	wait := time.Duration(waitSeconds * float64(time.Second))
	if wait < 0 {
		wait = 0
	}
	return wait, nil
}

// PurgeLoginAttempts deletes tries older than a day.
func PurgeLoginAttempts(ctx context.Context, db *gorm.DB) (int64, error) {
	res := db.WithContext(ctx).Exec("DELETE FROM login_attempts WHERE attempted_at < now() - interval '1 day'")
	if res.Error != nil {
		return 0, fmt.Errorf("models: purge login attempts: %w", res.Error)
	}
	return res.RowsAffected, nil
}
