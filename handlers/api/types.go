package api

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dropship/models"
)

// Money is an amount in minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount" doc:"Minor units (cents)."`
	Currency string `json:"currency" example:"USD"`
}

func money(cents int64, currency string) Money { return Money{Amount: cents, Currency: currency} }

// DeliveryEstimate is a delivery window in days from now.
type DeliveryEstimate struct {
	MinDays int `json:"min_days"`
	MaxDays int `json:"max_days"`
}

func estimate(e *models.DeliveryEstimate) *DeliveryEstimate {
	if e == nil {
		return nil
	}
	return &DeliveryEstimate{MinDays: e.MinDays, MaxDays: e.MaxDays}
}

// Variant is a purchasable variant with its sellable pool.
type Variant struct {
	SKU              string            `json:"sku"`
	Options          map[string]string `json:"options"`
	Price            Money             `json:"price"`
	Available        int64             `json:"available" minimum:"0" doc:"The sellable pool: what suppliers can ship minus what is reserved. 0 means out of stock."`
	DeliveryEstimate *DeliveryEstimate `json:"delivery_estimate,omitempty" doc:"For the best offer that can ship to the destination (the store's default country unless given); absent when none can."`
}

func variantOf(v models.SellableVariant) Variant {
	opts := map[string]string(v.Options)
	if opts == nil {
		opts = map[string]string{}
	}
	return Variant{SKU: v.SKU, Options: opts, Price: money(v.PriceCents, v.Currency), Available: v.Available, DeliveryEstimate: estimate(v.Estimate)}
}

// Product is an active product with its active variants.
type Product struct {
	ID       string    `json:"id" example:"prod_1a"`
	Title    string    `json:"title"`
	Handle   string    `json:"handle"`
	Variants []Variant `json:"variants"`
}

func productID(id int64) string { return "prod_" + strconv.FormatInt(id, 36) }

// Alternative is an in-stock variant offered instead of a short one.
type Alternative struct {
	SKU       string            `json:"sku"`
	Title     string            `json:"title"`
	Options   map[string]string `json:"options"`
	Price     Money             `json:"price"`
	Available int64             `json:"available"`
}

func alternatives(in []models.Alternative) []Alternative {
	out := make([]Alternative, 0, len(in))
	for _, a := range in {
		opts := map[string]string(a.Options)
		if opts == nil {
			opts = map[string]string{}
		}
		out = append(out, Alternative{SKU: a.SKU, Title: a.Title, Options: opts, Price: money(a.PriceCents, a.Currency), Available: a.Available})
	}
	return out
}

// Customer is who placed the order.
type Customer struct {
	Email string `json:"email" maxLength:"254" example:"ada@example.com"`
	Name  string `json:"name,omitempty" maxLength:"200"`
	Phone string `json:"phone,omitempty" maxLength:"32" doc:"E.164, e.g. +14155550100; required for SMS notifications."`
}

// Address is where the order ships.
type Address struct {
	Name       string `json:"name" maxLength:"200"`
	Line1      string `json:"line1" maxLength:"200"`
	Line2      string `json:"line2,omitempty" maxLength:"200"`
	City       string `json:"city" maxLength:"100"`
	Region     string `json:"region,omitempty" maxLength:"100"`
	PostalCode string `json:"postal_code,omitempty" maxLength:"20"`
	Country    string `json:"country" doc:"ISO 3166-1 alpha-2." example:"US"`
}

// LineIn is a requested line.
type LineIn struct {
	SKU      string `json:"sku" maxLength:"64"`
	Quantity int    `json:"quantity" doc:"1 to 10,000."`
}

// OrderLine is a line of an order.
type OrderLine struct {
	SKU       string `json:"sku"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	UnitPrice Money  `json:"unit_price"`
	Status    string `json:"status" enum:"reserved,released,backordered,routed,shipped,cancelled"`
}

// Shipment is a parcel on its way (filled once suppliers ship).
type Shipment struct {
	Carrier           string          `json:"carrier"`
	TrackingNumber    string          `json:"tracking_number"`
	TrackingURL       string          `json:"tracking_url"`
	Status            string          `json:"status"`
	EstimatedDelivery *time.Time      `json:"estimated_delivery,omitempty"`
	Lines             []OrderLine     `json:"lines"`
	Events            []ShipmentEvent `json:"events"`
}

// ShipmentEvent is one tracking scan.
type ShipmentEvent struct {
	At          time.Time `json:"at"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
	Location    string    `json:"location"`
}

// Payment is how the order is paid and where that stands.
type Payment struct {
	Provider  string `json:"provider" enum:"stripe,paypal,manual"`
	Reference string `json:"reference,omitempty"`
	Status    string `json:"status" enum:"pending,authorized,captured,failed,refunded,disputed"`
	Failure   string `json:"failure,omitempty" doc:"Why the payment failed, when it did."`
}

// Order is an order as the storefront sees it.
type Order struct {
	ID         string      `json:"id" example:"ord_8Zq4X2..."`
	Number     string      `json:"number" example:"1042"`
	ExternalID string      `json:"external_id"`
	Status     string      `json:"status" enum:"pending_payment,payment_failed,on_hold,paid,routed,sent_to_supplier,accepted,backordered,partially_shipped,shipped,delivered,completed,cancelled,refunded"`
	CreatedAt  time.Time   `json:"created_at"`
	Customer   Customer    `json:"customer"`
	ShipTo     Address     `json:"ship_to"`
	Lines      []OrderLine `json:"lines"`
	Subtotal   Money       `json:"subtotal"`
	Shipping   Money       `json:"shipping"`
	Total      Money       `json:"total"`
	Payment    Payment     `json:"payment"`
	Shipments  []Shipment  `json:"shipments"`
}

func orderOf(o *models.Order) Order {
	out := Order{
		ID: o.PublicID, Number: strconv.FormatInt(o.Number, 10), ExternalID: o.ExternalID, Status: string(o.Status),
		CreatedAt: o.CreatedAt.UTC().Truncate(time.Second),
		Customer:  Customer{Email: o.CustomerEmail, Name: o.CustomerName, Phone: o.CustomerPhone},
		ShipTo: Address{Name: o.ShipName, Line1: o.ShipLine1, Line2: o.ShipLine2, City: o.ShipCity, Region: o.ShipRegion,
			PostalCode: o.ShipPostalCode, Country: o.ShipCountry},
		Subtotal: money(o.SubtotalCents, o.Currency), Shipping: money(o.ShippingCents, o.Currency), Total: money(o.TotalCents, o.Currency),
		Payment:   Payment{Provider: o.PaymentProvider, Reference: o.PaymentReference, Status: o.PaymentStatus, Failure: o.PaymentFailure},
		Lines:     []OrderLine{},
		Shipments: []Shipment{},
	}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, OrderLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, UnitPrice: money(l.UnitPriceCents, o.Currency), Status: l.Status})
	}
	return out
}

// StockLine says what the pool holds for one line of a refused order.
type StockLine struct {
	SKU          string        `json:"sku"`
	Requested    int64         `json:"requested"`
	Available    int64         `json:"available"`
	Alternatives []Alternative `json:"alternatives"`
}

// Cursors are opaque to clients: base64 of "<kind>:<last id>".
func encodeCursor(kind string, id int64) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", kind, id)))
	return &s
}

func decodeCursor(kind, cursor string) (int64, bool) {
	if cursor == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), kind+":")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id >= 0
}
