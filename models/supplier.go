package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gorm.io/gorm"

	"dropship/integrations/suppliers/feed"
)

// Supplier statuses: paused suppliers keep their offers mapped but out of the
// pool; deactivated ones are kept for history only.
const (
	SupplierActive      = "active"
	SupplierPaused      = "paused"
	SupplierDeactivated = "deactivated"
)

// SupplierStatuses lists the statuses in the order pages offer them.
var SupplierStatuses = []string{SupplierActive, SupplierPaused, SupplierDeactivated}

// Connection kinds: how a supplier reports stock and takes orders.
const (
	KindREST     = "rest"
	KindFeedHTTP = "feed_http"
	KindFeedSFTP = "feed_sftp"
	KindFeedFTP  = "feed_ftp"
	KindWebhook  = "webhook"
	KindX12SFTP  = "x12_sftp"
	KindEmail    = "email"
)

// ConnectionKinds lists every kind, in the order pages offer them.
var ConnectionKinds = []string{KindREST, KindFeedHTTP, KindFeedSFTP, KindFeedFTP, KindWebhook, KindX12SFTP, KindEmail}

// Secret names a connection may hold.
const (
	SecretPassword      = "password"
	SecretToken         = "token"
	SecretPrivateKey    = "private_key"
	SecretSigningSecret = "signing_secret"
)

// Auth types of a connection.
const (
	AuthNone       = "none"
	AuthBasic      = "basic"
	AuthBearer     = "bearer"
	AuthAPIKey     = "api_key"
	AuthPassword   = "password"
	AuthPrivateKey = "private_key"
)

// KindSpec says which connection fields a kind uses.
type KindSpec struct {
	Label     string
	URL       bool     // an endpoint or feed URL
	HostPort  bool     // a server host and port
	Paths     bool     // a remote path and file pattern
	Outbound  bool     // a remote path where POs are put (X12)
	Email     bool     // an address POs are mailed to
	AuthTypes []string // choices of auth; empty: none
	Secrets   []string // the secrets it may hold
	Port      int      // default port
}

// KindSpecs describes each connection kind.
var KindSpecs = map[string]KindSpec{
	// Every kind that is pulled may also push stock webhooks: a signing secret is optional there.
	KindREST:     {Label: "REST API", URL: true, AuthTypes: []string{AuthNone, AuthBearer, AuthBasic, AuthAPIKey}, Secrets: []string{SecretToken, SecretPassword, SecretSigningSecret}},
	KindFeedHTTP: {Label: "Feed over HTTP(S)", URL: true, AuthTypes: []string{AuthNone, AuthBasic, AuthBearer}, Secrets: []string{SecretToken, SecretPassword, SecretSigningSecret}},
	KindFeedSFTP: {Label: "Feed over SFTP", HostPort: true, Paths: true, AuthTypes: []string{AuthPassword, AuthPrivateKey}, Secrets: []string{SecretPassword, SecretPrivateKey, SecretSigningSecret}, Port: 22},
	KindFeedFTP:  {Label: "Feed over FTP", HostPort: true, Paths: true, AuthTypes: []string{AuthPassword}, Secrets: []string{SecretPassword, SecretSigningSecret}, Port: 21},
	KindWebhook:  {Label: "Signed webhooks", Secrets: []string{SecretSigningSecret}},
	KindX12SFTP:  {Label: "X12 EDI over SFTP", HostPort: true, Paths: true, Outbound: true, AuthTypes: []string{AuthPassword, AuthPrivateKey}, Secrets: []string{SecretPassword, SecretPrivateKey, SecretSigningSecret}, Port: 22},
	KindEmail:    {Label: "Email", Email: true},
}

