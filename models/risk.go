package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// RiskReason is one signal that made an order look risky, with its weight.
type RiskReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Points  int    `json:"points"`
}

// RiskReasons is the JSONB list of reasons stored on an order.
type RiskReasons []RiskReason

// Value writes the reasons as a JSON array.
func (r RiskReasons) Value() (driver.Value, error) {
	if r == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]RiskReason(r))
	return string(b), err
}

// Scan reads the JSON array.
func (r *RiskReasons) Scan(src any) error { return scanJSON(src, r) }

// Risk signal weights: a score is their sum, capped at 100.
const (
	riskPointsFirstOrder      = 30
	riskPointsUnusualQuantity = 25
	riskPointsVelocityEmail   = 30
	riskPointsVelocityAddress = 25
	riskPointsVelocityCard    = 40
	riskPointsCountryMismatch = 25
	riskPointsDisposableEmail = 40
)

// RiskInput is what the risk rules look at for one checkout.
type RiskInput struct {
	Email           string
	ShipCountry     string
	ShipPostalCode  string
	ShipLine1       string
	CardFingerprint string // from the gateway, when it gives one
	CardCountry     string // issuing country of the card, when known
	TotalCents      int64
	Quantities      []int
	ExcludeOrderID  int64 // the order being assessed, already in the table
}

// RiskHistory is what the database knows about the customer, read before the
// order's transaction so that the locked part stays short.
type RiskHistory struct {
	PreviousOrders   int64 // by this email, ever
	EmailOrders24h   int64 `gorm:"column:email_orders24h"`
	AddressOrders24h int64 `gorm:"column:address_orders24h"`
	CardOrders24h    int64 `gorm:"column:card_orders24h"`
}

// LoadRiskHistory counts the customer's earlier orders.
func LoadRiskHistory(ctx context.Context, db *gorm.DB, in RiskInput) (RiskHistory, error) {
	var h RiskHistory
	err := db.WithContext(ctx).Raw(`SELECT
		(SELECT count(*) FROM orders WHERE id <> @self AND customer_email = @email AND status <> 'payment_failed') AS previous_orders,
		(SELECT count(*) FROM orders WHERE id <> @self AND customer_email = @email AND created_at > now() - interval '24 hours') AS email_orders24h,
		(SELECT count(*) FROM orders WHERE id <> @self AND ship_country = @country AND ship_postal_code = @postal
			AND lower(ship_line1) = lower(@line1) AND created_at > now() - interval '24 hours') AS address_orders24h,
		(SELECT count(*) FROM orders WHERE id <> @self AND @card <> '' AND card_fingerprint = @card
			AND created_at > now() - interval '24 hours') AS card_orders24h`,
		map[string]any{"self": in.ExcludeOrderID, "email": in.Email, "country": in.ShipCountry, "postal": in.ShipPostalCode,
			"line1": in.ShipLine1, "card": in.CardFingerprint}).
		Scan(&h).Error
	if err != nil {
		return h, fmt.Errorf("models: risk history: %w", err)
	}
	return h, nil
}

// AssessRisk scores a checkout from its own figures and the customer's history.
func AssessRisk(in RiskInput, h RiskHistory, s StoreSettings) (int, RiskReasons) {
	var reasons RiskReasons
	add := func(code string, points int, format string, args ...any) {
		reasons = append(reasons, RiskReason{Code: code, Points: points, Message: fmt.Sprintf(format, args...)})
	}
	if h.PreviousOrders == 0 && in.TotalCents > s.RiskFirstOrderCents {
		add("first_order_amount", riskPointsFirstOrder, "first order from this email, for %s (above %s)",
			FormatCents(in.TotalCents), FormatCents(s.RiskFirstOrderCents))
	}
	if q := slices.Max(append([]int{0}, in.Quantities...)); q > s.RiskUnusualQuantity {
		add("unusual_quantity", riskPointsUnusualQuantity, "a line asks for %d units (more than %d)", q, s.RiskUnusualQuantity)
	}
	limit := int64(s.RiskVelocityLimit)
	if h.EmailOrders24h >= limit {
		add("velocity_email", riskPointsVelocityEmail, "%d orders from this email in 24 hours", h.EmailOrders24h+1)
	}
	if h.AddressOrders24h >= limit {
		add("velocity_address", riskPointsVelocityAddress, "%d orders to this address in 24 hours", h.AddressOrders24h+1)
	}
	if in.CardFingerprint != "" && h.CardOrders24h >= limit {
		add("velocity_card", riskPointsVelocityCard, "%d orders with this card in 24 hours", h.CardOrders24h+1)
	}
	if in.CardCountry != "" && in.CardCountry != in.ShipCountry {
		add("country_mismatch", riskPointsCountryMismatch, "card issued in %s, shipping to %s", in.CardCountry, in.ShipCountry)
	}
	if domain := emailDomain(in.Email); isDisposable(domain, s.DisposableDomains) {
		add("disposable_email", riskPointsDisposableEmail, "disposable email domain %s", domain)
	}
	score := 0
	for _, r := range reasons {
		score += r.Points
	}
	return min(score, 100), reasons
}

func emailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(email[at+1:])
}

func isDisposable(domain string, extra []string) bool {
	if domain == "" {
		return false
	}
	for _, list := range [][]string{disposableDomains, extra} {
		for _, d := range list {
			if domain == d || strings.HasSuffix(domain, "."+d) {
				return true
			}
		}
	}
	return false
}

// disposableDomains are throwaway mailbox services commonly used for fraud.
var disposableDomains = []string{
	"10minutemail.com", "10minutemail.net", "33mail.com", "burnermail.io", "byom.de", "crazymailing.com",
	"discard.email", "dispostable.com", "dropmail.me", "emailfake.com", "emailondeck.com", "fakeinbox.com",
	"getairmail.com", "getnada.com", "grr.la", "guerrillamail.com", "guerrillamail.net", "guerrillamailblock.com",
	"inboxkitten.com", "jetable.org", "maildrop.cc", "mailcatch.com", "mailinator.com", "mailinator.net",
	"mailnesia.com", "minutemail.com", "mintemail.com", "moakt.com", "mohmal.com", "mytemp.email",
	"pokemail.net", "sharklasers.com", "spam4.me", "spamgourmet.com", "temp-mail.org", "tempail.com",
	"tempinbox.com", "tempmail.com", "tempr.email", "throwawaymail.com", "tmpmail.org", "trash-mail.com",
	"trashmail.com", "yopmail.com", "yopmail.fr",
}
