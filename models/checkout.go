package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MaxLineQuantity is the most units one order line may ask for.
const MaxLineQuantity = 10000

// CheckoutLine is one line as the storefront sends it.
type CheckoutLine struct {
	SKU      string
	Quantity int
}

// Address is where an order ships.
type Address struct {
	Name       string
	Line1      string
	Line2      string
	City       string
	Region     string
	PostalCode string
	Country    string
}

// Customer is who placed an order.
type Customer struct {
	Email string
	Name  string
	Phone string
}

// CheckoutRequest is an order as the storefront places it.
type CheckoutRequest struct {
	ExternalID       string
	Customer         Customer
	ShipTo           Address
	Lines            []CheckoutLine
	PaymentProvider  string
	PaymentReference string
	NotifyEmail      bool
	NotifySMS        bool
}

// Normalize trims fields, upper-cases codes and merges duplicate SKUs into the
// first line that names them (the API documents that duplicates are merged).
func (r *CheckoutRequest) Normalize() {
	r.ExternalID = strings.TrimSpace(r.ExternalID)
	r.Customer.Email = NormalizeEmail(r.Customer.Email)
	r.Customer.Name = strings.TrimSpace(r.Customer.Name)
	r.Customer.Phone = strings.TrimSpace(r.Customer.Phone)
	a := &r.ShipTo
	a.Name, a.Line1, a.Line2 = strings.TrimSpace(a.Name), strings.TrimSpace(a.Line1), strings.TrimSpace(a.Line2)
	a.City, a.Region, a.PostalCode = strings.TrimSpace(a.City), strings.TrimSpace(a.Region), strings.TrimSpace(a.PostalCode)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	r.PaymentProvider = strings.ToLower(strings.TrimSpace(r.PaymentProvider))
	r.PaymentReference = strings.TrimSpace(r.PaymentReference)
	r.Lines = MergeLines(r.Lines)
}

// MergeLines adds up lines of the same SKU, keeping the first line's place.
func MergeLines(lines []CheckoutLine) []CheckoutLine {
	out := make([]CheckoutLine, 0, len(lines))
	at := map[string]int{}
	for _, l := range lines {
		l.SKU = strings.TrimSpace(l.SKU)
		if i, ok := at[l.SKU]; ok && l.SKU != "" {
			out[i].Quantity += l.Quantity
			continue
		}
		at[l.SKU] = len(out)
		out = append(out, l)
	}
	return out
}

var phoneChars = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "")

// Validate checks the request's own fields; names follow the JSON paths.
func (r *CheckoutRequest) Validate() FieldErrors {
	fe := FieldErrors{}
	if len(r.ExternalID) > 255 {
		fe.Add("external_id", "must be at most 255 characters")
	}
	if addr, err := mail.ParseAddress(r.Customer.Email); err != nil || addr.Address != r.Customer.Email || !strings.Contains(emailDomain(r.Customer.Email), ".") {
		fe.Add("customer.email", "must be an email address like name@example.com")
	}
	if len(r.Customer.Name) > 200 {
		fe.Add("customer.name", "must be at most 200 characters")
	}
	if p := phoneChars.Replace(r.Customer.Phone); p != "" && !validE164(p) {
		fe.Add("customer.phone", "must be a phone number in international form, like +14155550100")
	}
	if r.NotifySMS && r.Customer.Phone == "" {
		fe.Add("customer.phone", "is required for SMS notifications")
	}
	if r.ShipTo.Name == "" {
		fe.Add("ship_to.name", "is required")
	}
	if r.ShipTo.Line1 == "" {
		fe.Add("ship_to.line1", "is required")
	}
	if r.ShipTo.City == "" {
		fe.Add("ship_to.city", "is required")
	}
	if !ValidCountry(r.ShipTo.Country) {
		fe.Add("ship_to.country", "must be an ISO 3166-1 alpha-2 country code, like US or DE")
	}
	validateLines(fe, r.Lines)
	switch r.PaymentProvider {
	case ProviderStripe, ProviderPayPal:
		if r.PaymentReference == "" {
			fe.Add("payment.reference", "is required for "+r.PaymentProvider)
		}
	case ProviderManual:
	default:
		fe.Add("payment.provider", "must be stripe, paypal or manual")
	}
	return fe
}

// validateLines checks the lines of an order or a quote.
func validateLines(fe FieldErrors, lines []CheckoutLine) {
	if len(lines) == 0 {
		fe.Add("lines", "must have at least one line")
	}
	if len(lines) > 100 {
		fe.Add("lines", "must have at most 100 lines")
	}
	for i, l := range lines {
		if l.SKU == "" {
			fe.Add(fmt.Sprintf("lines[%d].sku", i), "is required")
		}
		switch {
		case l.Quantity < 1:
			fe.Add(fmt.Sprintf("lines[%d].quantity", i), "must be at least 1")
		case l.Quantity > MaxLineQuantity:
			fe.Add(fmt.Sprintf("lines[%d].quantity", i), fmt.Sprintf("must be at most %d", MaxLineQuantity))
		}
	}
}