// Connection is a supplier's connection settings, stored as JSONB. Secrets
// hold sealed values only (SecretBox); the plaintext never reaches the database.
type Connection struct {
	URL          string            `json:"url,omitempty"`
	Host         string            `json:"host,omitempty"`
	Port         int               `json:"port,omitempty"`
	Username     string            `json:"username,omitempty"`
	AuthType     string            `json:"auth_type,omitempty"`
	APIKeyHeader string            `json:"api_key_header,omitempty"`
	Path         string            `json:"path,omitempty"`          // remote directory (or file) of the feed
	FilePattern  string            `json:"file_pattern,omitempty"`  // e.g. stock-*.csv
	OutboundPath string            `json:"outbound_path,omitempty"` // X12: where 850 purchase orders go
	Email        string            `json:"email,omitempty"`         // email: where purchase orders go
	HostKey      string            `json:"host_key,omitempty"`      // SSH host key pinned on first use
	Secrets      map[string]string `json:"secrets,omitempty"`       // name -> sealed value
	// Feed says how a feed file is laid out (feed kinds); REST where the
	// figures are in the API's answers. Edited on the supplier's mapping page.
	Feed *feed.Mapping `json:"feed,omitempty"`
	REST *RESTMapping  `json:"rest,omitempty"`
}

// Value writes the connection as JSON.
func (c Connection) Value() (driver.Value, error) {
	b, err := json.Marshal(c)
	return string(b), err
}

// Scan reads the JSONB document.
func (c *Connection) Scan(src any) error { return scanJSON(src, c) }

// Supplier is a company that holds stock and ships orders for the store.
type Supplier struct {
	ID                int64
	Code              string
	Name              string
	ContactName       string
	ContactEmail      string
	ContactPhone      string
	Status            string
	ConnectionKind    string
	Connection        Connection
	Schedule          string
	HandlingDays      int
	ShipsFromCountry  string
	Currency          string
	SafetyBuffer      int
	FeedGuardPct      int
	MissingSKUPolicy  string `gorm:"column:missing_sku_policy"`
	AllowedLagMinutes int
	Notes             string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// SecretSet reports whether the connection holds the named secret.
func (s *Supplier) SecretSet(name string) bool { return s.Connection.Secrets[name] != "" }

// secretLabel binds a sealed secret to its supplier and field.
func secretLabel(code, name string) string { return "supplier:" + code + ":" + name }

// Secret opens the named secret of the connection ("" when not set).
func (s *Supplier) Secret(box *SecretBox, name string) (string, error) {
	sealed := s.Connection.Secrets[name]
	if sealed == "" {
		return "", nil
	}
	return box.Open(secretLabel(s.Code, name), sealed)
}

// SupplierInput is what a person sets on a supplier. Secrets holds new
// plaintext values (a blank one keeps what is stored); ClearSecrets removes.
type SupplierInput struct {
	Code              string
	Name              string
	ContactName       string
	ContactEmail      string
	ContactPhone      string
	Status            string
	ConnectionKind    string
	Connection        Connection // the fields other than secrets
	Secrets           map[string]string
	ClearSecrets      map[string]bool
	Schedule          string
	HandlingDays      int
	ShipsFromCountry  string
	Currency          string
	SafetyBuffer      int
	FeedGuardPct      int
	MissingSKUPolicy  string
	AllowedLagMinutes int
	Notes             string
}

var (
	supplierCodeRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{1,19}$`)
	countryRe      = regexp.MustCompile(`^[A-Z]{2}$`)
	hostRe         = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$`)
)

func (in *SupplierInput) normalize() {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	in.ShipsFromCountry = strings.ToUpper(strings.TrimSpace(in.ShipsFromCountry))
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	in.Schedule = strings.TrimSpace(in.Schedule)
	if in.Status == "" {
		in.Status = SupplierActive
	}
	if in.MissingSKUPolicy == "" {
		in.MissingSKUPolicy = "zero"
	}
	c := &in.Connection
	c.URL, c.Host, c.Username = strings.TrimSpace(c.URL), strings.TrimSpace(c.Host), strings.TrimSpace(c.Username)
	c.Path, c.FilePattern, c.OutboundPath = strings.TrimSpace(c.Path), strings.TrimSpace(c.FilePattern), strings.TrimSpace(c.OutboundPath)
	c.Email, c.APIKeyHeader = strings.TrimSpace(c.Email), strings.TrimSpace(c.APIKeyHeader)
	spec := KindSpecs[in.ConnectionKind]
	if spec.HostPort && c.Port == 0 {
		c.Port = spec.Port
	}
	if len(spec.AuthTypes) > 0 && c.AuthType == "" {
		c.AuthType = spec.AuthTypes[0]
	}
}

