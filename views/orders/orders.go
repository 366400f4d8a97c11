// Package orders holds the order queue and the order page for merchants and CS reps.
package orders

import (
	"fmt"
	"net/url"
	"strings"

	"dropship/models"
	"dropship/views/components"
)

// IndexData is the orders list with its queue and search.
type IndexData struct {
	Orders []models.Order
	Counts map[string]int64
	Filter models.OrderFilter
	Pager  components.Pager
}

// ShowData is one order with its timeline and what the viewer may do.
type ShowData struct {
	Order       *models.Order
	Events      []models.OrderEvent
	CanAct      bool // cancel, release a hold, resolve
	CanMarkPaid bool
	Form        ReasonForm
	FormAction  string // which action's form has errors
}

// ReasonForm is every order action's form: a reason or a note.
type ReasonForm struct {
	Reason string `form:"reason"`
	Errors models.FieldErrors
}

// Validate requires the reason a person must give.
func (f *ReasonForm) Validate() bool {
	f.Errors = models.FieldErrors{}
	if strings.TrimSpace(f.Reason) == "" {
		f.Errors.Add("reason", "say why; it goes in the order's timeline and the audit log")
	}
	return len(f.Errors) == 0
}

func queueLabel(q string) string {
	switch q {
	case models.QueueAttention:
		return "Needs attention"
	case models.QueueOnHold:
		return "On hold"
	case models.QueueAwaitPayment:
		return "Awaiting payment"
	case models.QueuePaymentFailed:
		return "Payment failed"
	case models.QueueBackordered:
		return "Backordered"
	}
	return "All"
}

func queueURL(q, search string) string {
	v := url.Values{}
	if q != "" {
		v.Set("queue", q)
	}
	if search != "" {
		v.Set("q", search)
	}
	if len(v) == 0 {
		return "/orders"
	}
	return "/orders?" + v.Encode()
}

// StatusKind colours an order status.
func StatusKind(s models.OrderStatus) string {
	switch s {
	case models.OrderPaid, models.OrderShipped, models.OrderDelivered, models.OrderCompleted, models.OrderAccepted:
		return "ok"
	case models.OrderOnHold, models.OrderPendingPayment, models.OrderBackordered, models.OrderPartiallyShipped:
		return "warn"
	case models.OrderPaymentFailed, models.OrderCancelled, models.OrderRefunded:
		return "bad"
	}
	return "info"
}

func riskKind(score int) string {
	switch {
	case score >= 60:
		return "bad"
	case score >= 30:
		return "warn"
	}
	return "ok"
}

func money(cents int64, currency string) string {
	return models.FormatCents(cents) + " " + currency
}

func itemCount(o models.Order) string {
	n := 0
	for _, l := range o.Lines {
		n += l.Quantity
	}
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

func orderURL(o *models.Order) string { return fmt.Sprintf("/orders/%d", o.ID) }

func actionURL(o *models.Order, action string) string {
	return fmt.Sprintf("/orders/%d/%s", o.ID, action)
}

func formError(d ShowData, action string) string {
	if d.FormAction != action {
		return ""
	}
	return d.Form.Errors["reason"]
}

func address(o *models.Order) []string {
	lines := []string{o.ShipName, o.ShipLine1}
	if o.ShipLine2 != "" {
		lines = append(lines, o.ShipLine2)
	}
	city := strings.TrimSpace(strings.Join([]string{o.ShipPostalCode, o.ShipCity}, " "))
	if o.ShipRegion != "" {
		city += ", " + o.ShipRegion
	}
	return append(lines, city, o.ShipCountry)
}

func lineKind(status string) string {
	switch status {
	case models.LineReserved, models.LineRouted, models.LineShipped:
		return "ok"
	case models.LineBackordered:
		return "warn"
	case models.LineReleased, models.LineCancelled:
		return "bad"
	}
	return ""
}

func eventTitle(e models.OrderEvent) string {
	if e.Kind == "status" {
		return models.OrderStatus(e.ToStatus).Label()
	}
	return strings.ReplaceAll(strings.ToUpper(e.Kind[:1])+e.Kind[1:], "_", " ")
}