func validE164(p string) bool {
	if len(p) < 8 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// PricedLine is a checkout line matched to its variant and priced.
type PricedLine struct {
	CheckoutLine
	VariantID      int64
	ProductID      int64
	CategoryID     *int64
	Title          string
	Options        Options
	UnitPriceCents int64
	Currency       string
}

// Totals are an order's money figures.
type Totals struct {
	Currency      string
	SubtotalCents int64
	ShippingCents int64
	TotalCents    int64
}

// PriceLines matches each line's SKU to a sellable variant and prices it.
// Unknown, archived or draft SKUs and foreign currencies are field errors.
func PriceLines(ctx context.Context, db *gorm.DB, lines []CheckoutLine, s StoreSettings) ([]PricedLine, Totals, FieldErrors) {
	fe := FieldErrors{}
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.SKU
	}
	type row struct {
		VariantID     int64
		ProductID     int64
		CategoryID    *int64
		SKU           string `gorm:"column:sku"`
		Title         string
		Options       Options
		OptionNames   StringList
		PriceCents    int64
		Currency      string
		VariantStatus string
		ProductStatus string
	}
	var rows []row
	err := db.WithContext(ctx).Raw(`SELECT v.id AS variant_id, p.id AS product_id, p.category_id, v.sku, p.title,
			v.options, p.option_names, v.price_cents, v.currency, v.status AS variant_status, p.status AS product_status
		FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ANY (?)`, stringArray(skus)).Scan(&rows).Error
	if err != nil {
		fe.Add("lines", "could not be priced right now; try again")
		return nil, Totals{}, fe
	}
	bySKU := make(map[string]row, len(rows))
	for _, r := range rows {
		bySKU[r.SKU] = r
	}
	priced := make([]PricedLine, 0, len(lines))
	t := Totals{Currency: s.Currency}
	for i, l := range lines {
		r, ok := bySKU[l.SKU]
		field := fmt.Sprintf("lines[%d].sku", i)
		switch {
		case !ok:
			fe.Add(field, fmt.Sprintf("unknown SKU %q", l.SKU))
			continue
		case r.VariantStatus != VariantActive || r.ProductStatus != ProductActive:
			fe.Add(field, fmt.Sprintf("SKU %q is no longer sold", l.SKU))
			continue
		case r.Currency != s.Currency:
			fe.Add(field, fmt.Sprintf("SKU %q is priced in %s, the store sells in %s", l.SKU, r.Currency, s.Currency))
			continue
		}
		title := r.Title
		if label := r.Options.Label(r.OptionNames); label != "" {
			title += " — " + label
		}
		priced = append(priced, PricedLine{CheckoutLine: l, VariantID: r.VariantID, ProductID: r.ProductID, CategoryID: r.CategoryID,
			Title: title, Options: r.Options, UnitPriceCents: r.PriceCents, Currency: r.Currency})
		t.SubtotalCents += r.PriceCents * int64(l.Quantity)
	}
	if len(fe) > 0 {
		return nil, Totals{}, fe
	}
	t.ShippingCents = s.ShippingFor(t.SubtotalCents)
	t.TotalCents = t.SubtotalCents + t.ShippingCents
	return priced, t, nil
}

// ShippingFor is what the customer pays for shipping an order of this subtotal.
func (s StoreSettings) ShippingFor(subtotalCents int64) int64 {
	if s.FreeShippingOverCents > 0 && subtotalCents >= s.FreeShippingOverCents {
		return 0
	}
	return s.ShippingFlatCents
}

// StockLine says, for one requested line, what the pool can give.
type StockLine struct {
	SKU          string
	Requested    int64
	Available    int64
	Alternatives []Alternative
}

// InsufficientStockError refuses an order when some line can't be reserved;
// nothing was reserved. Lines covers every line of the order, short or not.
type InsufficientStockError struct {
	Lines []StockLine
}

func (e *InsufficientStockError) Error() string {
	var short []string
	for _, l := range e.Lines {
		if l.Available < l.Requested {
			short = append(short, fmt.Sprintf("%s (%d of %d)", l.SKU, l.Available, l.Requested))
		}
	}
	return "models: insufficient stock: " + strings.Join(short, ", ")
}

// PlaceOptions are the circumstances of a checkout.
type PlaceOptions struct {
	APIKeyID int64
	// IdempotencyKey, when set, is linked to the order in the same
	// transaction, so a retry after a crash finds the order instead of making a second.
	IdempotencyKey string
}