// ValidSchedule reports whether s is empty (manual), an interval such as "15m"
// (at least a minute), or a five-field cron line.
func ValidSchedule(s string) bool {
	if s == "" {
		return true
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d >= time.Minute
	}
	_, err := cron.ParseStandard(s)
	return err == nil
}

// Validate checks every field, and the connection fields its kind needs.
func (in SupplierInput) Validate() error {
	fe := FieldErrors{}
	if !supplierCodeRe.MatchString(in.Code) {
		fe.Add("code", "use 2 to 20 capital letters, digits, - or _, like ACME")
	}
	if in.Name == "" || len(in.Name) > 200 {
		fe.Add("name", "enter a name of 1 to 200 characters")
	}
	if in.ContactEmail != "" {
		if a, err := mail.ParseAddress(in.ContactEmail); err != nil || a.Address != in.ContactEmail {
			fe.Add("contact_email", "enter an email address like orders@supplier.com")
		}
	}
	if !slices.Contains(SupplierStatuses, in.Status) {
		fe.Add("status", "choose active, paused or deactivated")
	}
	spec, ok := KindSpecs[in.ConnectionKind]
	if !ok {
		fe.Add("connection_kind", "choose how this supplier connects")
	}
	if !ValidSchedule(in.Schedule) {
		fe.Add("schedule", "use an interval such as 15m or 1h, a cron line such as */30 * * * *, or leave empty for manual")
	}
	if in.HandlingDays < 0 || in.HandlingDays > 60 {
		fe.Add("handling_days", "use 0 to 60 days")
	}
	if !countryRe.MatchString(in.ShipsFromCountry) {
		fe.Add("ships_from_country", "use a two-letter country code such as US or DE")
	}
	if !ValidCurrency(in.Currency) {
		fe.Add("currency", "use a three-letter ISO code such as USD or EUR")
	}
	if in.SafetyBuffer < 0 {
		fe.Add("safety_buffer", "use zero or more")
	}
	if in.FeedGuardPct < 1 || in.FeedGuardPct > 100 {
		fe.Add("feed_guard_pct", "use a share from 1 to 100 %")
	}
	if in.MissingSKUPolicy != "zero" && in.MissingSKUPolicy != "keep" {
		fe.Add("missing_sku_policy", "choose zero or keep")
	}
	if in.AllowedLagMinutes < 1 {
		fe.Add("allowed_lag_minutes", "use one minute or more")
	}
	c := in.Connection
	if spec.URL {
		if u, err := url.Parse(c.URL); c.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fe.Add("conn.url", "enter an http or https URL, like https://api.supplier.com/v1")
		} else if u.User != nil {
			fe.Add("conn.url", "put the user name and password in their own fields, not in the URL")
		}
	}
	if spec.HostPort {
		if c.Host == "" || !hostRe.MatchString(c.Host) {
			fe.Add("conn.host", "enter a host name or IP address, like sftp.supplier.com")
		}
		if c.Port < 1 || c.Port > 65535 {
			fe.Add("conn.port", "use a port from 1 to 65535")
		}
		if c.Username == "" {
			fe.Add("conn.username", "enter the user name")
		}
	}
	if spec.Outbound && c.OutboundPath == "" {
		fe.Add("conn.outbound_path", "enter the folder purchase orders are put in, like /inbound")
	}
	if spec.Email {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			fe.Add("conn.email", "enter the address purchase orders go to")
		}
	}
	if len(spec.AuthTypes) > 0 && !slices.Contains(spec.AuthTypes, c.AuthType) {
		fe.Add("conn.auth_type", "choose how to sign in")
	}
	if c.AuthType == AuthBasic && c.Username == "" {
		fe.Add("conn.username", "enter the user name")
	}
	if c.AuthType == AuthAPIKey && c.APIKeyHeader == "" {
		fe.Add("conn.api_key_header", "enter the header that carries the key, like X-API-Key")
	}
	for name, v := range in.Secrets {
		if v != "" && !slices.Contains(spec.Secrets, name) {
			fe.Add("secret."+name, "this connection kind has no such secret")
		}
		if len(v) > 16<<10 {
			fe.Add("secret."+name, "this is too long (16 KB at most)")
		}
	}
	return fe.Err()
}

