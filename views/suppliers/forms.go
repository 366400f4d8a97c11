// Package suppliers holds the supplier list, detail and form pages.
package suppliers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"dropship/models"
	"dropship/views/components"
)

// Form creates or edits a supplier. Secret fields are write-only: a blank one
// keeps what is stored, a Clear box removes it.
type Form struct {
	Code              string `form:"code"`
	Name              string `form:"name"`
	ContactName       string `form:"contact_name"`
	ContactEmail      string `form:"contact_email"`
	ContactPhone      string `form:"contact_phone"`
	Status            string `form:"status"`
	Kind              string `form:"connection_kind"`
	URL               string `form:"conn_url"`
	Host              string `form:"conn_host"`
	Port              string `form:"conn_port"`
	Username          string `form:"conn_username"`
	AuthType          string `form:"conn_auth_type"`
	APIKeyHeader      string `form:"conn_api_key_header"`
	Path              string `form:"conn_path"`
	FilePattern       string `form:"conn_file_pattern"`
	OutboundPath      string `form:"conn_outbound_path"`
	Email             string `form:"conn_email"`
	Password          string `form:"secret_password"`
	Token             string `form:"secret_token"`
	PrivateKey        string `form:"secret_private_key"`
	SigningSecret     string `form:"secret_signing_secret"`
	ClearPassword     bool   `form:"clear_password"`
	ClearToken        bool   `form:"clear_token"`
	ClearPrivateKey   bool   `form:"clear_private_key"`
	ClearSigning      bool   `form:"clear_signing_secret"`
	Schedule          string `form:"schedule"`
	HandlingDays      string `form:"handling_days"`
	ShipsFromCountry  string `form:"ships_from_country"`
	Currency          string `form:"currency"`
	SafetyBuffer      string `form:"safety_buffer"`
	FeedGuardPct      string `form:"feed_guard_pct"`
	MissingSKUPolicy  string `form:"missing_sku_policy"`
	AllowedLagMinutes string `form:"allowed_lag_minutes"`
	Notes             string `form:"notes"`
	Errors            models.FieldErrors
}

// NewForm is the form of a new supplier, with sensible defaults.
func NewForm() Form {
	return Form{Status: models.SupplierActive, Kind: models.KindREST, HandlingDays: "1", Currency: "USD", SafetyBuffer: "0",
		FeedGuardPct: "50", MissingSKUPolicy: "zero", AllowedLagMinutes: "1440", Schedule: "15m"}
}

// FormOf fills the form from a supplier; secrets stay empty (write-only).
func FormOf(s *models.Supplier) Form {
	c := s.Connection
	f := Form{Code: s.Code, Name: s.Name, ContactName: s.ContactName, ContactEmail: s.ContactEmail, ContactPhone: s.ContactPhone,
		Status: s.Status, Kind: s.ConnectionKind, URL: c.URL, Host: c.Host, Username: c.Username, AuthType: c.AuthType,
		APIKeyHeader: c.APIKeyHeader, Path: c.Path, FilePattern: c.FilePattern, OutboundPath: c.OutboundPath, Email: c.Email,
		Schedule: s.Schedule, HandlingDays: strconv.Itoa(s.HandlingDays), ShipsFromCountry: s.ShipsFromCountry, Currency: s.Currency,
		SafetyBuffer: strconv.Itoa(s.SafetyBuffer), FeedGuardPct: strconv.Itoa(s.FeedGuardPct), MissingSKUPolicy: s.MissingSKUPolicy,
		AllowedLagMinutes: strconv.Itoa(s.AllowedLagMinutes), Notes: s.Notes}
	if c.Port > 0 {
		f.Port = strconv.Itoa(c.Port)
	}
	return f
}

// Validate parses the numbers into the model's input; models check the rest.
func (f *Form) Validate() (models.SupplierInput, bool) {
	f.Errors = models.FieldErrors{}
	num := func(field, s string, def int) int {
		s = strings.TrimSpace(s)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Errors.Add(field, "enter a whole number")
		}
		return n
	}
	in := models.SupplierInput{Code: f.Code, Name: f.Name, ContactName: f.ContactName, ContactEmail: f.ContactEmail,
		ContactPhone: f.ContactPhone, Status: f.Status, ConnectionKind: f.Kind, Schedule: f.Schedule,
		ShipsFromCountry: f.ShipsFromCountry, Currency: f.Currency, MissingSKUPolicy: f.MissingSKUPolicy, Notes: f.Notes,
		Connection: models.Connection{URL: f.URL, Host: f.Host, Username: f.Username, AuthType: f.AuthType, APIKeyHeader: f.APIKeyHeader,
			Path: f.Path, FilePattern: f.FilePattern, OutboundPath: f.OutboundPath, Email: f.Email},
		Secrets: map[string]string{models.SecretPassword: f.Password, models.SecretToken: f.Token,
			models.SecretPrivateKey: f.PrivateKey, models.SecretSigningSecret: f.SigningSecret},
		ClearSecrets: map[string]bool{models.SecretPassword: f.ClearPassword, models.SecretToken: f.ClearToken,
			models.SecretPrivateKey: f.ClearPrivateKey, models.SecretSigningSecret: f.ClearSigning},
	}
	in.Connection.Port = num("conn.port", f.Port, 0)
	in.HandlingDays = num("handling_days", f.HandlingDays, 0)
	in.SafetyBuffer = num("safety_buffer", f.SafetyBuffer, 0)
	in.FeedGuardPct = num("feed_guard_pct", f.FeedGuardPct, 50)
	in.AllowedLagMinutes = num("allowed_lag_minutes", f.AllowedLagMinutes, 1440)
	// Secrets the chosen kind does not use are not sent on (the form shows every kind's fields).
	spec := models.KindSpecs[f.Kind]
	for name := range in.Secrets {
		used := false
		for _, s := range spec.Secrets {
			used = used || s == name
		}
		if !used {
			delete(in.Secrets, name)
		}
	}
	return in, len(f.Errors) == 0
}

