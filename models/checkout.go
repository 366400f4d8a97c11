package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
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
func PriceLines(ctx context.Context, db *gorm.DB, lines []CheckoutLine, s StoreSettings) ([]PricedLine, Totals, error) {
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
		return nil, Totals{}, fmt.Errorf("models: price lines: %w", err)
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
	if err := fe.Err(); err != nil {
		return nil, Totals{}, err
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
	// statement, so a retry after a crash finds the order instead of making a second.
	IdempotencyKey string
}

// PlaceOrderSQL writes an order, its lines, their reservations, the first
// timeline entry, the manual-payment notice and the idempotency link, and
// reserves the stock, in ONE statement: one round trip, all or nothing. It is
// the checkout's hot path; reserve_stock_or_fail raises DS409 when a line is
// short, which undoes the whole statement. The pool rows are locked from the
// reservation to the implicit commit only.
const PlaceOrderSQL = `
WITH new_order AS (
	INSERT INTO orders (public_id, api_key_id, external_id, status, customer_email, customer_name, customer_phone,
		ship_name, ship_line1, ship_line2, ship_city, ship_region, ship_postal_code, ship_country,
		currency, subtotal_cents, shipping_cents, total_cents, payment_provider, payment_reference, payment_status,
		notify_email, notify_sms, created_at, updated_at)
	VALUES (@public_id, @api_key_id, @external_id, 'pending_payment', @email, @name, @phone,
		@ship_name, @line1, @line2, @city, @region, @postal, @country,
		@currency, @subtotal, @shipping, @total, @provider, @reference, 'pending',
		@notify_email, @notify_sms, @now, @now)
	RETURNING id, number
), new_lines AS (
	INSERT INTO order_lines (order_id, line_no, variant_id, sku, title, options, quantity, unit_price_cents, status)
	SELECT o.id, l.line_no, l.variant_id, l.sku, l.title, l.options::jsonb, l.quantity, l.price, 'reserved'
	FROM new_order o, unnest(CAST(@line_nos AS int[]), CAST(@variant_ids AS bigint[]), CAST(@skus AS text[]), CAST(@titles AS text[]), CAST(@options AS text[]),
		CAST(@quantities AS int[]), CAST(@prices AS bigint[])) AS l(line_no, variant_id, sku, title, options, quantity, price)
	RETURNING id, order_id, variant_id, quantity, line_no
), new_reservations AS (
	INSERT INTO reservations (order_id, order_line_id, variant_id, quantity, expires_at, created_at)
	SELECT order_id, id, variant_id, quantity, @hold, @now FROM new_lines
), created AS (
	INSERT INTO order_events (order_id, at, kind, to_status, actor, message)
	SELECT id, @now, 'created', 'pending_payment', 'storefront', @message FROM new_order
), notices AS (
	INSERT INTO notifications (channel, recipient, template, payload, dedupe_key, order_id, next_attempt_at, created_at)
	SELECT n.channel, n.recipient, '` + TemplateOrderReceived + `', '{}', 'order:' || o.id || ':` + TemplateOrderReceived + `:' || n.channel, o.id, @now, @now
	FROM new_order o, (VALUES ('email', @email, @notify_email), ('sms', @phone, @notify_sms AND @phone <> '')) AS n(channel, recipient, wanted)
	WHERE @provider = 'manual' AND n.wanted
), idempotency AS (
	UPDATE idempotency_keys k SET order_id = o.id FROM new_order o WHERE k.api_key_id = @api_key_id AND k.key = @idempotency_key
), reserved AS (
	SELECT reserve_stock_or_fail(CAST(@variant_ids AS bigint[]), CAST(@quantities AS bigint[]))
)
SELECT o.id, o.number, (SELECT array_agg(l.id ORDER BY l.line_no) FROM new_lines l)::text AS line_ids
FROM new_order o CROSS JOIN reserved`

// PlaceOrder writes the order, its lines and their reservations at once, or
// nothing: a line the pool can't cover fails the whole order with
// *InsufficientStockError. The order starts pending_payment; ApplyPayment (or
// a person, for manual payments) moves it on.
func PlaceOrder(ctx context.Context, db *gorm.DB, req CheckoutRequest, opts PlaceOptions, s StoreSettings) (*Order, error) {
	priced, totals, err := PriceLines(ctx, db, req.Lines, s)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	hold := now.Add(time.Duration(s.HoldMinutes) * time.Minute)
	o := &Order{
		PublicID: "ord_" + randomToken(24), ExternalID: req.ExternalID, Status: OrderPendingPayment,
		CustomerEmail: req.Customer.Email, CustomerName: req.Customer.Name, CustomerPhone: phoneChars.Replace(req.Customer.Phone),
		ShipName: req.ShipTo.Name, ShipLine1: req.ShipTo.Line1, ShipLine2: req.ShipTo.Line2, ShipCity: req.ShipTo.City,
		ShipRegion: req.ShipTo.Region, ShipPostalCode: req.ShipTo.PostalCode, ShipCountry: req.ShipTo.Country,
		Currency: totals.Currency, SubtotalCents: totals.SubtotalCents, ShippingCents: totals.ShippingCents, TotalCents: totals.TotalCents,
		PaymentProvider: req.PaymentProvider, PaymentReference: req.PaymentReference, PaymentStatus: PaymentPending,
		RiskReasons: RiskReasons{}, NotifyEmail: req.NotifyEmail, NotifySMS: req.NotifySMS,
		CreatedAt: now, UpdatedAt: now,
	}
	var apiKeyID *int64
	if opts.APIKeyID != 0 {
		o.APIKeyID, apiKeyID = &opts.APIKeyID, &opts.APIKeyID
	}
	n := len(priced)
	lineNos, ids, qtys, prices := make(int64Array, n), make(int64Array, n), make(int64Array, n), make(int64Array, n)
	skus, titles, options := make(stringArray, n), make(stringArray, n), make(stringArray, n)
	for i, p := range priced {
		opt, _ := json.Marshal(map[string]string(p.Options))
		if p.Options == nil {
			opt = []byte("{}")
		}
		lineNos[i], ids[i], qtys[i], prices[i] = int64(i+1), p.VariantID, int64(p.Quantity), p.UnitPriceCents
		skus[i], titles[i], options[i] = p.SKU, p.Title, string(opt)
		o.Lines = append(o.Lines, OrderLine{LineNo: i + 1, VariantID: p.VariantID, SKU: p.SKU, Title: p.Title,
			Options: p.Options, Quantity: p.Quantity, UnitPriceCents: p.UnitPriceCents, Status: LineReserved})
	}
	var row struct {
		ID      int64
		Number  int64
		LineIDs string
	}
	err = db.WithContext(ctx).Raw(PlaceOrderSQL, map[string]any{
		"public_id": o.PublicID, "api_key_id": apiKeyID, "external_id": o.ExternalID,
		"email": o.CustomerEmail, "name": o.CustomerName, "phone": o.CustomerPhone,
		"ship_name": o.ShipName, "line1": o.ShipLine1, "line2": o.ShipLine2, "city": o.ShipCity, "region": o.ShipRegion,
		"postal": o.ShipPostalCode, "country": o.ShipCountry,
		"currency": o.Currency, "subtotal": o.SubtotalCents, "shipping": o.ShippingCents, "total": o.TotalCents,
		"provider": o.PaymentProvider, "reference": o.PaymentReference,
		"notify_email": o.NotifyEmail, "notify_sms": o.NotifySMS, "hold": hold, "now": now,
		"line_nos": lineNos, "variant_ids": ids, "skus": skus, "titles": titles, "options": options, "quantities": qtys, "prices": prices,
		"message":         fmt.Sprintf("placed with %s for %s %s, paid by %s", plural(n, "line"), FormatCents(o.TotalCents), o.Currency, o.PaymentProvider),
		"idempotency_key": opts.IdempotencyKey,
	}).Scan(&row).Error
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "DS409" {
		return nil, insufficientStock(ctx, db, priced)
	}
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "orders_payment_ref_key" {
		return nil, FieldErrors{"payment.reference": "already pays another order; each order needs its own payment"}
	}
	if err != nil {
		return nil, fmt.Errorf("models: place order: %w", err)
	}
	o.ID, o.Number = row.ID, row.Number
	for i, id := range parseIDArray(row.LineIDs) {
		if i < len(o.Lines) {
			o.Lines[i].ID, o.Lines[i].OrderID = id, o.ID
		}
	}
	return o, nil
}

// parseIDArray reads a PostgreSQL bigint[] in text form ({1,2,3}).
func parseIDArray(s string) []int64 {
	s = strings.Trim(s, "{}")
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]int64, 0, len(parts))
	for _, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err == nil {
			out = append(out, id)
		}
	}
	return out
}

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

// plural writes "1 line", "3 lines".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