// sealConnection merges the stored secrets with the input: a new value is
// sealed, a cleared one removed, a blank one kept; secrets the kind does not
// use are dropped. Then it checks the kind's auth has the secret it needs.
func (in SupplierInput) sealConnection(box *SecretBox, stored map[string]string) (Connection, error) {
	spec := KindSpecs[in.ConnectionKind]
	c := in.Connection
	c.Secrets = map[string]string{}
	for _, name := range spec.Secrets {
		switch {
		case in.ClearSecrets[name]:
		case in.Secrets[name] != "":
			sealed, err := box.Seal(secretLabel(in.Code, name), in.Secrets[name])
			if err != nil {
				return c, err
			}
			c.Secrets[name] = sealed
		case stored[name] != "":
			c.Secrets[name] = stored[name]
		}
	}
	needs := map[string]string{AuthBasic: SecretPassword, AuthBearer: SecretToken, AuthAPIKey: SecretToken,
		AuthPassword: SecretPassword, AuthPrivateKey: SecretPrivateKey}
	if name, ok := needs[c.AuthType]; ok && c.Secrets[name] == "" && !(in.ConnectionKind == KindFeedFTP && c.Username == "anonymous") {
		return c, FieldErrors{"secret." + name: "enter the " + strings.ReplaceAll(name, "_", " ") + " (it is stored encrypted)"}
	}
	if len(c.Secrets) == 0 {
		c.Secrets = nil
	}
	return c, nil
}

// supplierAuditView is what the audit log keeps of a supplier: which secrets
// are set, never their values (sealed or not).
func supplierAuditView(s *Supplier) map[string]any {
	conn := s.Connection
	secrets := []string{}
	for name := range conn.Secrets {
		secrets = append(secrets, name)
	}
	slices.Sort(secrets)
	conn.Secrets = nil
	return map[string]any{"code": s.Code, "name": s.Name, "status": s.Status, "connection_kind": s.ConnectionKind,
		"connection": conn, "secrets_set": secrets, "schedule": s.Schedule, "handling_days": s.HandlingDays,
		"ships_from_country": s.ShipsFromCountry, "currency": s.Currency, "safety_buffer": s.SafetyBuffer,
		"feed_guard_pct": s.FeedGuardPct, "missing_sku_policy": s.MissingSKUPolicy, "allowed_lag_minutes": s.AllowedLagMinutes,
		"contact_name": s.ContactName, "contact_email": s.ContactEmail, "contact_phone": s.ContactPhone}
}

func (s *Supplier) apply(in SupplierInput, conn Connection) {
	s.Name, s.ContactName, s.ContactEmail, s.ContactPhone = in.Name, strings.TrimSpace(in.ContactName), in.ContactEmail, strings.TrimSpace(in.ContactPhone)
	s.Status, s.ConnectionKind, s.Connection, s.Schedule = in.Status, in.ConnectionKind, conn, in.Schedule
	s.HandlingDays, s.ShipsFromCountry, s.Currency, s.SafetyBuffer = in.HandlingDays, in.ShipsFromCountry, in.Currency, in.SafetyBuffer
	s.FeedGuardPct, s.MissingSKUPolicy, s.AllowedLagMinutes, s.Notes = in.FeedGuardPct, in.MissingSKUPolicy, in.AllowedLagMinutes, in.Notes
}