// PlaceOrder writes the order, its lines and their reservations in one
// transaction, or nothing: a line the pool can't cover fails the whole order
// with *InsufficientStockError. The order starts pending_payment; ApplyPayment
// (or a person, for manual payments) moves it on.
func PlaceOrder(ctx context.Context, db *gorm.DB, req CheckoutRequest, opts PlaceOptions, s StoreSettings) (*Order, error) {
	priced, totals, fe := PriceLines(ctx, db, req.Lines, s)
	if len(fe) > 0 {
		return nil, fe
	}
	now := time.Now().UTC()
	hold := now.Add(time.Duration(s.HoldMinutes) * time.Minute)
	o := &Order{
		PublicID: "ord_" + randomToken(24), ExternalID: req.ExternalID, Status: OrderPendingPayment,
		CustomerEmail: req.Customer.Email, CustomerName: req.Customer.Name, CustomerPhone: phoneChars.Replace(req.Customer.Phone),
		ShipName: req.ShipTo.Name, ShipLine1: req.ShipTo.Line1, ShipLine2: req.ShipTo.Line2, ShipCity: req.ShipTo.City,
		ShipRegion: req.ShipTo.Region, ShipPostalCode: req.ShipTo.PostalCode, ShipCountry: req.ShipTo.Country,
		Currency: totals.Currency, SubtotalCents: totals.SubtotalCents, ShippingCents: totals.ShippingCents, TotalCents: totals.TotalCents,
		PaymentProvider: req.PaymentProvider, PaymentReference: req.PaymentReference, PaymentStatus: PaymentPending,
		RiskReasons: RiskReasons{}, NotifyEmail: req.NotifyEmail, NotifySMS: req.NotifySMS, HoldExpiresAt: &hold,
		CreatedAt: now, UpdatedAt: now,
	}
	if opts.APIKeyID != 0 {
		o.APIKeyID = &opts.APIKeyID
	}
	ids := make([]int64, len(priced))
	qtys := make([]int64, len(priced))
	for i, p := range priced {
		ids[i], qtys[i] = p.VariantID, int64(p.Quantity)
		o.Lines = append(o.Lines, OrderLine{LineNo: i + 1, VariantID: p.VariantID, SKU: p.SKU, Title: p.Title,
			Options: p.Options, Quantity: p.Quantity, UnitPriceCents: p.UnitPriceCents, Status: LineReserved})
	}

	var short []int64
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// RETURNING brings back the number the sequence gave.
		if err := tx.Omit("Lines").Clauses(clause.Returning{Columns: []clause.Column{{Name: "id"}, {Name: "number"}}}).Create(o).Error; err != nil {
			return fmt.Errorf("models: place order: %w", err)
		}
		for i := range o.Lines {
			o.Lines[i].OrderID = o.ID
		}
		if err := tx.Create(&o.Lines).Error; err != nil {
			return fmt.Errorf("models: place order lines: %w", err)
		}
		if err := tx.Exec(`INSERT INTO reservations (order_id, order_line_id, variant_id, quantity, expires_at)
			SELECT ?, l.id, l.variant_id, l.quantity, ? FROM order_lines l WHERE l.order_id = ?`, o.ID, hold, o.ID).Error; err != nil {
			return fmt.Errorf("models: place order reservations: %w", err)
		}
		if err := addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "created", ToStatus: string(o.Status), Actor: "storefront",
			Message: fmt.Sprintf("placed with %d lines for %s %s, paid by %s", len(o.Lines), FormatCents(o.TotalCents), o.Currency, o.PaymentProvider)}); err != nil {
			return err
		}
		if o.PaymentProvider == ProviderManual {
			if err := notifyCustomer(tx, o, TemplateOrderReceived); err != nil {
				return err
			}
		}
		if opts.IdempotencyKey != "" {
			if err := tx.Exec("UPDATE idempotency_keys SET order_id = ? WHERE api_key_id = ? AND key = ?", o.ID, opts.APIKeyID, opts.IdempotencyKey).Error; err != nil {
				return fmt.Errorf("models: place order idempotency link: %w", err)
			}
		}
		// Last, so the pool rows stay locked only from here to COMMIT.
		if err := tx.Raw("SELECT unnest(reserve_stock(?::bigint[], ?::bigint[]))", int64Array(ids), int64Array(qtys)).Scan(&short).Error; err != nil {
			return fmt.Errorf("models: reserve stock: %w", err)
		}
		if len(short) > 0 {
			return errShortStock
		}
		return nil
	})
	if errors.Is(err, errShortStock) {
		return nil, insufficientStock(ctx, db, priced)
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

var errShortStock = errors.New("short stock")

// insufficientStock describes every line against the pool as it is now.
func insufficientStock(ctx context.Context, db *gorm.DB, priced []PricedLine) error {
	ids := make([]int64, len(priced))
	for i, p := range priced {
		ids[i] = p.VariantID
	}
	pool, err := Pool(ctx, db, ids)
	if err != nil {
		return err
	}
	e := &InsufficientStockError{}
	for _, p := range priced {
		l := StockLine{SKU: p.SKU, Requested: int64(p.Quantity), Available: pool[p.VariantID].Available}
		if l.Available < l.Requested {
			if l.Alternatives, err = Alternatives(ctx, db, p.VariantID, 5); err != nil {
				return err
			}
		}
		e.Lines = append(e.Lines, l)
	}
	return e
}
