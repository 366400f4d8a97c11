package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// forUpdate locks the selected rows until the transaction ends.
var forUpdate = clause.Locking{Strength: "UPDATE"}

// User is a person who signs in to the back office.
type User struct {
	ID                int64
	Email             string
	Name              string
	Role              Role
	PasswordHash      string `json:"-"`
	PasswordChangedAt time.Time
	DisabledAt        *time.Time
	LastLoginAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Active reports whether the user may sign in.
func (u *User) Active() bool { return u.DisabledAt == nil }

// Can reports whether the user's role holds permission p.
func (u *User) Can(p Permission) bool { return u.Active() && u.Role.Can(p) }

// DisplayName is the name, or the email when no name is set.
func (u *User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// argonParams follow the RFC 9106 second recommendation, sized for a login, not a KDF farm.
var argonParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword returns an argon2id hash of password.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, argonParams)
	if err != nil {
		return "", fmt.Errorf("models: hash password: %w", err)
	}
	return h, nil
}

// GeneratePassword returns a random password of 20 characters that is easy to type.
func GeneratePassword() string {
	return randomString("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20)
}

// randomString draws n characters from alphabet with crypto/rand.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// NormalizeEmail lower-cases and trims an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// NewUser is what it takes to create a user.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	Password string
}

// Validate checks the fields a person typed.
func (n NewUser) Validate() error {
	fe := FieldErrors{}
	if addr, err := mail.ParseAddress(n.Email); err != nil || addr.Address != strings.TrimSpace(n.Email) {
		fe.Add("email", "enter an email address like name@example.com")
	}
	if !n.Role.Valid() {
		fe.Add("role", "choose a role")
	}
	if len(n.Password) < MinPasswordLength {
		fe.Add("password", fmt.Sprintf("use at least %d characters", MinPasswordLength))
	}
	if len(n.Name) > 200 {
		fe.Add("name", "use at most 200 characters")
	}
	return fe.Err()
}

// CreateUser validates n and stores a new user; a taken email is a field error.
func CreateUser(ctx context.Context, db *gorm.DB, actor *User, n NewUser) (*User, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: NormalizeEmail(n.Email), Name: strings.TrimSpace(n.Name), Role: n.Role, PasswordHash: hash,
		PasswordChangedAt: time.Now().UTC().Truncate(time.Microsecond)}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return FieldErrors{"email": "a user with this email already exists"}
			}
			return fmt.Errorf("models: create user: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "user.create", EntityType: "user",
			EntityID: fmt.Sprint(u.ID), After: userAuditView(u)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// userAuditView is what the audit log keeps of a user (never the hash).
func userAuditView(u *User) map[string]any {
	return map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "disabled": u.DisabledAt != nil}
}

// GetUser loads a user by id.
func GetUser(ctx context.Context, db *gorm.DB, id int64) (*User, error) {
	var u User
	if err := db.WithContext(ctx).First(&u, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get user %d", id))
	}
	return &u, nil
}

// GetUserByEmail loads a user by email, whatever its case.
func GetUserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	var u User
	if err := db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).First(&u).Error; err != nil {
		return nil, notFound(err, "get user by email")
	}
	return &u, nil
}

// ListUsers returns every user, owners first, then by email.
func ListUsers(ctx context.Context, db *gorm.DB) ([]User, error) {
	var users []User
	err := db.WithContext(ctx).
		Order("disabled_at IS NOT NULL, CASE role WHEN 'owner' THEN 0 WHEN 'manager' THEN 1 WHEN 'cs_rep' THEN 2 ELSE 3 END, email").
		Find(&users).Error
	if err != nil {
		return nil, fmt.Errorf("models: list users: %w", err)
	}
	return users, nil
}

// UserChange is an owner's edit of another user: role and whether they may sign in.
type UserChange struct {
	Role     Role
	Disabled bool
}

// UpdateUser applies an owner's change; the last active owner can't be demoted or disabled.
func UpdateUser(ctx context.Context, db *gorm.DB, actor *User, id int64, ch UserChange) (*User, error) {
	if !ch.Role.Valid() {
		return nil, FieldErrors{"role": "choose a role"}
	}
	var updated User
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Serialise owner changes so two owners demoting each other can't leave none.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('users.owners'))").Error; err != nil {
			return fmt.Errorf("models: update user: %w", err)
		}
		var u User
		if err := tx.Clauses(forUpdate).First(&u, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("update user %d", id))
		}
		before := userAuditView(&u)
		losesOwner := u.Role == RoleOwner && u.Active() && (ch.Role != RoleOwner || ch.Disabled)
		if losesOwner {
			var owners int64
			if err := tx.Model(&User{}).Where("role = ? AND disabled_at IS NULL", RoleOwner).Count(&owners).Error; err != nil {
				return fmt.Errorf("models: update user: %w", err)
			}
			if owners <= 1 {
				return FieldErrors{"role": "the store needs at least one active owner"}
			}
		}
		u.Role = ch.Role
		switch {
		case ch.Disabled && u.DisabledAt == nil:
			now := time.Now().UTC()
			u.DisabledAt = &now
		case !ch.Disabled:
			u.DisabledAt = nil
		}
		if err := tx.Model(&u).Select("role", "disabled_at", "updated_at").Updates(&u).Error; err != nil {
			return fmt.Errorf("models: update user: %w", err)
		}
		updated = u
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "user.update", EntityType: "user",
			EntityID: fmt.Sprint(u.ID), Before: before, After: userAuditView(&u)})
	})
	if err != nil {
		return nil, err
	}
	return &updated, nil
}

// ChangePassword checks the current password and stores the new one.
func ChangePassword(ctx context.Context, db *gorm.DB, u *User, current, next string) error {
	fe := FieldErrors{}
	if ok, err := argon2id.ComparePasswordAndHash(current, u.PasswordHash); err != nil || !ok {
		fe.Add("current_password", "this is not your current password")
	}
	if len(next) < MinPasswordLength {
		fe.Add("new_password", fmt.Sprintf("use at least %d characters", MinPasswordLength))
	} else if next == current {
		fe.Add("new_password", "choose a password different from the current one")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		if err := tx.Model(u).Updates(map[string]any{"password_hash": hash, "password_changed_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("models: change password: %w", err)
		}
		u.PasswordHash, u.PasswordChangedAt = hash, now
		return RecordAudit(ctx, tx, AuditRecord{Actor: u, Action: "user.password_change", EntityType: "user", EntityID: fmt.Sprint(u.ID)})
	})
}

// SetPassword replaces a user's password without the current one (command line recovery).
func SetPassword(ctx context.Context, db *gorm.DB, u *User, password string) error {
	if len(password) < MinPasswordLength {
		return FieldErrors{"password": fmt.Sprintf("use at least %d characters", MinPasswordLength)}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := db.WithContext(ctx).Model(u).Updates(map[string]any{"password_hash": hash, "password_changed_at": now, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("models: set password: %w", err)
	}
	return nil
}