// CreateSupplier validates in, seals its secrets and stores a new supplier.
func CreateSupplier(ctx context.Context, db *gorm.DB, box *SecretBox, actor *User, in SupplierInput) (*Supplier, error) {
	in.normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	conn, err := in.sealConnection(box, nil)
	if err != nil {
		return nil, err
	}
	s := &Supplier{Code: in.Code}
	s.apply(in, conn)
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(s).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return FieldErrors{"code": "another supplier has this code"}
			}
			return fmt.Errorf("models: create supplier: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "supplier.create", EntityType: "supplier",
			EntityID: fmt.Sprint(s.ID), After: supplierAuditView(s)})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// UpdateSupplier changes a supplier; its code stays (secrets are bound to it).
func UpdateSupplier(ctx context.Context, db *gorm.DB, box *SecretBox, actor *User, id int64, in SupplierInput) (*Supplier, error) {
	var s Supplier
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&s, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("update supplier %d", id))
		}
		in.Code = s.Code
		in.normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		conn, err := in.sealConnection(box, s.Connection.Secrets)
		if err != nil {
			return err
		}
		conn.HostKey, conn.Feed, conn.REST = s.Connection.HostKey, s.Connection.Feed, s.Connection.REST
		if conn.Host != s.Connection.Host || conn.Port != s.Connection.Port {
			conn.HostKey = "" // another server: pin its key afresh
		}
		before := supplierAuditView(&s)
		s.apply(in, conn)
		err = tx.Model(&s).Select("name", "contact_name", "contact_email", "contact_phone", "status", "connection_kind",
			"connection", "schedule", "handling_days", "ships_from_country", "currency", "safety_buffer", "feed_guard_pct",
			"missing_sku_policy", "allowed_lag_minutes", "notes", "updated_at").Updates(&s).Error
		if err != nil {
			return fmt.Errorf("models: update supplier %d: %w", id, err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "supplier.update", EntityType: "supplier",
			EntityID: fmt.Sprint(s.ID), Before: before, After: supplierAuditView(&s)})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// SetSupplierStatus pauses, resumes or deactivates a supplier; the pool follows.
func SetSupplierStatus(ctx context.Context, db *gorm.DB, actor *User, id int64, status, reason string) (*Supplier, error) {
	if !slices.Contains(SupplierStatuses, status) {
		return nil, FieldErrors{"status": "choose active, paused or deactivated"}
	}
	var s Supplier
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&s, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("set status of supplier %d", id))
		}
		before := s.Status
		if before == status {
			return nil
		}
		if err := tx.Model(&s).Updates(map[string]any{"status": status, "updated_at": time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("models: set status of supplier %d: %w", id, err)
		}
		s.Status = status
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "supplier." + statusVerb(status), EntityType: "supplier",
			EntityID: fmt.Sprint(s.ID), Reason: reason, Before: map[string]any{"status": before}, After: map[string]any{"status": status}})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func statusVerb(status string) string {
	switch status {
	case SupplierPaused:
		return "pause"
	case SupplierDeactivated:
		return "deactivate"
	}
	return "activate"
}