// Secret fields never carry a value back to the page.
func (f *Form) ForgetSecrets() {
	f.Password, f.Token, f.PrivateKey, f.SigningSecret = "", "", "", ""
}

func kindOptions() []components.Option {
	var opts []components.Option
	for _, k := range models.ConnectionKinds {
		opts = append(opts, components.Option{Value: k, Label: models.KindSpecs[k].Label})
	}
	return opts
}

func authOptions() []components.Option {
	return []components.Option{
		{Value: "", Label: "The kind's default"},
		{Value: models.AuthNone, Label: "None"},
		{Value: models.AuthBearer, Label: "Bearer token"},
		{Value: models.AuthBasic, Label: "User name and password (basic)"},
		{Value: models.AuthAPIKey, Label: "API key in a header"},
		{Value: models.AuthPassword, Label: "Password"},
		{Value: models.AuthPrivateKey, Label: "SSH private key"},
	}
}

func statusOptions() []components.Option {
	return []components.Option{{Value: models.SupplierActive, Label: "Active — its stock counts"},
		{Value: models.SupplierPaused, Label: "Paused — mapped, its stock doesn't count"},
		{Value: models.SupplierDeactivated, Label: "Deactivated — kept for history"}}
}

func policyOptions() []components.Option {
	return []components.Option{{Value: "zero", Label: "Set to 0 (a full feed lists everything in stock)"}, {Value: "keep", Label: "Keep the last figure"}}
}

// StatusBadge colours a supplier's status.
func statusKind(s string) string {
	switch s {
	case models.SupplierActive:
		return "ok"
	case models.SupplierPaused:
		return "warn"
	}
	return ""
}

// kindUses lists the field groups a kind shows, for the form's data attributes.
func kindUses(group string) string {
	var kinds []string
	for _, k := range models.ConnectionKinds {
		s := models.KindSpecs[k]
		use := map[string]bool{"url": s.URL, "hostport": s.HostPort, "paths": s.Paths, "outbound": s.Outbound, "email": s.Email,
			"auth": len(s.AuthTypes) > 0, "password": contains(s.Secrets, models.SecretPassword), "token": contains(s.Secrets, models.SecretToken),
			"private_key": contains(s.Secrets, models.SecretPrivateKey), "signing_secret": contains(s.Secrets, models.SecretSigningSecret),
			"api_key_header": contains(s.AuthTypes, models.AuthAPIKey), "username": s.HostPort || contains(s.AuthTypes, models.AuthBasic)}[group]
		if use {
			kinds = append(kinds, k)
		}
	}
	return strings.Join(kinds, " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func secretState(s *models.Supplier, name string) string {
	if s != nil && s.SecretSet(name) {
		return "set — leave blank to keep it"
	}
	return "not set"
}

func secretIsSet(s *models.Supplier, name string) bool { return s != nil && s.SecretSet(name) }

func formTitle(s *models.Supplier) string {
	if s == nil {
		return "New supplier"
	}
	return "Edit " + s.Code
}

func formAction(s *models.Supplier) string {
	if s == nil {
		return "/suppliers"
	}
	return fmt.Sprintf("/suppliers/%d", s.ID)
}

func lagText(minutes int) string {
	if minutes%60 == 0 {
		return fmt.Sprintf("%d h", minutes/60)
	}
	return fmt.Sprintf("%d min", minutes)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func scheduleText(s string) string {
	if s == "" {
		return "manual"
	}
	return s
}

func secretLabel(name string) string {
	switch name {
	case models.SecretPassword:
		return "Password"
	case models.SecretToken:
		return "Token or API key"
	case models.SecretPrivateKey:
		return "SSH private key"
	case models.SecretSigningSecret:
		return "Webhook signing secret"
	}
	return name
}

func statusHint(s string) string {
	switch s {
	case models.SupplierActive:
		return "its stock counts in the pool"
	case models.SupplierPaused:
		return "mapped; its stock doesn't count"
	}
	return "kept for history only"
}

// lastSeen says compactly how long ago the supplier's freshest figure came in.
func lastSeen(s models.SupplierSummary) string {
	if s.LastSeenAt == nil {
		return "never"
	}
	d := time.Since(*s.LastSeenAt)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// lagKind flags a supplier whose freshest offer is older than its allowed lag.
func lagKind(s models.SupplierSummary) string {
	if s.LastSeenAt == nil || time.Since(*s.LastSeenAt) > time.Duration(s.AllowedLagMinutes)*time.Minute {
		return "warn"
	}
	return ""
}

func cancelURL(s *models.Supplier) string {
	if s == nil {
		return "/suppliers"
	}
	return fmt.Sprintf("/suppliers/%d", s.ID)
}