// RemoveSupplier deletes a supplier that never had an offer or an unmapped
// SKU; one with history is deactivated instead, keeping it. It reports
// whether the row was deleted.
func RemoveSupplier(ctx context.Context, db *gorm.DB, actor *User, id int64, reason string) (deleted bool, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var s Supplier
		if err := tx.Clauses(forUpdate).First(&s, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("remove supplier %d", id))
		}
		var history int64
		if err := tx.Raw(`SELECT (SELECT count(*) FROM offers WHERE supplier_id = ?) +
			(SELECT count(*) FROM unmapped_supplier_skus WHERE supplier_id = ?)`, id, id).Scan(&history).Error; err != nil {
			return fmt.Errorf("models: remove supplier %d: %w", id, err)
		}
		if history > 0 {
			if s.Status == SupplierDeactivated {
				return nil
			}
			if err := tx.Model(&s).Updates(map[string]any{"status": SupplierDeactivated, "updated_at": time.Now().UTC()}).Error; err != nil {
				return fmt.Errorf("models: deactivate supplier %d: %w", id, err)
			}
			return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "supplier.deactivate", EntityType: "supplier",
				EntityID: fmt.Sprint(id), Reason: reason, Before: map[string]any{"status": s.Status}, After: map[string]any{"status": SupplierDeactivated}})
		}
		if err := tx.Delete(&s).Error; err != nil {
			return fmt.Errorf("models: delete supplier %d: %w", id, err)
		}
		deleted = true
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "supplier.delete", EntityType: "supplier",
			EntityID: fmt.Sprint(id), Reason: reason, Before: supplierAuditView(&s)})
	})
	return deleted, err
}

// GetSupplier loads a supplier by id.
func GetSupplier(ctx context.Context, db *gorm.DB, id int64) (*Supplier, error) {
	var s Supplier
	if err := db.WithContext(ctx).First(&s, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get supplier %d", id))
	}
	return &s, nil
}

// GetSupplierByCode loads a supplier by its code.
func GetSupplierByCode(ctx context.Context, db *gorm.DB, code string) (*Supplier, error) {
	var s Supplier
	if err := db.WithContext(ctx).Where("code = ?", strings.ToUpper(strings.TrimSpace(code))).First(&s).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get supplier %q", code))
	}
	return &s, nil
}

// SupplierSummary is a supplier with the figures its list shows.
type SupplierSummary struct {
	Supplier
	OfferCount      int64
	ActiveOffers    int64
	ReportedUnits   int64
	LastSeenAt      *time.Time
	PendingUnmapped int64
}

// supplierSummarySQL reads suppliers with their offer figures.
const supplierSummarySQL = `SELECT s.*,
		COALESCE(o.offer_count, 0) AS offer_count, COALESCE(o.active_offers, 0) AS active_offers,
		COALESCE(o.reported_units, 0) AS reported_units, o.last_seen_at,
		(SELECT count(*) FROM unmapped_supplier_skus u WHERE u.supplier_id = s.id AND u.status = 'pending') AS pending_unmapped
	FROM suppliers s
	LEFT JOIN LATERAL (
		SELECT count(*) AS offer_count, count(*) FILTER (WHERE active) AS active_offers,
		       sum(reported_quantity) FILTER (WHERE active) AS reported_units, max(last_seen_at) AS last_seen_at
		FROM offers WHERE supplier_id = s.id) o ON true`

// ListSuppliers returns every supplier with its offer figures, active first.
func ListSuppliers(ctx context.Context, db *gorm.DB) ([]SupplierSummary, error) {
	var out []SupplierSummary
	err := db.WithContext(ctx).Raw(supplierSummarySQL +
		` ORDER BY CASE s.status WHEN 'active' THEN 0 WHEN 'paused' THEN 1 ELSE 2 END, s.code`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list suppliers: %w", err)
	}
	return out, nil
}

// GetSupplierSummary returns one supplier with its offer figures.
func GetSupplierSummary(ctx context.Context, db *gorm.DB, id int64) (*SupplierSummary, error) {
	var out []SupplierSummary
	if err := db.WithContext(ctx).Raw(supplierSummarySQL+" WHERE s.id = ?", id).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: supplier %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("models: supplier %d: %w", id, ErrNotFound)
	}
	return &out[0], nil
}

// SupplierOptions is every supplier's id, code and name, for select boxes.
func SupplierOptions(ctx context.Context, db *gorm.DB) ([]Supplier, error) {
	var out []Supplier
	if err := db.WithContext(ctx).Select("id", "code", "name", "status").Order("code").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: supplier options: %w", err)
	}
	return out, nil
}
